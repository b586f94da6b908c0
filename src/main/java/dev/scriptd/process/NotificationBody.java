package dev.scriptd.process;

import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.Script;
import dev.scriptd.domain.SecretEnv;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The body a notification POSTs, built once when the run's end is decided (the signature covers
 * these exact bytes, and every attempt sends them again): {@code json} = {event, delivery_id, run,
 * script, log_tail, url}, {@code slack} = {text} for Slack-compatible incoming webhooks. Every
 * secret value of the run (secret env values, secret parameters) is masked in every string.
 */
final class NotificationBody {
  /** Lines of the tail a notification carries. */
  static final int TAIL_LINES = 20;
  /** Lines of the tail quoted in a slack text (a chat message stays readable). */
  private static final int SLACK_LINES = 10;

  private NotificationBody() {
  }

  /** The link to the run in the UI: the server's public URL and the UI's run route. */
  static String runUrl(String publicUrl, String runId) {
    String base = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
    return base + "/#/runs/" + runId;
  }

  static String event(Run run) {
    return "run." + run.status().wire();
  }

  /** The body in {@code format} ("json" or "slack"). */
  static String build(String format, String deliveryId, Run run, Script script, List<LogLine> tail, String url,
      List<String> secrets) {
    JsonObject body = "slack".equals(format) ? slack(run, script, tail, url) : json(deliveryId, run, script, tail, url);
    return ((JsonObject) mask(body, secrets)).encode();
  }

  static JsonObject json(String deliveryId, Run run, Script script, List<LogLine> tail, String url) {
    JsonArray lines = new JsonArray();
    tail(tail, TAIL_LINES).forEach(line -> lines.add(line.toJson()));
    return new JsonObject()
        .put("event", event(run))
        .put("delivery_id", deliveryId)
        .put("run", run.toJson())
        .put("script", script == null ? null : new JsonObject().put("id", script.id()).put("name", script.name()))
        .put("log_tail", lines)
        .put("url", url);
  }

  static JsonObject slack(Run run, Script script, List<LogLine> tail, String url) {
    String what = script == null ? "Ad-hoc run" : "Script *" + script.name() + "*";
    StringBuilder text = new StringBuilder(what).append(": run <").append(url).append('|')
        .append(run.id(), 0, 8).append("> ").append(run.status().wire().replace('_', ' '));
    if (run.exitCode() != null) {
      text.append(" (exit ").append(run.exitCode()).append(')');
    }
    if (run.lineage().attempt() > 1) {
      text.append(", attempt ").append(run.lineage().attempt());
    }
    if (run.error() != null) {
      text.append("\n").append(run.error());
    }
    List<LogLine> last = tail(tail, SLACK_LINES);
    if (!last.isEmpty()) {
      text.append("\n```\n");
      last.forEach(line -> text.append(line.text().replace("```", "'''")).append('\n'));
      text.append("```");
    }
    return new JsonObject().put("text", text.toString());
  }

  private static List<LogLine> tail(List<LogLine> lines, int count) {
    return lines.size() <= count ? lines : lines.subList(lines.size() - count, lines.size());
  }

  /** Every string in {@code json} (objects, arrays, nested) with the secret values masked. */
  static Object mask(Object json, List<String> secrets) {
    if (secrets.isEmpty()) {
      return json;
    }
    if (json instanceof String text) {
      return SecretEnv.redact(text, secrets);
    }
    if (json instanceof JsonObject object) {
      JsonObject masked = new JsonObject();
      object.forEach(entry -> masked.put(SecretEnv.redact(entry.getKey(), secrets), mask(entry.getValue(), secrets)));
      return masked;
    }
    if (json instanceof JsonArray array) {
      JsonArray masked = new JsonArray();
      array.forEach(value -> masked.add(mask(value, secrets)));
      return masked;
    }
    return json;
  }
}
