package dev.scriptd.persistence;

import dev.scriptd.bus.AuditQuery;
import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.domain.AuditChainCheck;
import dev.scriptd.domain.AuditRecord;
import dev.scriptd.domain.CanonicalJson;
import dev.scriptd.metrics.ScriptdMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log's one writer, its reader and its checker. Records come in the order the bus
 * delivers them, wait in a bounded queue (full: dropped, counted, logged; a request is never held
 * up), and are chained and written in batches, one transaction at a time, so the chain's order is
 * the table's {@code seq}. A failed batch stays queued and is tried again. {@code audit.days} drops
 * the oldest records (at start and hourly) and stores, as the anchor, the hash the first kept
 * record follows. There is no route to change or delete a record, and run cleanup never reads this
 * table. Used from the persistence verticle's context only.
 */
final class AuditLog {
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
  private static final int BATCH = 500;
  private static final int VERIFY_PAGE = 500;
  private static final long RETRY_MS = 1000;
  private static final long PRUNE_EVERY_MS = TimeUnit.HOURS.toMillis(1);
  private static final long DROP_LOG_EVERY_MS = 60_000;
  private static final int DEFAULT_PAGE = 50;
  private static final int MAX_PAGE = 1000;

  static final String COLUMNS = "seq, id, at, actor_type, actor_id, actor_name, action, target, result, status, "
      + "ip, details, prev_hash, hash";
  static final String INSERT = "INSERT INTO audit (id, at, actor_type, actor_id, actor_name, action, target, "
      + "result, status, ip, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String LAST_HASH = "SELECT hash FROM audit ORDER BY seq DESC LIMIT 1";
  private static final String ANCHOR = "SELECT prev_hash FROM audit_anchor WHERE id = 1";
  private static final String LAST_TOO_OLD = "SELECT seq, hash FROM audit WHERE seq = "
      + "(SELECT MAX(seq) FROM audit WHERE at < ?)";
  private static final String DROP = "DELETE FROM audit WHERE seq <= ?";
  private static final String SET_ANCHOR = "INSERT INTO audit_anchor (id, prev_hash, dropped, updated_at) "
      + "VALUES (1, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET prev_hash = excluded.prev_hash, "
      + "dropped = audit_anchor.dropped + excluded.dropped, updated_at = excluded.updated_at";
  private static final String VERIFY_PAGE_SQL = "SELECT " + COLUMNS + " FROM audit WHERE seq > ? ORDER BY seq LIMIT ?";

  private final Vertx vertx;
  private final Database db;
  private final ScriptdMetrics metrics;
  private final ScriptdConfig.Audit settings;
  /** Records not yet committed, oldest first; the head ones are in flight while {@link #writing}. */
  private final ArrayDeque<AuditRecord> queue = new ArrayDeque<>();
  private final List<Promise<Void>> settledWaiters = new ArrayList<>();
  /** The hash the next record follows; null until loaded. */
  private String lastHash;
  private boolean writing;
  private boolean stopped;
  private long retryTimer = -1;
  private long pruneTimer = -1;
  private long droppedSinceLog;
  private long lastDropLogAt;

  AuditLog(Vertx vertx, Database db, ScriptdMetrics metrics, ScriptdConfig.Audit settings) {
    this.vertx = vertx;
    this.db = db;
    this.metrics = metrics;
    this.settings = settings;
  }

  /** Drops what {@code audit.days} no longer keeps, then finds the chain's end. */
  Future<Void> start() {
    return prune().recover(e -> {
      LOG.warn("could not drop old audit records; trying again in an hour", e);
      return Future.succeededFuture(0L);
    }).compose(ignored -> loadLastHash()).map(hash -> {
      lastHash = hash;
      pruneTimer = vertx.setPeriodic(PRUNE_EVERY_MS, id -> prune()
          .onFailure(e -> LOG.warn("could not drop old audit records", e)));
      flush();
      return null;
    });
  }

  private Future<String> loadLastHash() {
    return db.reader().query(LAST_HASH).execute().compose(rows -> {
      if (rows.size() > 0) {
        return Future.succeededFuture(rows.iterator().next().getString("hash"));
      }
      return db.reader().query(ANCHOR).execute().map(anchor -> anchor.size() > 0
          ? anchor.iterator().next().getString("prev_hash") : AuditRecord.GENESIS);
    });
  }

