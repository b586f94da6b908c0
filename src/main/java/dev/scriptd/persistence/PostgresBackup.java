package dev.scriptd.persistence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.WriteStream;
import io.vertx.sqlclient.Cursor;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consistent backups of a PostgreSQL database while the server runs, as a plain SQL script in
 * pg_dump's format that {@code psql -f} restores into an empty database: the extensions, functions
 * and tables, then each table's rows as a {@code COPY ... FROM stdin} block (pg_dump's text format),
 * then keys, indexes, triggers and the identity sequences' positions (after the rows, as pg_dump
 * does: loading is faster and the triggers do not fire on restored rows).
 *
 * <p>Everything is read in one {@code REPEATABLE READ READ ONLY} transaction, so the script is one
 * committed state, taken without blocking writers. The schema comes from the catalog, not from the
 * migrations, so the script is what the database holds. Rows are read through a cursor a page at a
 * time and each page is written before the next is read: memory stays bounded whatever the size.
 * Values are read as PostgreSQL's own text form ({@code ::text}), which is what COPY reads back.
 */
final class PostgresBackup {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresBackup.class);
  private static final String PREFIX = ".backup-";
  private static final String SUFFIX = ".sql";
  /**
   * Rows per page for tables without binary columns, and for those with: a log chunk holds up to
   * 1 MiB, twice that as hex text, so a page of those stays within a few tens of MiB.
   */
  static final int ROWS_PER_PAGE = 500;
  static final int BINARY_ROWS_PER_PAGE = 4;

  private static final String NAMESPACE = "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())";
  private static final String TABLES = "SELECT c.oid::bigint AS oid, quote_ident(c.relname) AS name FROM pg_class c "
      + "WHERE c.relnamespace = " + NAMESPACE + " AND c.relkind = 'r' ORDER BY c.relname";
  private static final String COLUMNS = "SELECT a.attrelid::bigint AS oid, quote_ident(a.attname) AS name, "
      + "format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null, "
      + "pg_get_expr(d.adbin, d.adrelid) AS default_value, a.attidentity::text AS identity, "
      + "a.attgenerated::text AS generated, a.atttypid = 'bytea'::regtype AS binary "
      + "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
      + "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
      + "WHERE c.relnamespace = " + NAMESPACE + " AND c.relkind = 'r' AND a.attnum > 0 "
      + "AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum";
  private static final String CONSTRAINTS = "SELECT con.conrelid::bigint AS oid, quote_ident(con.conname) AS name, "
      + "con.contype::text AS type, pg_get_constraintdef(con.oid) AS definition "
      + "FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid "
      + "WHERE c.relnamespace = " + NAMESPACE + " AND con.contype IN ('c', 'p', 'u', 'x', 'f') "
      + "ORDER BY c.relname, con.conname";
  private static final String INDEXES = "SELECT pg_get_indexdef(i.indexrelid) AS definition "
      + "FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid "
      + "WHERE c.relnamespace = " + NAMESPACE + " AND NOT EXISTS (SELECT 1 FROM pg_constraint con "
      + "WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')) "
      + "ORDER BY c.relname, ic.relname";
  private static final String TRIGGERS = "SELECT pg_get_triggerdef(t.oid) AS definition FROM pg_trigger t "
      + "JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = " + NAMESPACE + " AND NOT t.tgisinternal "
      + "ORDER BY c.relname, t.tgname";
  private static final String FUNCTIONS = "SELECT pg_get_functiondef(p.oid) AS definition FROM pg_proc p "
      + "WHERE p.pronamespace = " + NAMESPACE + " AND p.prokind IN ('f', 'p') AND NOT EXISTS (SELECT 1 "
      + "FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e') "
      + "ORDER BY p.proname, p.oid";
  private static final String EXTENSIONS = "SELECT quote_ident(extname) AS name FROM pg_extension "
      + "WHERE extname <> 'plpgsql' ORDER BY extname";
  /**
   * The sequences of identity columns, with the column they feed and their position (the schema has
   * no serial columns: their sequences would need a CREATE SEQUENCE of their own).
   */
  private static final String SEQUENCES = "SELECT quote_literal(quote_ident(c.relname)) AS table_literal, "
      + "quote_literal(a.attname) AS column_literal, pg_sequence_last_value(s.oid) AS last_value "
      + "FROM pg_class s JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid "
      + "AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'i' "
      + "JOIN pg_class c ON c.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid "
      + "WHERE s.relkind = 'S' AND c.relnamespace = " + NAMESPACE + " ORDER BY c.relname, a.attname";

  private final Vertx vertx;
  private final Pool pool;
  private final Path dataDir;
  private final int rowsPerPage;
  private final int binaryRowsPerPage;

  PostgresBackup(Vertx vertx, Pool pool, Path dataDir) {
    this(vertx, pool, dataDir, ROWS_PER_PAGE, BINARY_ROWS_PER_PAGE);
  }

  PostgresBackup(Vertx vertx, Pool pool, Path dataDir, int rowsPerPage, int binaryRowsPerPage) {
    this.vertx = vertx;
    this.pool = pool;
    this.dataDir = dataDir.toAbsolutePath();
    this.rowsPerPage = rowsPerPage;
    this.binaryRowsPerPage = binaryRowsPerPage;
  }

  /**
   * Writes a backup into a new owner-only file in the data dir (it holds token hashes and script
   * secrets) and returns its path; the caller streams and deletes it. Buffered log lines are the
   * caller's to write first. A failure deletes the file.
   */
  Future<String> snapshot() {
    Path target = dataDir.resolve(PREFIX + UUID.randomUUID() + SUFFIX);
    return vertx.executeBlocking(() -> Files.createFile(target,
            PosixFilePermissions.asFileAttribute(PrivateFiles.FILE)))
        .compose(created -> vertx.fileSystem().open(target.toString(), new OpenOptions().setWrite(true)))
        .compose(file -> closeAfter(file, dump(file)))
        .map(v -> target.toString())
        .recover(failure -> vertx.executeBlocking(() -> Files.deleteIfExists(target))
            .transform(ignored -> Future.failedFuture(failure)));
  }

  /** The dump's outcome, once the file is closed (a failed close fails a dump that succeeded). */
  private static Future<Void> closeAfter(AsyncFile file, Future<Void> dump) {
    return dump.transform(result -> file.close().compose(
        closed -> result.succeeded() ? Future.<Void>succeededFuture() : Future.<Void>failedFuture(result.cause()),
        closeFailed -> Future.<Void>failedFuture(result.failed() ? result.cause() : closeFailed)));
  }

  /** Deletes backup files a crash left behind. */
  Future<Void> removeLeftovers() {
    return vertx.executeBlocking(() -> {
      try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dataDir, PREFIX + "*" + SUFFIX)) {
        for (Path leftover : leftovers) {
          Files.deleteIfExists(leftover);
          LOG.info("removed {}, a backup left unfinished by an earlier stop", leftover);
        }
      } catch (IOException e) {
        LOG.debug("could not look for unfinished backups in {}", dataDir, e);
      }
      return null;
    });
  }

  /** Writes the backup script to {@code out}, each write awaited before the next read; does not end it. */
  Future<Void> dump(WriteStream<Buffer> out) {
    return pool.getConnection().compose(conn -> conn.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").execute()
        // the text forms COPY reads back, whatever the server's or the role's defaults
        .compose(v -> conn.query("SET LOCAL bytea_output = 'hex'").execute())
        .compose(v -> conn.query("SET LOCAL DateStyle = 'ISO'").execute())
        .compose(v -> conn.query("SET LOCAL IntervalStyle = 'postgres'").execute())
        .compose(v -> conn.query("SET LOCAL extra_float_digits = 3").execute())
        .compose(v -> dump(conn, out))
        .eventually(() -> conn.query("ROLLBACK").execute().eventually(conn::close)));
  }

  private Future<Void> dump(SqlConnection conn, WriteStream<Buffer> out) {
    Catalog catalog = new Catalog();
    return conn.query("SELECT current_schema() AS name, quote_ident(current_schema()) AS quoted, "
            + "current_setting('server_version') AS version").execute()
        .compose(rows -> {
          Row row = rows.iterator().next();
          catalog.schema = row.getString("name");
          catalog.schemaQuoted = row.getString("quoted");
          catalog.serverVersion = row.getString("version");
          return conn.query(TABLES).execute();
        })
        .compose(rows -> {
          for (Row row : rows) {
            catalog.tables.put(row.getLong("oid"), new Table(row.getString("name")));
          }
          return conn.query(COLUMNS).execute();
        })
        .compose(rows -> {
          for (Row row : rows) {
            catalog.tables.get(row.getLong("oid")).columns.add(new Column(row.getString("name"),
                row.getString("type"), row.getBoolean("not_null"), row.getString("default_value"),
                row.getString("identity"), row.getString("generated"), row.getBoolean("binary")));
          }
          return conn.query(CONSTRAINTS).execute();
        })
        .compose(rows -> {
          for (Row row : rows) {
            catalog.tables.get(row.getLong("oid")).constraints.add(new Constraint(row.getString("name"),
                row.getString("type"), row.getString("definition")));
          }
          return Future.all(conn.query(EXTENSIONS).execute(), conn.query(FUNCTIONS).execute());
        })
        .compose(both -> out.write(Buffer.buffer(preData(catalog, both.resultAt(0), both.resultAt(1)))))
        .compose(v -> {
          Future<Void> chain = Future.succeededFuture();
          for (Table table : catalog.tables.values()) {
            chain = chain.compose(w -> copy(conn, table, out));
          }
          return chain;
        })
        .compose(v -> Future.all(conn.query(INDEXES).execute(), conn.query(TRIGGERS).execute(),
            conn.query(SEQUENCES).execute()))
        .compose(all -> out.write(Buffer.buffer(postData(catalog, all.resultAt(0), all.resultAt(1), all.resultAt(2)))));
  }

  private static String preData(Catalog catalog, RowSet<Row> extensions, RowSet<Row> functions) {
    StringBuilder sql = new StringBuilder()
        .append("--\n-- scriptd backup of a PostgreSQL database (PostgreSQL ").append(catalog.serverVersion)
        .append("), one consistent snapshot.\n")
        .append("-- Restore into an empty database, as its owner: psql -v ON_ERROR_STOP=1 -d NEWDB -f THIS_FILE\n--\n\n")
        .append("SET statement_timeout = 0;\nSET lock_timeout = 0;\nSET client_encoding = 'UTF8';\n")
        .append("SET standard_conforming_strings = on;\nSET check_function_bodies = false;\n")
        .append("SET client_min_messages = warning;\n");
    if (!"public".equals(catalog.schema)) {
      sql.append("CREATE SCHEMA IF NOT EXISTS ").append(catalog.schemaQuoted).append(";\n");
    }
    sql.append("SET search_path = ").append(catalog.schemaQuoted).append(", pg_catalog;\n\n");
    for (Row row : extensions) {
      sql.append("CREATE EXTENSION IF NOT EXISTS ").append(row.getString("name")).append(";\n");
    }
    sql.append('\n');
    for (Row row : functions) {
      sql.append(row.getString("definition").strip()).append(";\n\n");
    }
    for (Table table : catalog.tables.values()) {
      sql.append("CREATE TABLE ").append(table.name).append(" (");
      String separator = "\n    ";
      for (Column column : table.columns) {
        sql.append(separator).append(column.name).append(' ').append(column.type);
        if ("s".equals(column.generated)) {
          sql.append(" GENERATED ALWAYS AS (").append(column.defaultValue).append(") STORED");
        } else if ("a".equals(column.identity)) {
          sql.append(" GENERATED ALWAYS AS IDENTITY");
        } else if ("d".equals(column.identity)) {
          sql.append(" GENERATED BY DEFAULT AS IDENTITY");
        } else if (column.defaultValue != null) {
          sql.append(" DEFAULT ").append(column.defaultValue);
        }
        if (column.notNull) {
          sql.append(" NOT NULL");
        }
        separator = ",\n    ";
      }
      for (Constraint constraint : table.constraints) {
        if (constraint.type.equals("c")) {
          sql.append(separator).append("CONSTRAINT ").append(constraint.name).append(' ').append(constraint.definition);
        }
      }
      sql.append("\n);\n\n");
    }
    return sql.toString();
  }

  /** The table's rows as a COPY block, a page at a time. */
  private Future<Void> copy(SqlConnection conn, Table table, WriteStream<Buffer> out) {
    List<String> names = new ArrayList<>();
    List<String> values = new ArrayList<>();
    boolean binary = false;
    for (Column column : table.columns) {
      if (!"s".equals(column.generated)) {
        names.add(column.name);
        values.add(column.name + "::text");
        binary |= column.binary;
      }
    }
    if (names.isEmpty()) {
      return Future.succeededFuture();
    }
    int page = binary ? binaryRowsPerPage : rowsPerPage;
    String header = "COPY " + table.name + " (" + String.join(", ", names) + ") FROM stdin;\n";
    return out.write(Buffer.buffer(header))
        .compose(v -> conn.prepare("SELECT " + String.join(", ", values) + " FROM ONLY " + table.name))
        .compose(statement -> {
          Cursor cursor = statement.cursor();
          return pages(cursor, page, names.size(), out)
              .eventually(cursor::close)
              .eventually(statement::close);
        })
        .compose(v -> out.write(Buffer.buffer("\\.\n\n")));
  }

  private Future<Void> pages(Cursor cursor, int page, int columns, WriteStream<Buffer> out) {
    return cursor.read(page).compose(rows -> {
      StringBuilder lines = new StringBuilder();
      for (Row row : rows) {
        for (int i = 0; i < columns; i++) {
          if (i > 0) {
            lines.append('\t');
          }
          copyValue(lines, row.getString(i));
        }
        lines.append('\n');
      }
      Future<Void> written = lines.length() == 0 ? Future.succeededFuture() : out.write(Buffer.buffer(lines.toString()));
      return written.compose(v -> cursor.hasMore() ? pages(cursor, page, columns, out) : Future.succeededFuture());
    });
  }

  /** A value in COPY's text format: NULL is \N; backslash and the control characters are escaped. */
  static void copyValue(StringBuilder line, String value) {
    if (value == null) {
      line.append("\\N");
      return;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> line.append("\\\\");
        case '\n' -> line.append("\\n");
        case '\r' -> line.append("\\r");
        case '\t' -> line.append("\\t");
        case '\b' -> line.append("\\b");
        case '\f' -> line.append("\\f");
        case '\u000b' -> line.append("\\v");
        default -> line.append(c);
      }
    }
  }

  private static String postData(Catalog catalog, RowSet<Row> indexes, RowSet<Row> triggers, RowSet<Row> sequences) {
    StringBuilder sql = new StringBuilder();
    // keys first (foreign keys need the keys they reference), then the other indexes, then triggers
    for (String types : List.of("pux", "f")) {
      for (Table table : catalog.tables.values()) {
        for (Constraint constraint : table.constraints) {
          if (types.contains(constraint.type)) {
            sql.append("ALTER TABLE ONLY ").append(table.name).append(" ADD CONSTRAINT ").append(constraint.name)
                .append(' ').append(constraint.definition).append(";\n");
          }
        }
      }
    }
    sql.append('\n');
    for (Row row : indexes) {
      sql.append(row.getString("definition")).append(";\n");
    }
    sql.append('\n');
    for (Row row : triggers) {
      sql.append(row.getString("definition")).append(";\n");
    }
    sql.append('\n');
    for (Row row : sequences) {
      Long last = row.getLong("last_value");
      if (last != null) {
        sql.append("SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence(").append(row.getString("table_literal"))
            .append(", ").append(row.getString("column_literal")).append("), ").append(last).append(", true);\n");
      }
    }
    sql.append("\n-- end of the scriptd backup\n");
    return sql.toString();
  }

  private static final class Catalog {
    final Map<Long, Table> tables = new LinkedHashMap<>();
    String schema;
    String schemaQuoted;
    String serverVersion;
  }

  private static final class Table {
    final String name;
    final List<Column> columns = new ArrayList<>();
    final List<Constraint> constraints = new ArrayList<>();

    Table(String name) {
      this.name = name;
    }
  }

  private record Column(String name, String type, boolean notNull, String defaultValue, String identity,
      String generated, boolean binary) {
  }

  private record Constraint(String name, String type, String definition) {
  }
}
