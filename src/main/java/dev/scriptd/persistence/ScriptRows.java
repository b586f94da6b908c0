package dev.scriptd.persistence;

import dev.scriptd.bus.ScriptEntry;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunLimits;
import dev.scriptd.domain.Script;
import dev.scriptd.domain.ScriptAutomation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** The SQL of the {@code scripts} table and the mapping between its rows and {@link Script}. */
final class ScriptRows {
  private ScriptRows() {
  }

  private static final String COLUMNS = "id, name, kind, command, program, timeout_seconds, env, cwd, "
      + "enabled, schedule, endpoint, concurrency, version, created_at, updated_at, limits, retention, parameters, "
      + "then_runs, retry, notify, endpoint_key";

  static final String UPSERT = "INSERT INTO scripts (" + COLUMNS + ") VALUES "
      + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
      + "name = excluded.name, kind = excluded.kind, command = excluded.command, "
      + "program = excluded.program, timeout_seconds = excluded.timeout_seconds, env = excluded.env, "
      + "cwd = excluded.cwd, enabled = excluded.enabled, schedule = excluded.schedule, "
      + "endpoint = excluded.endpoint, concurrency = excluded.concurrency, version = excluded.version, "
      + "updated_at = excluded.updated_at, limits = excluded.limits, retention = excluded.retention, "
      + "parameters = excluded.parameters, "
      + "then_runs = excluded.then_runs, retry = excluded.retry, notify = excluded.notify, "

      + "endpoint_key = excluded.endpoint_key";

  /** The other script that serves a route (endpoint_key), if any. */
  static final String ENDPOINT_HOLDER = "SELECT name FROM scripts WHERE endpoint_key = ? AND id <> ?";
  /** Frees a script's route for the rest of an apply, so two scripts may swap routes in one. */
  static final String RELEASE_ENDPOINT = "UPDATE scripts SET endpoint_key = NULL WHERE id = ?";

  /** Script columns prefixed s_, run columns under their own names (RunRows.fromRow reads them). */
  private static final String WITH_LAST_RUN = "SELECT s.id AS s_id, s.name AS s_name, s.kind AS s_kind, "
      + "s.command AS s_command, s.program AS s_program, s.timeout_seconds AS s_timeout_seconds, "
      + "s.env AS s_env, s.cwd AS s_cwd, s.enabled AS s_enabled, s.schedule AS s_schedule, "
      + "s.endpoint AS s_endpoint, s.concurrency AS s_concurrency, s.version AS s_version, "
      + "s.created_at AS s_created_at, s.updated_at AS s_updated_at, s.limits AS s_limits, s.retention AS s_retention, "
      + "s.parameters AS s_parameters, "
      + "s.then_runs AS s_then_runs, s.retry AS s_retry, s.notify AS s_notify, "
      + prefixed("r", RunRows.SELECTED)
      + " FROM scripts s LEFT JOIN runs r ON r.id = (SELECT l.id FROM runs l WHERE l.script_id = s.id "
      + "ORDER BY l.created_at DESC, l.id DESC LIMIT 1)";

  static final String LIST = WITH_LAST_RUN + " WHERE s.name > ? ORDER BY s.name LIMIT ?";
  /** An id match wins over a name match (a name may look like another script's id). */
  static final String GET = WITH_LAST_RUN + " WHERE s.id = ? OR s.name = ? ORDER BY (s.id = ?) DESC LIMIT 1";

  /** The other scripts whose then names a script (parameters: its id, its id, its name), by name. */
  static String chainedFrom(SqlDialect sql) {
    return "SELECT s.name FROM scripts s WHERE s.id <> ? AND s.then_runs IS NOT NULL "
        + "AND " + sql.jsonArrayHasField("s.then_runs", "script") + " ORDER BY s.name";
  }
  static final String NAME_OF = "SELECT name FROM scripts WHERE id = ?";
  static final String RUNNING_COUNT = "SELECT count(*) FROM runs WHERE script_id = ? AND status = 'running'";
  static final String ACTIVE_COUNT = "SELECT count(*) FROM runs WHERE script_id = ? AND status IN ('pending', 'running')";
  static final String VERSION_OF = "SELECT version FROM scripts WHERE id = ?";
  static final String RUNS_OF = "SELECT id, created_at FROM runs WHERE script_id = ?";
  static final String DELETE_CHUNKS = "DELETE FROM log_chunks WHERE run_id IN "
      + "(SELECT id FROM runs WHERE script_id = ?)";
  static final String DELETE_RUNS = "DELETE FROM runs WHERE script_id = ?";
  static final String DELETE = "DELETE FROM scripts WHERE id = ?";

