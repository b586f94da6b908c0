package dev.scriptd.persistence;

import dev.scriptd.bus.BusFailure;
import dev.scriptd.config.ScriptdConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The storage every store uses: {@link SqliteDatabase} (the default, a file in the data dir) or
 * {@link PostgresDatabase} ({@code database.url}). Statements are written with JDBC {@code ?}
 * placeholders; where the two SQL dialects differ, the stores take the text from {@link #dialect()}.
 */
interface Database {
  /** Where the data lives, for log lines and errors: a file path, or a URL without its password. */
  String describe();

  SqlDialect dialect();

  /** Whether the disk was found full: every write fails at once meanwhile (507). */
  boolean diskFull();

  /** The 507 of a write while the disk is full. */
  BusFailure diskFullRefusal();

  /** Called (on the context that opened the database) when the disk has room again after being full. */
  void onRoomAgain(Runnable listener);

  /** Runs a write in one transaction. Every write goes through here or {@link #writeBatches}. */
  <T> Future<T> write(Function<SqlConnection, Future<T>> work);

  /** Runs work in a transaction and rolls it back whatever happens: a preview of writes. */
  <T> Future<T> rolledBack(Function<SqlConnection, Future<T>> work);

  /** The pool reads go through. */
  Pool reader();

  /**
   * Where reads of one row by its primary key go (a run by id): statements that each take
   * PostgreSQL microseconds, so they may queue behind one another on a connection. By default the
   * {@link #reader()} pool.
   */
  default SqlClient lookups() {
    return reader();
  }

  /** Runs batches (one execution a parameter row) in one transaction. */
  default Future<Void> writeBatches(Vertx vertx, List<Batch> batches) {
    return writeCounted(vertx, batches).mapEmpty();
  }

  /**
   * {@link #writeBatches}, answering how many rows each parameter row of the first batch changed
   * (in the order of its rows): an upsert whose update a condition refused changed none.
   */
  Future<int[]> writeCounted(Vertx vertx, List<Batch> batches);

  /** Gives space freed by deletions back where the storage can (SQLite: incremental vacuum). */
  Future<Void> reclaimSpace(Vertx vertx);

  /** How many bytes the database takes now, as the writer sees it (cleanup's freed bytes). */
  Future<Long> sizeBytes();

  /** Whether {@code error} says another process held the write lock (SQLite only). */
  boolean isLocked(Throwable error);

  /**
   * Whether {@code error} says the database did not take a write now but may later (no connection,
   * shut down, too many clients, another process's lock): a run's final save waits and tries again
   * rather than leave the run {@code running} for good.
   */
  boolean isTransient(Throwable error);

  /** The 503 message of a write that met {@link #isLocked another process's lock}. */
  String lockedMessage();

  /**
   * The health check: completes with {@code database: UP} and a {@code lock} object, or fails with
   * a 503 {@link BusFailure} saying why the database does not answer.
   */
  Future<JsonObject> health(Vertx vertx);

  Future<Void> close();

  /** A statement and the parameter rows it runs with, one execution a row. */
  record Batch(String sql, List<Tuple> rows) {
  }

  /** SQLite in the data dir, or PostgreSQL when {@code database.url} is set. */
  static Future<Database> open(Vertx vertx, ScriptdConfig.Storage storage) {
    if (storage.databaseUrl() != null) {
      return PostgresDatabase.open(vertx, storage).map(db -> (Database) db);
    }
    return SqliteDatabase.open(vertx, storage).map(db -> (Database) db);
  }

  record Migration(int version, String name, List<String> statements) {
  }

  /** The SQLite migrations, in version order. */
  static List<Migration> loadMigrations() throws IOException {
    return loadMigrations(SqliteDatabase.MIGRATIONS);
  }

  /**
   * Reads every migration the INDEX of {@code folder} lists, in version order. Gaps are allowed
   * (parallel branches take numbers independently and their INDEX lines merge); each version is
   * applied once.
   */
  static List<Migration> loadMigrations(String folder) throws IOException {
    Pattern migrationName = Pattern.compile("V(\\d{3})__[A-Za-z0-9_]+\\.sql");
    List<String> names = readResource(folder + "INDEX").lines()
        .map(String::trim).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
    List<Migration> found = new ArrayList<>();
    for (String name : names) {
      Matcher matcher = migrationName.matcher(name);
      if (!matcher.matches()) {
        throw new IOException("migration name '" + name + "' is not V<nnn>__<words>.sql");
      }
      found.add(new Migration(Integer.parseInt(matcher.group(1)), name,
          statements(readResource(folder + name))));
    }
    return ordered(found);
  }

  /** In version order; the same version listed twice is an error. */
  static List<Migration> ordered(List<Migration> found) throws IOException {
    List<Migration> sorted = new ArrayList<>(found);
    sorted.sort((a, b) -> Integer.compare(a.version(), b.version()));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).version() == sorted.get(i - 1).version()) {
        throw new IOException("migrations " + sorted.get(i - 1).name() + " and " + sorted.get(i).name()
            + " have the same version");
      }
    }
    return sorted;
  }

  private static String readResource(String name) throws IOException {
    try (InputStream in = Database.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("resource " + name + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Splits a script at semicolons that end a line; comment lines are dropped. */
  static List<String> statements(String script) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\n")) {
      String trimmed = line.trim();
      if (trimmed.isEmpty() || trimmed.startsWith("--")) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        statements.add(current.toString().trim());
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      statements.add(current.toString().trim());
    }
    return statements;
  }
}
