package dev.scriptd.domain;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What of a run's output may be stored and streamed: secret values are masked in every line, and
 * once {@code maxBytes} of lines (UTF-8 text plus newline) were taken, a last line
 * {@code [scriptd] output truncated at N bytes} takes the next seq and nothing after it is kept (the
 * process keeps running unless the limit kills it; its pipes are still drained). Shell runs (the
 * run owner) and JavaScript runs (the JS verticle) both pass every line through one of these, so
 * both mask and cap alike. Confined to the context of the verticle running the run.
 */
public final class OutputGuard {
  private final List<String> secrets;
  private final long maxBytes;
  private long taken;
  private boolean limitHit;

  /** The guard of a run with this env (its secret values are masked) and these limits. */
  public static OutputGuard forRun(Map<String, String> env, RunLimits limits) {
    return new OutputGuard(SecretEnv.secretValues(env), limits.maxLogBytes());
  }

  /**
   * The guard of {@code run}: its secret env values and the text of its secret parameter values
   * (see {@link RunIo#secretTexts}) are masked; {@code limits} as above.
   */
  public static OutputGuard forRun(Run run, RunLimits limits) {
    List<String> secrets = new java.util.ArrayList<>(SecretEnv.secretValues(run.env()));
    for (String text : run.io().secretTexts()) {
      if (!secrets.contains(text)) {
        secrets.add(text);
      }
    }
    secrets.sort(java.util.Comparator.comparingInt(String::length).reversed()); // a longer one is masked whole
    return new OutputGuard(secrets, limits.maxLogBytes());
  }

  /** {@code secrets}: the values to mask ({@link SecretEnv#secretValues}). */
  public OutputGuard(List<String> secrets, long maxBytes) {
    this.secrets = List.copyOf(secrets);
    this.maxBytes = maxBytes;
  }

  public boolean limitHit() {
    return limitHit;
  }

  public long maxBytes() {
    return maxBytes;
  }

  /** The run's error once the limit was hit: killed ({@code on_log_limit = kill}) or truncated. */
  public String limitError(boolean killed) {
    return killed
        ? "output exceeded " + maxBytes + " bytes (limits.max_log_bytes); the run was killed"
        : "output truncated at " + maxBytes + " bytes (limits.max_log_bytes); later lines were not kept";
  }

  /** {@code text} with the secret values masked (for texts that are no log line, such as an error). */
  public String redact(String text) {
    return text == null || secrets.isEmpty() ? text : SecretEnv.redact(text, secrets);
  }

  /**
   * A JSON value (a program's result) with the secret values masked in every string in it, keys
   * included.
   */
  public Object redactValue(Object value) {
    if (secrets.isEmpty()) {
      return value;
    }
    if (value instanceof String text) {
      return SecretEnv.redact(text, secrets);
    }
    if (value instanceof JsonObject object) {
      JsonObject masked = new JsonObject();
      object.forEach(entry -> masked.put(redact(entry.getKey()), redactValue(entry.getValue())));
      return masked;
    }
    if (value instanceof JsonArray array) {
      JsonArray masked = new JsonArray();
      array.forEach(item -> masked.add(redactValue(item)));
      return masked;
    }
    return value;
  }

  /** The lines to keep, masked; empty once the limit was hit. */
  public List<LogLine> admit(List<LogLine> lines) {
    long size = 0;
    for (LogLine line : lines) {
      size += line.utf8Length() + 1L;
    }
    return admit(lines, size);
  }

  /**
   * {@link #admit(List)} when the caller already knows {@code textBytes}, the sum of the lines'
   * UTF-8 lengths plus one each: the usual case (nothing to mask, under the limit) then looks at no
   * line, and returns {@code lines} itself.
   */
  public List<LogLine> admit(List<LogLine> lines, long textBytes) {
    if (limitHit) {
      return List.of();
    }
    if (secrets.isEmpty() && taken + textBytes <= maxBytes) {
      taken += textBytes;
      return lines; // the usual case: nothing to mask or cut, so no copy
    }
    List<LogLine> kept = new ArrayList<>(lines.size());
    for (LogLine line : lines) {
      long size = line.utf8Length() + 1L;
      if (taken + size > maxBytes) {
        limitHit = true;
        kept.add(new LogLine(line.seq(), line.timestamp(), LogStream.STDERR,
            "[scriptd] output truncated at " + taken + " bytes (limits.max_log_bytes = " + maxBytes + ")"));
        return kept;
      }
      taken += size;
      kept.add(secrets.isEmpty() ? line : masked(line));
    }
    return kept;
  }

  /** The line with its secrets masked; only here is the text decoded. */
  private LogLine masked(LogLine line) {
    String text = line.text();
    String redacted = SecretEnv.redact(text, secrets);
    return redacted.equals(text) ? line : new LogLine(line.seq(), line.timestamp(), line.stream(), redacted);
  }

  /** Bytes of the lines kept so far. */
  public long taken() {
    return taken;
  }
}