  /** Queues an unchained record; when the queue is full it is dropped and counted instead. */
  void append(AuditRecord record) {
    if (stopped || queue.size() >= settings.maxQueued()) {
      metrics.auditDropped();
      droppedSinceLog++;
      long now = System.currentTimeMillis();
      if (now - lastDropLogAt >= DROP_LOG_EVERY_MS) {
        LOG.warn("audit log queue full ({} records, audit.max_queued): dropped {} record(s), the last {} {}",
            queue.size(), droppedSinceLog, record.action(), record.target());
        lastDropLogAt = now;
        droppedSinceLog = 0;
      }
      return;
    }
    queue.add(record);
    flush();
  }

  private void flush() {
    if (writing || lastHash == null || queue.isEmpty() || retryTimer >= 0) {
      if (!writing && queue.isEmpty()) {
        settledNow();
      }
      return;
    }
    writing = true;
    List<AuditRecord> batch = new ArrayList<>(Math.min(BATCH, queue.size()));
    List<Tuple> rows = new ArrayList<>(batch.size());
    String previous = lastHash;
    Iterator<AuditRecord> waiting = queue.iterator();
    while (waiting.hasNext() && batch.size() < BATCH) {
      AuditRecord chained = waiting.next().chained(previous);
      batch.add(chained);
      rows.add(row(chained));
      previous = chained.hash();
    }
    db.writeBatches(vertx, List.of(new Database.Batch(INSERT, rows))).onComplete(ar -> {
      writing = false;
      if (ar.succeeded()) {
        for (int i = 0; i < batch.size(); i++) {
          queue.poll();
        }
        lastHash = batch.get(batch.size() - 1).hash();
        metrics.auditWritten(batch.size());
        flush();
      } else if (!stopped) {
        // nothing of the batch was stored: the same records are chained again from the same hash
        LOG.warn("could not write {} audit record(s); trying again in {} ms", batch.size(), RETRY_MS, ar.cause());
        retryTimer = vertx.setTimer(RETRY_MS, id -> {
          retryTimer = -1;
          flush();
        });
      } else {
        settledNow();
      }
    });
  }

  private static Tuple row(AuditRecord record) {
    return Tuple.from(new Object[] {record.id(), record.at().toEpochMilli(), record.actorType(), record.actorId(),
        record.actorName(), record.action(), record.target(), record.result(), record.status(), record.ip(),
        CanonicalJson.encode(record.details()), record.prevHash(), record.hash()});
  }

  private void settledNow() {
    List<Promise<Void>> waiters = new ArrayList<>(settledWaiters);
    settledWaiters.clear();
    waiters.forEach(Promise::tryComplete);
  }

  /** Completes once every record queued so far is written (or, after {@link #stop}, given up). */
  Future<Void> settled() {
    if (!writing && (queue.isEmpty() || stopped)) {
      return Future.succeededFuture();
    }
    Promise<Void> promise = Promise.promise();
    settledWaiters.add(promise);
    return promise.future();
  }

  /**
   * Writes what is queued (waiting at most {@code waitMs}), then takes no more records: the
   * database is about to close.
   */
  Future<Void> close(long waitMs) {
    vertx.cancelTimer(pruneTimer);
    return settled().timeout(waitMs, TimeUnit.MILLISECONDS).recover(e -> {
      LOG.warn("{} audit record(s) were not written before the stop", queue.size());
      return Future.succeededFuture();
    }).onComplete(ar -> {
      stopped = true;
      vertx.cancelTimer(retryTimer);
      settledNow();
    });
  }

