package dev.scriptd.persistence;

import dev.scriptd.bus.BusFailure;
import dev.scriptd.domain.Times;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The notification outbox (notifications, V011): one row per delivery of a run's end to a
 * receiver, written when the run owner decides it and kept until a cleanup of its run. The notifier
 * reads the due rows and writes back each attempt's outcome, so an undelivered row survives a restart.
 */
final class NotificationStore {
  private static final int DEFAULT_PAGE = 50;
  private static final int MAX_PAGE = 1000;
  private static final String COLUMNS = "id, run_id, event, url, secret, headers, body, status, attempts, "
      + "last_status_code, last_error, next_attempt_at, delivered_at, created_at";
  private static final String DUE = "SELECT " + COLUMNS + " FROM notifications WHERE status = 'pending' "
      + "AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?";
  private static final String NEXT = "SELECT MIN(next_attempt_at) FROM notifications WHERE status = 'pending'";
  private static final String UPDATE = "UPDATE notifications SET status = ?, attempts = ?, last_status_code = ?, "
      + "last_error = ?, next_attempt_at = ?, delivered_at = ? WHERE id = ?";

  private final Database db;
  private final String insert;

  NotificationStore(Database db) {
    this.db = db;
    this.insert = db.dialect().insertOrIgnore("notifications (" + COLUMNS
        + ") VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, NULL, NULL, ?, NULL, ?)");
  }

  Future<Void> add(JsonObject body) {
    JsonArray items = body.getJsonArray("items", new JsonArray());
    if (items.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> rows = new ArrayList<>(items.size());
    long now = System.currentTimeMillis();
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      JsonObject headers = item.getJsonObject("headers");
      rows.add(Tuple.from(new Object[] {item.getString("id"), item.getString("run_id"), item.getString("event"),
          item.getString("url"), item.getString("secret"), headers == null ? null : headers.encode(),
          item.getString("body"), item.getLong("next_attempt_at", now), now}));
    }
    return db.write(conn -> conn.preparedQuery(insert).executeBatch(rows)).mapEmpty();
  }

  Future<JsonObject> due(JsonObject body) {
    int limit = Math.max(1, Math.min(body == null ? 20 : body.getInteger("limit", 20), 200));
    return db.reader().preparedQuery(DUE).execute(Tuple.of(System.currentTimeMillis(), limit)).map(rows -> {
      JsonArray items = new JsonArray();
      for (Row row : rows) {
        items.add(internal(row));
      }
      return new JsonObject().put("items", items);
    });
  }

  Future<JsonObject> next() {
    return db.reader().query(NEXT).execute().map(rows -> {
      Row row = rows.iterator().next();
      return new JsonObject().put("next_attempt_at", row.getLong(0));
    });
  }

  Future<Void> update(JsonObject body) {
    return db.write(conn -> conn.preparedQuery(UPDATE).execute(Tuple.from(new Object[] {body.getString("status"),
        body.getInteger("attempts"), body.getInteger("last_status_code"), body.getString("last_error"),
        body.getLong("next_attempt_at"), body.getLong("delivered_at"), body.getString("id")}))).mapEmpty();
  }

  /** GET /api/notifications: newest first, keyset paging on (created_at, id). */
  Future<JsonObject> list(JsonObject body) {
    int limit = body.getInteger("limit", DEFAULT_PAGE);
    limit = limit <= 0 ? DEFAULT_PAGE : Math.min(limit, MAX_PAGE);
    StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM notifications WHERE 1 = 1");
    Tuple params = Tuple.tuple();
    if (body.getString("run_id") != null) {
      sql.append(" AND run_id = ?");
      params.addString(body.getString("run_id"));
    }
    if (body.getString("status") != null) {
      sql.append(" AND status = ?");
      params.addString(body.getString("status"));
    }
    RunCursor after;
    try {
      after = RunCursor.after(body.getString("cursor"));
    } catch (BusFailure invalid) {
      return Future.failedFuture(invalid);
    }
    if (after != null) {
      sql.append(" AND (created_at, id) < (?, ?)");
      params.addLong(after.createdAtMs()).addString(after.id());
    }
    sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?");
    params.addInteger(limit + 1);
    int pageSize = limit;
    return db.reader().preparedQuery(sql.toString()).execute(params).map(rows -> {
      JsonArray items = new JsonArray();
      String next = null;
      long lastCreated = 0;
      String lastId = null;
      for (Row row : rows) {
        if (items.size() == pageSize) {
          next = new RunCursor(lastCreated, lastId).encode();
          break;
        }
        items.add(shown(row));
        lastCreated = row.getLong("created_at");
        lastId = row.getString("id");
      }
      return new JsonObject().put("items", items).put("next_cursor", next);
    });
  }

  /** A row as the notifier needs it: with the full url, the secret, the headers and the body. */
  private static JsonObject internal(Row row) {
    String headers = row.getString("headers");
    return new JsonObject()
        .put("id", row.getString("id"))
        .put("run_id", row.getString("run_id"))
        .put("event", row.getString("event"))
        .put("url", row.getString("url"))
        .put("secret", row.getString("secret"))
        .put("headers", headers == null ? new JsonObject() : new JsonObject(headers))
        .put("body", row.getString("body"))
        .put("attempts", row.getInteger("attempts"));
  }

  /** A row as the API shows it: no secret, no headers, the url without its query string. */
  private static JsonObject shown(Row row) {
    return new JsonObject()
        .put("id", row.getString("id"))
        .put("run_id", row.getString("run_id"))
        .put("url", withoutQuery(row.getString("url")))
        .put("event", row.getString("event"))
        .put("status", row.getString("status"))
        .put("attempts", row.getInteger("attempts"))
        .put("last_status_code", row.getInteger("last_status_code"))
        .put("last_error", row.getString("last_error"))
        .put("next_attempt_at", Times.format(instant(row.getLong("next_attempt_at"))))
        .put("delivered_at", Times.format(instant(row.getLong("delivered_at"))));
  }

  /** The url with its query string (and fragment, and any user:password) removed: tokens often ride there. */
  static String withoutQuery(String url) {
    try {
      URI uri = URI.create(url);
      return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null).toString();
    } catch (IllegalArgumentException | java.net.URISyntaxException e) {
      int cut = url.indexOf('?');
      return cut < 0 ? url : url.substring(0, cut);
    }
  }

  private static Instant instant(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }
}
