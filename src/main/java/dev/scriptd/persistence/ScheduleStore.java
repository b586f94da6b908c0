package dev.scriptd.persistence;

import dev.scriptd.bus.ScheduleState;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The schedule_state table (V004): one row per scheduled script, written at each fire. */
final class ScheduleStore {
  private static final String SELECT_ALL =
      "SELECT script_id, version, armed_at, last_fire_at, next_fire_at FROM schedule_state";

  private final Database db;
  private final String upsert;

  ScheduleStore(Database db) {
    this.db = db;
    SqlDialect sql = db.dialect();
    this.upsert = "INSERT INTO schedule_state "
        + "(script_id, version, armed_at, last_fire_at, next_fire_at, updated_at) SELECT " + sql.typed("text")
        + ", " + sql.typed("bigint") + ", " + sql.typed("bigint") + ", " + sql.typed("bigint") + ", "
        + sql.typed("bigint") + ", " + sql.typed("bigint") + " "
        // a script deleted meanwhile gets no state row
        + "WHERE EXISTS (SELECT 1 FROM scripts WHERE id = ?) "
        + "ON CONFLICT (script_id) DO UPDATE SET version = excluded.version, armed_at = excluded.armed_at, "
        + "last_fire_at = excluded.last_fire_at, next_fire_at = excluded.next_fire_at, updated_at = excluded.updated_at";
  }

  Future<ScheduleState.All> all() {
    return db.reader().query(SELECT_ALL).execute().map(rows -> {
      List<ScheduleState> items = new ArrayList<>(rows.size());
      for (Row row : rows) {
        items.add(new ScheduleState(row.getString(0), row.getLong(1), Instant.ofEpochMilli(row.getLong(2)),
            instant(row.getLong(3)), instant(row.getLong(4))));
      }
      return new ScheduleState.All(items);
    });
  }

  Future<ScheduleState> save(ScheduleState state) {
    return db.write(conn -> conn.preparedQuery(upsert).execute(Tuple.of(state.scriptId(), state.version(),
            state.armedAt().toEpochMilli(), millis(state.lastFireAt()), millis(state.nextFireAt()),
            System.currentTimeMillis(), state.scriptId())))
        .map(state);
  }

  private static Instant instant(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }

  private static Long millis(Instant instant) {
    return instant == null ? null : instant.toEpochMilli();
  }
}
