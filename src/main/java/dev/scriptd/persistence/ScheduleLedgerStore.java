package dev.scriptd.persistence;

import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.bus.ScheduleFire;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** The schedule ledger (schedule_fires, V006): one row per due fire time of a schedule. */
final class ScheduleLedgerStore {
  private static final int DEFAULT_PAGE = 50;
  private static final int MAX_PAGE = 1000;
  /**
   * A claimed row still without an outcome after this long lost its decision (the server stopped
   * between claiming the time and hearing back from the run start): it is listed as failed_to_start.
   */
  static final long UNDECIDED_AFTER_MS = 60_000;
  static final String LOST_DETAIL = "the server stopped while the run was being started; no run is known";

  private static final String DECIDE = "UPDATE schedule_fires SET decided_at = ?, outcome = ?, run_id = ?, "
      + "detail = ? WHERE script_id = ? AND fire_time = ?";
  private static final String PAGE = "SELECT script_id, fire_time, decided_at, outcome, run_id, detail "
      + "FROM schedule_fires WHERE script_id = ? AND fire_time < ? "
      + "AND (outcome IS NOT NULL OR decided_at < ?) ORDER BY fire_time DESC LIMIT ?";
  private static final String PRUNE = "DELETE FROM schedule_fires WHERE fire_time < ?";

  private final Database db;
  private final String claim;

  ScheduleLedgerStore(Database db) {
    this.db = db;
    SqlDialect sql = db.dialect();
    // the primary key is the fence: an existing row is left alone, and the caller fires only for new rows
    this.claim = "INSERT INTO schedule_fires "
        + "(script_id, fire_time, decided_at, outcome, run_id, detail) SELECT " + sql.typed("text") + ", "
        + sql.typed("bigint") + ", " + sql.typed("bigint") + ", " + sql.typed("text") + ", " + sql.typed("text")
        + ", " + sql.typed("text") + " "
        // a script deleted meanwhile gets no rows
        + "WHERE EXISTS (SELECT 1 FROM scripts WHERE id = ?) "
        + "ON CONFLICT (script_id, fire_time) DO NOTHING";
  }

  Future<ScheduleFire.Batch> claim(ScheduleFire.Batch batch) {
    return db.write(conn -> {
      List<ScheduleFire> added = new ArrayList<>();
      Future<Void> chain = Future.succeededFuture();
      for (ScheduleFire fire : batch.items()) {
        chain = chain.compose(v -> conn.preparedQuery(claim).execute(Tuple.from(new Object[] {fire.scriptId(),
                fire.fireTime().toEpochMilli(), fire.decidedAt().toEpochMilli(), fire.outcome(), fire.runId(),
                fire.detail(), fire.scriptId()}))
            .map(rows -> {
              if (rows.rowCount() > 0) {
                added.add(fire);
              }
              return null;
            }));
      }
      return chain.map(v -> new ScheduleFire.Batch(added));
    });
  }

  Future<ScheduleFire> decide(ScheduleFire fire) {
    return db.write(conn -> conn.preparedQuery(DECIDE).execute(Tuple.of(fire.decidedAt().toEpochMilli(),
        fire.outcome(), fire.runId(), fire.detail(), fire.scriptId(), fire.fireTime().toEpochMilli())))
        .map(fire);
  }

  Future<ScheduleFire.Page> page(ScheduleFire.Query query) {
    long before;
    try {
      before = query.cursor() == null || query.cursor().isEmpty() ? Long.MAX_VALUE : decode(query.cursor());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new BusFailure(ReplyCodes.BAD_REQUEST,
          "cursor is not valid; pass back the next_cursor of a previous page"));
    }
    int limit = query.limit() <= 0 ? DEFAULT_PAGE : Math.min(query.limit(), MAX_PAGE);
    long undecidedBefore = System.currentTimeMillis() - UNDECIDED_AFTER_MS;
    return db.reader().preparedQuery(PAGE).execute(Tuple.of(query.scriptId(), before, undecidedBefore, limit + 1))
        .map(rows -> {
          List<ScheduleFire> items = new ArrayList<>(rows.size());
          for (Row row : rows) {
            String outcome = row.getString(3);
            items.add(new ScheduleFire(row.getString(0), Instant.ofEpochMilli(row.getLong(1)),
                Instant.ofEpochMilli(row.getLong(2)), outcome == null ? ScheduleFire.FAILED_TO_START : outcome,
                row.getString(4), outcome == null ? LOST_DETAIL : row.getString(5)));
          }
          if (items.size() <= limit) {
            return new ScheduleFire.Page(items, null);
          }
          List<ScheduleFire> page = items.subList(0, limit);
          return new ScheduleFire.Page(page, encode(page.get(limit - 1).fireTime().toEpochMilli()));
        });
  }

  Future<Long> prune(ScheduleFire.Prune prune) {
    return db.write(conn -> conn.preparedQuery(PRUNE).execute(Tuple.of(prune.before().toEpochMilli())))
        .map(rows -> (long) rows.rowCount());
  }

  static String encode(long fireTimeMs) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(("f" + fireTimeMs).getBytes(StandardCharsets.UTF_8));
  }

  /** Parses a cursor made by {@link #encode}; throws IllegalArgumentException otherwise. */
  static long decode(String cursor) {
    String plain = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    if (!plain.startsWith("f")) {
      throw new IllegalArgumentException("not a ledger cursor");
    }
    return Long.parseLong(plain.substring(1));
  }
}
