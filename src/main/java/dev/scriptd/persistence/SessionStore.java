package dev.scriptd.persistence;

import dev.scriptd.auth.Role;
import dev.scriptd.auth.SsoSession;
import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.ReplyCodes;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;

/** The sessions table (single sign-on): hashes only. Writes go through {@link Database#write}. */
final class SessionStore {
  private static final String COLUMNS = "hash, subject, name, role, created_at, expires_at";

  private final Database db;

  SessionStore(Database db) {
    this.db = db;
  }

  /** Stores a new session; the expired ones go in the same transaction, so the table stays small. */
  Future<SsoSession> save(SsoSession session) {
    return db.write(conn -> conn.preparedQuery("DELETE FROM sessions WHERE expires_at <= ?")
            .execute(Tuple.of(session.createdAt().toEpochMilli()))
            .compose(purged -> conn.preparedQuery("INSERT INTO sessions (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)")
                .execute(Tuple.of(session.hash(), session.subject(), session.name(), session.role().wire(),
                    session.createdAt().toEpochMilli(), session.expiresAt().toEpochMilli()))))
        .map(session);
  }

  /** The live session of this hash; 404 when there is none or it has expired. */
  Future<SsoSession> find(String hash) {
    return db.reader().preparedQuery("SELECT " + COLUMNS + " FROM sessions WHERE hash = ? AND expires_at > ?")
        .execute(Tuple.of(hash, System.currentTimeMillis()))
        .map(rows -> {
          Role role = rows.size() == 0 ? null : Role.fromWire(rows.iterator().next().getString("role"));
          if (role == null) {
            throw new BusFailure(ReplyCodes.NOT_FOUND, "no such session");
          }
          return fromRow(rows.iterator().next(), role);
        });
  }

  Future<Boolean> delete(String hash) {
    return db.write(conn -> conn.preparedQuery("DELETE FROM sessions WHERE hash = ?").execute(Tuple.of(hash)))
        .map(result -> result.rowCount() > 0);
  }

  private static SsoSession fromRow(Row row, Role role) {
    return new SsoSession(row.getString("hash"), row.getString("subject"), row.getString("name"), role,
        Instant.ofEpochMilli(row.getLong("created_at")), Instant.ofEpochMilli(row.getLong("expires_at")));
  }
}
