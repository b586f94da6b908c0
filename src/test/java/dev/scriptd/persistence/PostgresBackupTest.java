package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.it.PostgresServer;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.WriteStream;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Backups of a real PostgreSQL database, restored with psql into a fresh one and compared row by row. */
@ExtendWith(VertxExtension.class)
class PostgresBackupTest {
  /** Every byte value, and bytes that read like escapes. */
  private static final byte[] ODD_BYTES = oddBytes();
  private static final String AWKWARD = "it's \"quoted\"\nnext line\ttab \\ backslash \\N \\. \r\u000b\f\b "
      + "ünïcödé €𝄞 日本";

  @TempDir
  Path tempDir;
  private Vertx vertx;
  private final PostgresServer server = PostgresServer.shared();
  private final List<Pool> pools = new ArrayList<>();

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Pool pool : pools) {
      pool.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void psqlRestoresEveryRowSchemaObjectAndSequenceOfTheBackup() throws Exception {
    Pool source = pool(server.newDatabase());
    migrateAndFill(source);
    Path script = tempDir.resolve("backup.sql");

    // small pages, so that every table with more than a few rows takes several reads
    AsyncFile file = file(script);
    new PostgresBackup(vertx, source, tempDir, 10, 2).dump(file).await(60, TimeUnit.SECONDS);
    file.close().await(30, TimeUnit.SECONDS);
    String restoredName = server.newDatabase();
    server.psql(restoredName, "-f", script.toString());
    Pool restored = pool(restoredName);

    List<String> tables = tables(source);
    assertTrue(tables.containsAll(List.of("runs", "log_chunks", "log_search", "log_search_docs", "audit", "scripts")),
        tables.toString());
    assertEquals(tables, tables(restored));
    for (String table : tables) {
      assertEquals(rows(source, table), rows(restored, table), table);
    }
    assertEquals(45, rows(restored, "runs").size());
    assertEquals(List.of(AWKWARD), strings(restored, "SELECT command FROM runs WHERE id = 'run-1'"));
    assertEquals(List.of(Buffer.buffer(ODD_BYTES)), buffers(restored, "SELECT data FROM log_chunks WHERE run_id = 'run-1' AND first_seq = 1"));
    for (String catalog : List.of(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1",
        "SELECT tgname || ' ' || pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1",
        "SELECT pg_get_functiondef(p.oid) FROM pg_proc p WHERE pronamespace = current_schema()::regnamespace "
            + "AND prokind = 'f' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') ORDER BY 1",
        "SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint "
            + "WHERE connamespace = current_schema()::regnamespace ORDER BY 1",
        "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' "
            + "|| coalesce(column_default, '-') || ' ' || is_identity FROM information_schema.columns "
            + "WHERE table_schema = current_schema() ORDER BY 1",
        "SELECT extname FROM pg_extension ORDER BY 1")) {
      assertEquals(strings(source, catalog), strings(restored, catalog), catalog);
    }

    // the restored database goes on where the original stopped: identity keys, triggers
    long lastSeq = longValue(source, "SELECT max(seq) FROM audit");
    run(restored, "INSERT INTO audit (id, at, actor_type, action, result, details, prev_hash, hash) "
        + "VALUES ('after', 1, 'token', 'run.start', 'ok', '{}', 'p', 'h')", Tuple.tuple());
    assertEquals(lastSeq + 1, longValue(restored, "SELECT seq FROM audit WHERE id = 'after'"));
    long lastDoc = longValue(source, "SELECT max(doc) FROM log_search_docs");
    run(restored, "INSERT INTO log_chunks (run_id, first_seq, last_seq, line_count, byte_count, data) "
        + "VALUES ('run-1', 1000, 1000, 1, 1, '\\x00')", Tuple.tuple());
    assertTrue(longValue(restored, "SELECT doc FROM log_search_docs WHERE first_seq = 1000") > lastDoc);
  }

  @Test
  void theBackupIsOneSnapshotWhatCommitsDuringItIsNotInIt() throws Exception {
    Pool source = pool(server.newDatabase());
    migrateAndFill(source);
    Path script = tempDir.resolve("backup.sql");
    AsyncFile file = file(script);
    // once the first table's rows are being written, commit changes to tables the backup has not read yet
    WriteStream<Buffer> meddling = new Intercepting(file, text -> text.startsWith("COPY "), () ->
        execute(source, "INSERT INTO runs (id, status, created_at) VALUES ('late', 'running', 1)", Tuple.tuple())
            .compose(v -> execute(source, "DELETE FROM tokens", Tuple.tuple()))
            .compose(v -> execute(source, "UPDATE scripts SET name = 'renamed'", Tuple.tuple())));

    new PostgresBackup(vertx, source, tempDir, 10, 2).dump(meddling).await(60, TimeUnit.SECONDS);
    file.close().await(30, TimeUnit.SECONDS);
    String restoredName = server.newDatabase();
    server.psql(restoredName, "-f", script.toString());
    Pool restored = pool(restoredName);

    assertEquals(1, longValue(source, "SELECT count(*) FROM runs WHERE id = 'late'"), "the change did commit");
    assertEquals(0, longValue(restored, "SELECT count(*) FROM runs WHERE id = 'late'"));
    assertEquals(2, longValue(restored, "SELECT count(*) FROM tokens"));
    assertEquals(List.of("nightly"), strings(restored, "SELECT name FROM scripts"));
  }

  @Test
  void aSnapshotFileIsOwnerOnlyAndLeftoversAreRemoved() throws Exception {
    Pool source = pool(server.newDatabase());
    migrateAndFill(source);
    PostgresBackup backup = new PostgresBackup(vertx, source, tempDir);

    Path file = Path.of(backup.snapshot().await(60, TimeUnit.SECONDS));

    assertEquals(tempDir, file.getParent());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    String text = Files.readString(file);
    assertTrue(text.contains("COPY log_chunks (run_id, first_seq, last_seq, line_count, byte_count, data) FROM stdin;\n"),
        text.substring(0, Math.min(2000, text.length())));
    assertTrue(text.endsWith("-- end of the scriptd backup\n"));
    backup.removeLeftovers().await(30, TimeUnit.SECONDS);
    assertFalse(Files.exists(file));
  }

  @Test
  void copyValuesEscapeWhatCopyReadsAsSyntax() {
    StringBuilder line = new StringBuilder();
    PostgresBackup.copyValue(line, "a\tb\nc\\d\re");
    line.append('\t');
    PostgresBackup.copyValue(line, null);
    line.append('\t');
    PostgresBackup.copyValue(line, "\\x00ff");
    assertEquals("a\\tb\\nc\\\\d\\re\t\\N\t\\\\x00ff", line.toString());
  }

  /** The baseline schema and rows in every table, with awkward values, NULLs and more rows than a page. */
  private void migrateAndFill(Pool pool) throws Exception {
    SqlConnection conn = pool.getConnection().await(30, TimeUnit.SECONDS);
    try {
      PostgresSchemaTest.applyMigrations(conn);
    } finally {
      conn.close().await(30, TimeUnit.SECONDS);
    }
    String runColumns = "INSERT INTO runs (id, script_id, kind, command, status, exit_code, created_at, env, "
        + "limits, params, usage, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    run(pool, runColumns, Tuple.of("run-1", "script-1", "shell", AWKWARD, "succeeded", 0L, 1_763_900_000_000L,
        "{\"NAME\":\"välue \\\"q\\\"\"}", null, "{\"n\":1}", "{\"cpu_user_ms\":12}", "alice"));
    run(pool, runColumns, Tuple.of("run-2", null, null, null, "pending", null, 1_763_900_000_001L,
        null, null, null, null, null));
    for (int i = 0; i < 43; i++) {
      run(pool, "INSERT INTO runs (id, status, created_at, pinned) VALUES (?, 'failed', ?, ?)",
          Tuple.of("bulk-" + i, 1_763_900_001_000L + i, (long) (i % 2)));
    }
    String chunk = "INSERT INTO log_chunks (run_id, first_seq, last_seq, line_count, byte_count, data) VALUES (?, ?, ?, ?, ?, ?)";
    run(pool, chunk, Tuple.of("run-1", 1L, 10L, 10L, 256L, Buffer.buffer(ODD_BYTES)));
    run(pool, chunk, Tuple.of("run-1", 11L, 11L, 1L, 4L, Buffer.buffer("\\x41".getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    for (int i = 0; i < 5; i++) {
      run(pool, chunk, Tuple.of("bulk-" + i, 1L, 1L, 1L, 0L, Buffer.buffer(new byte[0])));
    }
    run(pool, "INSERT INTO log_search (doc, text) SELECT doc, ? FROM log_search_docs WHERE first_seq = 1 AND run_id = 'run-1'",
        Tuple.of(AWKWARD.toLowerCase(java.util.Locale.ROOT)));
    run(pool, "UPDATE log_search_docs SET indexed = 1 WHERE first_seq = 1 AND run_id = 'run-1'", Tuple.tuple());
    run(pool, "INSERT INTO scripts (id, name, kind, command, timeout_seconds, env, enabled, concurrency, version, "
        + "created_at, updated_at, endpoint, endpoint_key) VALUES ('script-1', 'nightly', 'shell', ?, 0, '{}', 1, "
        + "'{\"mode\":\"allow\"}', 3, 1, 2, '{\"method\":\"post\",\"path\":\"/hook\"}', 'POST /hook')", Tuple.of(AWKWARD));
    run(pool, "INSERT INTO tokens (id, name, role, hash, created_at, last_used_at) VALUES "
        + "('t1', 'ci', 'admin', 'aa', 1, NULL), ('t2', 'robot ''two''', 'viewer', 'bb', 2, 3)", Tuple.tuple());
    run(pool, "INSERT INTO schedule_state (script_id, version, armed_at, last_fire_at, next_fire_at, updated_at) "
        + "VALUES ('script-1', 3, 1, NULL, 5, 1)", Tuple.tuple());
    run(pool, "INSERT INTO schedule_fires (script_id, fire_time, decided_at, outcome, run_id, detail) "
        + "VALUES ('script-1', 5, 6, NULL, NULL, '')", Tuple.tuple());
    run(pool, "INSERT INTO notifications (id, run_id, event, url, secret, headers, body, status, created_at) "
        + "VALUES ('n1', 'run-1', 'run.succeeded', 'http://127.0.0.1/x', NULL, '{}', ?, 'pending', 1)", Tuple.of(AWKWARD));
    for (int i = 0; i < 3; i++) {
      run(pool, "INSERT INTO audit (id, at, actor_type, actor_id, action, result, status, details, prev_hash, hash) "
          + "VALUES (?, ?, 'token', 't1', 'run.start', 'ok', 202, ?, 'p', 'h')", Tuple.of("a" + i, (long) i, "{\"i\":" + i + "}"));
    }
    run(pool, "DELETE FROM audit WHERE id = 'a0'", Tuple.tuple());
    run(pool, "INSERT INTO audit_anchor (id, prev_hash, dropped, updated_at) VALUES (1, 'p', 1, 9)", Tuple.tuple());
    run(pool, "INSERT INTO sessions (hash, subject, name, role, created_at, expires_at) "
        + "VALUES ('s', 'sub', 'Zoë', 'operator', 1, 2)", Tuple.tuple());
    run(pool, "UPDATE cleanup_state SET last_by_rule = ?, last_run_at = 7", Tuple.of("{\"days\":3}"));
  }

  private Pool pool(String database) {
    Pool pool = PgBuilder.pool()
        .connectingTo(PgConnectOptions.fromUri("postgresql://postgres@127.0.0.1:" + server.port() + "/" + database))
        .using(vertx)
        .build();
    pools.add(pool);
    return pool;
  }

  private AsyncFile file(Path path) throws Exception {
    return vertx.fileSystem().open(path.toString(), new OpenOptions().setWrite(true).setCreate(true))
        .await(30, TimeUnit.SECONDS);
  }

  private static void run(Pool pool, String jdbcText, Tuple params) throws Exception {
    execute(pool, jdbcText, params).await(30, TimeUnit.SECONDS);
  }

  private static Future<Void> execute(Pool pool, String jdbcText, Tuple params) {
    return pool.preparedQuery(SqlText.rewrite(jdbcText)).execute(params).mapEmpty();
  }

  private static List<String> tables(Pool pool) throws Exception {
    return strings(pool, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        + "ORDER BY 1");
  }

  /** Every row of the table, as PostgreSQL's text form of the whole row, in order. */
  private static List<String> rows(Pool pool, String table) throws Exception {
    return strings(pool, "SELECT t::text FROM " + table + " t ORDER BY 1");
  }

  private static List<String> strings(Pool pool, String query) throws Exception {
    List<String> values = new ArrayList<>();
    for (Row row : pool.query(query).execute().await(30, TimeUnit.SECONDS)) {
      values.add(row.getString(0));
    }
    return values;
  }

  private static List<Buffer> buffers(Pool pool, String query) throws Exception {
    List<Buffer> values = new ArrayList<>();
    for (Row row : pool.query(query).execute().await(30, TimeUnit.SECONDS)) {
      values.add(row.getBuffer(0));
    }
    return values;
  }

  private static long longValue(Pool pool, String query) throws Exception {
    return pool.query(query).execute().await(30, TimeUnit.SECONDS).iterator().next().getLong(0);
  }

  private static byte[] oddBytes() {
    byte[] bytes = new byte[256];
    for (int i = 0; i < 256; i++) {
      bytes[i] = (byte) i;
    }
    return bytes;
  }

  /** Passes writes on; before passing the first that matches, runs an action and waits for it. */
  private static final class Intercepting implements WriteStream<Buffer> {
    private final WriteStream<Buffer> target;
    private final java.util.function.Predicate<String> trigger;
    private final Supplier<Future<Void>> action;
    private boolean done;

    Intercepting(WriteStream<Buffer> target, java.util.function.Predicate<String> trigger, Supplier<Future<Void>> action) {
      this.target = target;
      this.trigger = trigger;
      this.action = action;
    }

    @Override
    public Future<Void> write(Buffer data) {
      if (!done && trigger.test(data.toString())) {
        done = true;
        return action.get().compose(v -> target.write(data));
      }
      return target.write(data);
    }

    @Override
    public Future<Void> end() {
      return target.end();
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      target.exceptionHandler(handler);
      return this;
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
      target.setWriteQueueMaxSize(maxSize);
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return target.writeQueueFull();
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
      target.drainHandler(handler);
      return this;
    }
  }
}