  /** Drops the records older than {@code audit.days}; the number dropped. */
  Future<Long> prune() {
    long cutoff = System.currentTimeMillis() - TimeUnit.DAYS.toMillis(settings.days());
    return db.write(conn -> conn.preparedQuery(LAST_TOO_OLD).execute(Tuple.of(cutoff)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(0L);
      }
      Row last = rows.iterator().next();
      long seq = last.getLong("seq");
      String hash = last.getString("hash");
      return conn.preparedQuery(DROP).execute(Tuple.of(seq)).compose(deleted -> {
        long count = deleted.rowCount();
        return conn.preparedQuery(SET_ANCHOR).execute(Tuple.of(hash, count, System.currentTimeMillis()))
            .map(v -> count);
      });
    })).onSuccess(count -> {
      if (count > 0) {
        LOG.info("dropped {} audit record(s) older than {} days (audit.days)", count, settings.days());
      }
    });
  }

  // ---- reading

  /** One page, newest first. */
  Future<JsonObject> list(AuditQuery query) {
    Long before;
    try {
      before = query.cursor() == null || query.cursor().isEmpty() ? null : decodeCursor(query.cursor());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new BusFailure(ReplyCodes.BAD_REQUEST,
          "cursor is not valid; pass back the next_cursor of a previous page"));
    }
    int limit = query.limit() <= 0 ? DEFAULT_PAGE : Math.min(query.limit(), MAX_PAGE);
    StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM audit WHERE 1 = 1");
    Tuple params = Tuple.tuple();
    if (query.actor() != null) {
      // by type too: anonymous, scheduler and chain actors have no name or id to be found by
      sql.append(" AND (actor_name = ? OR actor_id = ? OR actor_type = ?)");
      params.addString(query.actor()).addString(query.actor()).addString(query.actor());
    }
    if (query.action() != null) {
      sql.append(" AND action = ?");
      params.addString(query.action());
    }
    if (query.result() != null) {
      sql.append(" AND result = ?");
      params.addString(query.result());
    }
    if (query.from() != null) {
      sql.append(" AND at >= ?");
      params.addLong(query.from().toEpochMilli());
    }
    if (query.to() != null) {
      sql.append(" AND at < ?");
      params.addLong(query.to().toEpochMilli());
    }
    if (before != null) {
      sql.append(" AND seq < ?");
      params.addLong(before);
    }
    sql.append(" ORDER BY seq DESC LIMIT ?");
    params.addInteger(limit + 1);
    return db.reader().preparedQuery(sql.toString()).execute(params).map(rows -> {
      JsonArray items = new JsonArray();
      Long lastSeq = null;
      String next = null;
      for (Row row : rows) {
        if (items.size() == limit) {
          next = encodeCursor(lastSeq);
          break;
        }
        items.add(record(row).toJson());
        lastSeq = row.getLong("seq");
      }
      return new JsonObject().put("items", items).put("next_cursor", next);
    });
  }

  /**
   * Walks the chain from its anchor, oldest first, a page of rows at a time; each page is hashed on
   * a worker, so a long log never holds the event loop.
   */
  Future<JsonObject> verify() {
    return db.reader().query(ANCHOR).execute().compose(anchor -> {
      String start = anchor.size() > 0 ? anchor.iterator().next().getString("prev_hash") : AuditRecord.GENESIS;
      return verifyFrom(new AuditChainCheck(start), 0);
    });
  }

  private Future<JsonObject> verifyFrom(AuditChainCheck check, long afterSeq) {
    return db.reader().preparedQuery(VERIFY_PAGE_SQL).execute(Tuple.of(afterSeq, VERIFY_PAGE)).compose(rows -> {
      List<Row> page = new ArrayList<>(rows.size());
      rows.forEach(page::add);
      return vertx.executeBlocking(() -> checkPage(check, page), false).compose(good -> {
        if (!good) {
          return Future.succeededFuture(new JsonObject().put("ok", false).put("first_bad_id", check.firstBadId()));
        }
        if (page.size() < VERIFY_PAGE) {
          return Future.succeededFuture(new JsonObject().put("ok", true).put("records", check.records()));
        }
        return verifyFrom(check, page.get(page.size() - 1).getLong("seq"));
      });
    });
  }

  private static boolean checkPage(AuditChainCheck check, List<Row> page) {
    for (Row row : page) {
      AuditRecord record;
      try {
        record = record(row);
      } catch (RuntimeException e) {
        // a row no record can come from (details that are not JSON, a missing field): changed outside
        record = AuditRecord.of(row.getString("id") == null ? "seq:" + row.getLong("seq") : row.getString("id"),
            Instant.EPOCH, "anonymous", null, null, "?", null, "error", null, null, null);
      }
      if (!check.next(record)) {
        return false;
      }
    }
    return true;
  }

  static AuditRecord record(Row row) {
    return new AuditRecord(row.getString("id"), Instant.ofEpochMilli(row.getLong("at")), row.getString("actor_type"),
        row.getString("actor_id"), row.getString("actor_name"), row.getString("action"), row.getString("target"),
        row.getString("result"), row.getInteger("status"), row.getString("ip"), new JsonObject(row.getString("details")),
        row.getString("prev_hash"), row.getString("hash"));
  }

  static String encodeCursor(long seq) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(("a:" + seq).getBytes(StandardCharsets.UTF_8));
  }

  /** The seq a cursor made by {@link #encodeCursor} stands for; IllegalArgumentException otherwise. */
  static long decodeCursor(String cursor) {
    String plain = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    if (!plain.startsWith("a:")) {
      throw new IllegalArgumentException("not an audit cursor");
    }
    return Long.parseLong(plain.substring(2));
  }
}
