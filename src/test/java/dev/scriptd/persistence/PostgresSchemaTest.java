package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.it.PostgresServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the two schemas in step: the PostgreSQL migrations, applied statement by statement as the
 * migration runner does, must give every table, column, unique constraint and named index that the
 * SQLite migrations give, with matching types. A migration added on one side only fails here.
 */
@ExtendWith(VertxExtension.class)
class PostgresSchemaTest {
  static final String FOLDER = "db/migration/postgresql/";
  private static final Pattern NAME = Pattern.compile("V(\\d{3})__[a-z0-9_]+\\.sql");

  @TempDir
  Path tempDir;

  @Test
  void postgresMigrationsGiveEveryTableColumnUniqueKeyAndIndexOfTheSqliteSchema(Vertx vertx) throws Exception {
    Schema sqlite = sqliteSchema(tempDir.resolve("schema.db"));
    Schema postgres;
    PgConnection conn = PgConnection.connect(vertx,
        PgConnectOptions.fromUri(PostgresServer.shared().newDatabaseUrl())).await(30, TimeUnit.SECONDS);
    try {
      applyMigrations(conn);
      postgres = postgresSchema(conn);
    } finally {
      conn.close().await(30, TimeUnit.SECONDS);
    }

    assertTrue(sqlite.columns().containsKey("runs.id") && sqlite.columns().containsKey("log_search.text"),
        "the SQLite schema was read: " + sqlite.columns().keySet());
    Map<String, String> expected = new TreeMap<>();
    sqlite.columns().forEach((column, type) -> expected.put(column, postgresType(type)));
    // the FTS5 table's rowid (the document's chunk) is a column of its own on PostgreSQL
    expected.put("log_search.doc", "bigint");
    Map<String, String> actual = new TreeMap<>(postgres.columns());
    Set<String> differing = new TreeSet<>();
    for (String column : union(expected.keySet(), actual.keySet())) {
      if (!String.valueOf(expected.get(column)).equals(String.valueOf(actual.get(column)))) {
        differing.add(column + ": SQLite " + expected.get(column) + ", PostgreSQL " + actual.get(column));
      }
    }
    assertEquals(Set.of(), differing, "tables.columns and their types");
    assertTrue(postgres.uniqueKeys().containsAll(sqlite.uniqueKeys()),
        "unique keys missing on PostgreSQL: " + difference(sqlite.uniqueKeys(), postgres.uniqueKeys()));
    assertTrue(postgres.indexes().containsAll(sqlite.indexes()),
        "indexes missing on PostgreSQL: " + difference(sqlite.indexes(), postgres.indexes()));
  }

  @Test
  void postgresMigrationsAreListedAndNumberedLikeTheSqliteOnes() throws Exception {
    List<String> names = index();
    assertEquals("V015__baseline.sql", names.get(0), "the baseline stands for SQLite's versions 1..15");
    int sqliteLast = Database.loadMigrations().get(Database.loadMigrations().size() - 1).version();
    int postgresLast = version(names.get(names.size() - 1));
    assertEquals(sqliteLast, postgresLast, "each later migration has the same number in both folders");
  }

  /** The columns ("table.column" to declared type), unique keys and named indexes. */
  record Schema(Map<String, String> columns, Set<String> uniqueKeys, Set<String> indexes) {
  }

  /** Applies the PostgreSQL migrations in INDEX order, one statement at a time, in one transaction. */
  static void applyMigrations(SqlConnection conn) throws Exception {
    List<String> statements = new ArrayList<>();
    List<String> names = index();
    for (String name : names) {
      statements.addAll(Database.statements(resource(FOLDER + name)));
    }
    conn.query("BEGIN").execute().await(30, TimeUnit.SECONDS);
    for (String statement : statements) {
      conn.query(statement).execute().await(30, TimeUnit.SECONDS);
    }
    conn.query("COMMIT").execute().await(30, TimeUnit.SECONDS);
  }

  static List<String> index() throws IOException {
    return resource(FOLDER + "INDEX").lines().map(String::trim)
        .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
  }

