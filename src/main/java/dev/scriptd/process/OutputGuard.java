package dev.scriptd.process;

import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import dev.scriptd.domain.SecretEnv;
import java.util.ArrayList;
import java.util.List;

/**
 * What of a run's output may be stored and streamed: secret values are masked in every line, and
 * once {@code maxBytes} of lines (UTF-8 text plus newline) were taken, a last line
 * {@code [scriptd] output truncated at N bytes} takes the next seq and nothing after it is kept (the
 * process keeps running unless the limit kills it; its pipes are still drained). Confined to the
 * supervisor's context.
 */
final class OutputGuard {
  private final List<String> secrets;
  private final long maxBytes;
  private long taken;
  private boolean limitHit;

  OutputGuard(List<String> secrets, long maxBytes) {
    this.secrets = List.copyOf(secrets);
    this.maxBytes = maxBytes;
  }

  boolean limitHit() {
    return limitHit;
  }

  long maxBytes() {
    return maxBytes;
  }

  /** The lines to keep, masked; empty once the limit was hit. */
  List<LogLine> admit(List<LogLine> lines) {
    if (limitHit) {
      return List.of();
    }
    if (secrets.isEmpty()) {
      long size = 0;
      for (LogLine line : lines) {
        size += line.utf8Length() + 1L;
      }
      if (taken + size <= maxBytes) {
        taken += size;
        return lines; // the usual case: nothing to mask or cut, so no copy
      }
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
  long taken() {
    return taken;
  }
}
