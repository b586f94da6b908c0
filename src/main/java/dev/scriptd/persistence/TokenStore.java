package dev.scriptd.persistence;

import dev.scriptd.auth.ApiToken;
import dev.scriptd.auth.Role;
import dev.scriptd.auth.TokenList;
import dev.scriptd.auth.TokenUse;
import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.ReplyCodes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The tokens table: hashes only. Writes go through {@link Database#write}. */
final class TokenStore {
  private static final String COLUMNS = "id, name, role, hash, created_at, last_used_at";

  private final Database db;

  TokenStore(Database db) {
    this.db = db;
  }

  Future<ApiToken> save(ApiToken token) {
    return db.write(conn -> conn.preparedQuery("INSERT INTO tokens (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)")
            .execute(Tuple.of(token.id(), token.name(), token.role().wire(), token.hash(),
                token.createdAt().toEpochMilli(), millis(token.lastUsedAt()))))
        .map(token);
  }

  Future<TokenList> list() {
    return db.reader().query("SELECT " + COLUMNS + " FROM tokens ORDER BY created_at, id").execute()
        .map(rows -> {
          List<ApiToken> tokens = new ArrayList<>(rows.size());
          rows.forEach(row -> tokens.add(fromRow(row)));
          return new TokenList(tokens);
        });
  }

  /** GET /api/tokens: oldest first, keyset paging on (created_at, id). */
  Future<JsonObject> page(JsonObject body) {
    int limit = Math.max(1, Math.min(body.getInteger("limit", 50), 1000));
    StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM tokens");
    Tuple params = Tuple.tuple();
    RunCursor after;
    try {
      after = RunCursor.after(body.getString("cursor"));
    } catch (BusFailure invalid) {
      return Future.failedFuture(invalid);
    }
    if (after != null) {
      sql.append(" WHERE (created_at, id) > (?, ?)");
      params.addLong(after.createdAtMs()).addString(after.id());
    }
    sql.append(" ORDER BY created_at, id LIMIT ?");
    params.addInteger(limit + 1);
    return db.reader().preparedQuery(sql.toString()).execute(params).map(rows -> {
      JsonArray items = new JsonArray();
      String next = null;
      ApiToken last = null;
      for (Row row : rows) {
        if (items.size() == limit) {
          next = new RunCursor(last.createdAt().toEpochMilli(), last.id()).encode();
          break;
        }
        last = fromRow(row);
        items.add(last.toJson());
      }
      return new JsonObject().put("items", items).put("next_cursor", next);
    });
  }

  Future<ApiToken> find(String hash) {
    return db.reader().preparedQuery("SELECT " + COLUMNS + " FROM tokens WHERE hash = ?").execute(Tuple.of(hash))
        .map(rows -> {
          if (rows.size() == 0) {
            throw new BusFailure(ReplyCodes.NOT_FOUND, "no such token");
          }
          return fromRow(rows.iterator().next());
        });
  }

  /** Deletes the token; the last admin token cannot go (nobody could manage tokens then). */
  Future<ApiToken> delete(String id) {
    return db.write(conn -> conn.preparedQuery("SELECT " + COLUMNS + " FROM tokens WHERE id = ?").execute(Tuple.of(id))
        .compose(rows -> {
          if (rows.size() == 0) {
            throw new BusFailure(ReplyCodes.NOT_FOUND, "token " + id + " not found; list them with GET /api/tokens");
          }
          ApiToken token = fromRow(rows.iterator().next());
          return conn.preparedQuery("SELECT count(*) FROM tokens WHERE role = ? AND id <> ?")
              .execute(Tuple.of(Role.ADMIN.wire(), id))
              .compose(admins -> {
                if (token.role() == Role.ADMIN && admins.iterator().next().getLong(0) == 0) {
                  throw new BusFailure(ReplyCodes.CONFLICT,
                      "token " + id + " is the last admin token; create another admin token first");
                }
                return conn.preparedQuery("DELETE FROM tokens WHERE id = ?").execute(Tuple.of(id));
              })
              .map(token);
        }));
  }

  /**
   * Replaces every admin token by {@code admin} in one transaction and answers the revoked tokens
   * (for the HTTP instances to forget them).
   */
  Future<TokenList> replaceAdmins(ApiToken admin) {
    return db.write(conn -> conn.preparedQuery("SELECT " + COLUMNS + " FROM tokens WHERE role = ?")
        .execute(Tuple.of(Role.ADMIN.wire()))
        .compose(rows -> {
          List<ApiToken> revoked = new ArrayList<>(rows.size());
          rows.forEach(row -> revoked.add(fromRow(row)));
          return conn.preparedQuery("DELETE FROM tokens WHERE role = ?").execute(Tuple.of(Role.ADMIN.wire()))
              .compose(deleted -> conn.preparedQuery("INSERT INTO tokens (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)")
                  .execute(Tuple.of(admin.id(), admin.name(), admin.role().wire(), admin.hash(),
                      admin.createdAt().toEpochMilli(), null)))
              .map(new TokenList(revoked));
        }));
  }

  Future<Void> touch(TokenUse use) {
    return db.write(conn -> conn.preparedQuery("UPDATE tokens SET last_used_at = ? WHERE id = ?")
        .execute(Tuple.of(use.at().toEpochMilli(), use.id()))).mapEmpty();
  }

  private static ApiToken fromRow(Row row) {
    Long lastUsed = row.getLong("last_used_at");
    return new ApiToken(row.getString("id"), row.getString("name"), Role.fromWire(row.getString("role")),
        row.getString("hash"), Instant.ofEpochMilli(row.getLong("created_at")),
        lastUsed == null ? null : Instant.ofEpochMilli(lastUsed));
  }

  private static Long millis(Instant instant) {
    return instant == null ? null : instant.toEpochMilli();
  }
}