  private static int version(String name) {
    Matcher matcher = NAME.matcher(name);
    assertTrue(matcher.matches(), name);
    return Integer.parseInt(matcher.group(1));
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = PostgresSchemaTest.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("no resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** SQLite's declared types as the PostgreSQL baseline translates them. */
  private static String postgresType(String sqliteType) {
    switch (sqliteType.toUpperCase(Locale.ROOT)) {
      case "INTEGER":
        return "bigint";
      case "BLOB":
        return "bytea";
      case "TEXT":
      case "":
        // FTS5 columns have no declared type; log_search.text holds text on both sides
        return "text";
      default:
        return "no translation for " + sqliteType;
    }
  }

  private static Schema sqliteSchema(Path file) throws Exception {
    Map<String, String> columns = new TreeMap<>();
    Set<String> unique = new TreeSet<>();
    Set<String> indexes = new TreeSet<>();
    try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement statement = conn.createStatement()) {
      for (Database.Migration migration : Database.loadMigrations()) {
        for (String sql : migration.statements()) {
          statement.execute(sql);
        }
      }
      List<String> tables = new ArrayList<>();
      // table_list tells FTS5's shadow tables (type 'shadow') from the schema's own
      try (ResultSet rows = statement.executeQuery("PRAGMA table_list")) {
        while (rows.next()) {
          String type = rows.getString("type");
          String name = rows.getString("name");
          if ("main".equals(rows.getString("schema")) && (type.equals("table") || type.equals("virtual"))
              && !name.startsWith("sqlite_")) {
            tables.add(name);
          }
        }
      }
      for (String table : tables) {
        try (ResultSet rows = statement.executeQuery("PRAGMA table_info(" + table + ")")) {
          while (rows.next()) {
            columns.put(table + "." + rows.getString("name"), rows.getString("type"));
          }
        }
        List<String[]> indexList = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery("PRAGMA index_list(" + table + ")")) {
          while (rows.next()) {
            indexList.add(new String[] {rows.getString("name"), rows.getString("unique"), rows.getString("origin")});
          }
        }
        for (String[] index : indexList) {
          List<String> keyColumns = new ArrayList<>();
          try (ResultSet rows = statement.executeQuery("PRAGMA index_info(" + index[0] + ")")) {
            while (rows.next()) {
              keyColumns.add(rows.getString("name"));
            }
          }
          if ("1".equals(index[1])) {
            unique.add(table + "(" + String.join(",", keyColumns) + ")");
          }
          if ("c".equals(index[2])) {
            indexes.add(index[0]);
          }
        }
        // an INTEGER PRIMARY KEY is the rowid: unique, but in no index_list
        try (ResultSet rows = statement.executeQuery("PRAGMA table_info(" + table + ")")) {
          List<String> keyColumns = new ArrayList<>();
          while (rows.next()) {
            if (rows.getInt("pk") > 0) {
              keyColumns.add(rows.getString("name"));
            }
          }
          if (!keyColumns.isEmpty()) {
            unique.add(table + "(" + String.join(",", keyColumns) + ")");
          }
        }
      }
    }
    return new Schema(columns, unique, indexes);
  }

  private static Schema postgresSchema(SqlConnection conn) throws Exception {
    Map<String, String> columns = new TreeMap<>();
    for (Row row : conn.query("SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c "
        + "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
        + "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'").execute().await(30, TimeUnit.SECONDS)) {
      columns.put(row.getString(0) + "." + row.getString(1), row.getString(2));
    }
    Set<String> unique = new TreeSet<>();
    Set<String> indexes = new TreeSet<>();
    for (Row row : conn.query("SELECT t.relname, i.relname, x.indisunique, "
        + "(SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(x.indkey) WITH ORDINALITY k(attnum, ord) "
        + "JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum) "
        + "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
        + "WHERE t.relnamespace = current_schema()::regnamespace").execute().await(30, TimeUnit.SECONDS)) {
      if (row.getBoolean(2)) {
        unique.add(row.getString(0) + "(" + row.getString(3) + ")");
      }
      indexes.add(row.getString(1));
    }
    return new Schema(columns, unique, indexes);
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new TreeSet<>(a);
    all.addAll(b);
    return all;
  }

  private static Set<String> difference(Set<String> a, Set<String> b) {
    Set<String> rest = new TreeSet<>(a);
    rest.removeAll(b);
    return rest;
  }
}