  private static String prefixed(String table, String columns) {
    StringBuilder out = new StringBuilder();
    for (String column : columns.split(",")) {
      if (out.length() > 0) {
        out.append(", ");
      }
      out.append(table).append('.').append(column.trim());
    }
    return out.toString();
  }

  static Tuple upsertParams(Script script) {
    return Tuple.tuple()
        .addString(script.id())
        .addString(script.name())
        .addString(script.kind())
        .addString(script.command())
        .addString(script.program())
        .addLong(script.timeoutSeconds())
        .addString(new JsonObject(new HashMap<String, Object>(script.env())).encode())
        .addString(script.cwd())
        .addInteger(script.enabled() ? 1 : 0)
        .addString(script.schedule() == null ? null : script.schedule().encode())
        .addString(script.endpoint() == null ? null : script.endpoint().encode())
        .addString(script.concurrency())
        .addLong(script.version())
        .addLong(script.createdAt().toEpochMilli())
        .addLong(script.updatedAt().toEpochMilli())
        .addString(script.limits().toStored())
        .addString(script.retention() == null ? null : script.retention().encode())
        .addString(script.parameters() == null ? null : script.parameters().encode())
        .addString(script.automation().then() == null ? null : script.automation().then().encode())
        .addString(script.automation().retry() == null ? null : script.automation().retry().encode())
        .addString(script.automation().notifications() == null ? null : script.automation().notifications().encode())
        .addString(endpointKey(script));
  }

  /**
   * "METHOD path" of the route a script serves, null without an endpoint: the unique key that
   * keeps two scripts off one route. Validation already upper-cases the method and strips the
   * path's leading slash, so equal routes have equal keys.
   */
  static String endpointKey(Script script) {
    JsonObject endpoint = script.endpoint();
    if (endpoint == null || endpoint.getString("path") == null) {
      return null;
    }
    return endpoint.getString("method", "POST").toUpperCase(java.util.Locale.ROOT) + " " + endpoint.getString("path");
  }

  static ScriptEntry entryFromRow(Row row) {
    Map<String, String> env = new HashMap<>();
    String envJson = row.getString("s_env");
    if (envJson != null && !envJson.isEmpty()) {
      new JsonObject(envJson).forEach(e -> env.put(e.getKey(), String.valueOf(e.getValue())));
    }
    Script script = new Script(
        row.getString("s_id"),
        row.getString("s_name"),
        row.getString("s_kind"),
        row.getString("s_command"),
        row.getString("s_program"),
        row.getLong("s_timeout_seconds"),
        env,
        row.getString("s_cwd"),
        row.getInteger("s_enabled") != 0,
        json(row.getString("s_schedule")),
        json(row.getString("s_endpoint")),
        row.getString("s_concurrency"),
        RunLimits.fromStored(row.getString("s_limits")),
        row.getLong("s_version"),
        Instant.ofEpochMilli(row.getLong("s_created_at")),
        Instant.ofEpochMilli(row.getLong("s_updated_at")),
        json(row.getString("s_retention")),
        json(row.getString("s_parameters")),
        new ScriptAutomation(array(row.getString("s_then_runs")), json(row.getString("s_retry")),
            array(row.getString("s_notify"))));
    Run lastRun = row.getString("id") == null ? null : RunRows.fromRow(row);
    return new ScriptEntry(script, lastRun);
  }

  private static JsonArray array(String text) {
    return text == null ? null : new JsonArray(text);
  }

  private static JsonObject json(String text) {
    return text == null ? null : new JsonObject(text);
  }
}
