package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Retention: cleanup by age and per script, what it never deletes, freed bytes, status, log files")
class RetentionTest {
  /** The database the servers of a test use: null for SQLite in the data dir; PostgreSQL variants override it. */
  String databaseUrl() {
    return null;
  }

  @TempDir
  Path dataDir;
  TestServer server;
  Api api;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    JsonObject config = TestServer.config(dataDir, TestServer.freePort(), databaseUrl())
        .put("retention", new JsonObject().put("max_runs_per_script", 2).put("batch_size", 2))
        .put("logs", new JsonObject().put("files", true));
    server = TestServer.start(vertx, config);
    api = server.api;
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private void createScript(String name, String command) {
    HttpResponse<String> response = api.post("/api/scripts", new JsonObject().put("name", name)
        .put("command", command));
    assertEquals(201, response.statusCode(), response.body());
  }

  private String runScript(String name, String... env) {
    JsonObject vars = new JsonObject();
    for (int i = 0; i + 1 < env.length; i += 2) {
      vars.put(env[i], env[i + 1]);
    }
    HttpResponse<String> response = api.post("/api/scripts/" + name + "/run", new JsonObject().put("env", vars));
    assertEquals(201, response.statusCode(), response.body());
    return new JsonObject(response.body()).getString("id");
  }

  private String finished(String name, String... env) {
    String id = runScript(name, env);
    api.awaitEnd(id);
    return id;
  }

  private JsonObject cleanup(JsonObject body) {
    HttpResponse<String> response = api.post("/api/runs/cleanup", body);
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  private boolean exists(String runId) {
    int status = api.get("/api/runs/" + runId).statusCode();
    assertTrue(status == 200 || status == 404, "status " + status);
    return status == 200;
  }

  /** Moves a finished run's times (and its log file's day folder) back, as if it ran {@code days} ago. */
  private Path age(String runId, int days, Path logFile) throws Exception {
    long shift = TimeUnit.DAYS.toMillis(days);
    Path agedDay = logFile.getParent().resolveSibling(DateTimeFormatter.ofPattern("yyyy-MM-dd")
        .withZone(ZoneOffset.UTC).format(Instant.parse(api.run(runId).getString("created_at")).minusMillis(shift)));
    Files.createDirectories(agedDay);
    Files.move(logFile, agedDay.resolve(logFile.getFileName()));
    shiftTimes(runId, shift);
    return agedDay.resolve(logFile.getFileName());
  }

  /** Moves a run's stored times {@code shift} ms back, in the database itself. */
  void shiftTimes(String runId, long shift) throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("scriptd.db"));
        PreparedStatement update = db.prepareStatement("UPDATE runs SET created_at = created_at - ?, "
            + "started_at = started_at - ?, ended_at = ended_at - ? WHERE id = ?")) {
      db.createStatement().execute("PRAGMA busy_timeout = 5000");
      update.setLong(1, shift);
      update.setLong(2, shift);
      update.setLong(3, shift);
      update.setString(4, runId);
      assertEquals(1, update.executeUpdate());
    }
  }

  @Test
  @DisplayName("per script: keeps the newest runs, never a running one, never the last failed one")
  void maxRunsPerScript() {
    createScript("busy", "sleep $T");
    String running = runScript("busy", "T", "30"); // the oldest, beyond the newest 2, but running
    String old = finished("busy", "T", "0");
    String newer = finished("busy", "T", "0");
    String newest = finished("busy", "T", "0");
    createScript("flaky", "exit $CODE");
    String failed = finished("flaky", "CODE", "1"); // the last failure of flaky: kept
    String olderOk = finished("flaky", "CODE", "0");
    String ok1 = finished("flaky", "CODE", "0");
    String ok2 = finished("flaky", "CODE", "0");

    JsonObject stats = cleanup(new JsonObject().put("days", 30));
    assertEquals(2, stats.getLong("deleted_runs"), stats.encode());
    assertTrue(exists(running));
    assertFalse(exists(old));
    assertTrue(exists(newer) && exists(newest));
    assertTrue(exists(failed));
    assertFalse(exists(olderOk));
    assertTrue(exists(ok1) && exists(ok2));
    assertEquals("running", api.run(running).getString("status"));
    api.post("/api/runs/" + running + "/kill", null);
    api.awaitEnd(running);
  }

  @Test
  @DisplayName("by age: finished runs older than N days go, with their log files; recent and running ones stay")
  void byAge() throws Exception {
    createScript("aged", "echo line-$N; exit $CODE");
    String oldFailed = finished("aged", "N", "1", "CODE", "3");
    String oldOk = finished("aged", "N", "2", "CODE", "0");
    String adhoc = api.startRun("echo adhoc-line").getString("id");
    api.awaitEnd(adhoc);
    String recent = finished("aged", "N", "3", "CODE", "0");
    String running = api.startRun("sleep 30").getString("id");
    Path oldFile = logFile("aged", oldOk);
    Path adhocFile = logFile("adhoc", adhoc);
    assertEquals("line-2\n", Files.readString(oldFile));
    assertEquals("adhoc-line\n", Files.readString(adhocFile));
    Path keptFile = age(oldFailed, 40, logFile("aged", oldFailed));
    oldFile = age(oldOk, 40, oldFile);
    adhocFile = age(adhoc, 40, adhocFile);
    assertTrue(Files.exists(oldFile) && Files.exists(adhocFile));

    JsonObject stats = cleanup(new JsonObject().put("days", 30));
    assertEquals(2, stats.getLong("deleted_runs"), stats.encode());
    assertTrue(stats.getLong("duration_ms") >= 0);
    assertTrue(exists(oldFailed), "the last failed run of a script is kept");
    assertFalse(exists(oldOk));
    assertFalse(exists(adhoc));
    assertTrue(exists(recent) && exists(running));
    assertFalse(Files.exists(adhocFile));
    assertFalse(Files.exists(oldFile));
    assertTrue(Files.exists(keptFile));
    api.post("/api/runs/" + running + "/kill", null);
    api.awaitEnd(running);
  }

  @Test
  @DisplayName("deleting a run with a large log returns bytes to the filesystem")
  void freedBytes() throws Exception {
    createScript("big", "if [ \"$BIG\" = 1 ]; then head -c 8000000 /dev/urandom | base64 -w 200; fi");
    String big = finished("big", "BIG", "1");
    Path bigFile = logFile("big", big);
    assertTrue(api.run(big).getLong("log_bytes") > 10_000_000);
    finished("big", "BIG", "0");
    finished("big", "BIG", "0");
    long before = storedBytes();
    JsonObject stats = cleanup(new JsonObject().put("days", 30));
    assertEquals(1, stats.getLong("deleted_runs"));
    assertFalse(exists(big));
    assertFalse(Files.exists(bigFile));
    assertSpaceReturned(big, stats, before);
  }

  /** The size of the stored data: the SQLite file and its WAL. */
  long storedBytes() throws IOException {
    return Files.size(dataDir.resolve("scriptd.db")) + walSize();
  }

  /** SQLite gives the deleted log's pages back to the filesystem, and says how many bytes. */
  void assertSpaceReturned(String deletedRun, JsonObject stats, long before) throws IOException {
    assertTrue(stats.getLong("freed_bytes") > 5_000_000, stats.encode());
    long after = storedBytes();
    assertTrue(after < before - 5_000_000, "database and WAL " + before + " -> " + after + " bytes");
  }

  private long walSize() throws IOException {
    Path wal = dataDir.resolve("scriptd.db-wal");
    return Files.exists(wal) ? Files.size(wal) : 0;
  }

  @Test
  @DisplayName("status keeps the last stats and the totals, and the next scheduled time")
  void status() {
    JsonObject empty = new JsonObject(api.get("/api/runs/cleanup/status").body());
    assertNull(empty.getValue("last_run_at"));
    assertNull(empty.getValue("last_run_stats"));
    assertEquals(0, empty.getLong("total_deleted_runs"));
    assertFalse(empty.getBoolean("is_running"));
    assertNotNull(empty.getString("next_run_at"));
    Instant next = Instant.parse(empty.getString("next_run_at"));
    assertTrue(next.isAfter(Instant.now()) && next.isBefore(Instant.now().plus(Duration.ofHours(25))));

    createScript("t", "echo x");
    for (int i = 0; i < 4; i++) {
      finished("t");
    }
    JsonObject first = cleanup(new JsonObject().put("days", 30));
    finished("t");
    JsonObject second = cleanup(new JsonObject());
    JsonObject status = new JsonObject(api.get("/api/runs/cleanup/status").body());
    assertEquals(2, first.getLong("deleted_runs"));
    assertEquals(1, second.getLong("deleted_runs"));
    assertEquals(3, status.getLong("total_deleted_runs"));
    assertEquals(first.getLong("freed_bytes") + second.getLong("freed_bytes"), status.getLong("total_freed_bytes"));
    assertEquals(second, status.getJsonObject("last_run_stats"));
    assertNotNull(status.getString("last_run_at"));
    assertFalse(status.getBoolean("is_running"));
  }

  @Test
  @DisplayName("only one cleanup at a time: a second request while one runs is 409")
  void oneAtATime() throws Exception {
    insertOldRuns(3000, System.currentTimeMillis() - TimeUnit.DAYS.toMillis(60));
    var first = api.client.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(api.base
        + "/api/runs/cleanup")).POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"days\": 30}"))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + api.token).build(),
        HttpResponse.BodyHandlers.ofString());
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!new JsonObject(api.get("/api/runs/cleanup/status").body()).getBoolean("is_running")) {
      assertTrue(System.nanoTime() < end && !first.isDone(), "the first cleanup was never seen running");
      Thread.sleep(5);
    }
    HttpResponse<String> second = api.post("/api/runs/cleanup", new JsonObject().put("days", 30));
    assertEquals(409, second.statusCode(), second.body());
    assertTrue(new JsonObject(second.body()).getString("detail").contains("already running"));
    HttpResponse<String> done = first.get(60, TimeUnit.SECONDS);
    assertEquals(200, done.statusCode(), done.body());
    assertEquals(3000, new JsonObject(done.body()).getLong("deleted_runs"));
    assertFalse(new JsonObject(api.get("/api/runs/cleanup/status").body()).getBoolean("is_running"));
  }

  /** Inserts {@code count} completed runs created from {@code old} on, straight into the database. */
  void insertOldRuns(int count, long old) throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("scriptd.db"))) {
      db.createStatement().execute("PRAGMA busy_timeout = 5000");
      db.setAutoCommit(false);
      try (PreparedStatement insert = db.prepareStatement("INSERT INTO runs (id, status, created_at, started_at, "
          + "ended_at) VALUES (?, 'completed', ?, ?, ?)")) {
        for (int i = 0; i < count; i++) {
          insert.setString(1, java.util.UUID.randomUUID().toString());
          insert.setLong(2, old + i);
          insert.setLong(3, old + i);
          insert.setLong(4, old + i + 1);
          insert.addBatch();
        }
        insert.executeBatch();
      }
      db.commit();
    }
  }

  @Test
  @DisplayName("cleanup validates days (0..36500) and dry_run")
  void validation() {
    for (Object days : List.of(-1, 36_501, "x", 1.5)) {
      HttpResponse<String> response = api.post("/api/runs/cleanup", new JsonObject().put("days", days));
      assertEquals(400, response.statusCode(), response.body());
      assertEquals("days", new JsonObject(response.body()).getJsonArray("errors").getJsonObject(0).getString("field"));
    }
    HttpResponse<String> response = api.post("/api/runs/cleanup", new JsonObject().put("dry_run", "yes"));
    assertEquals(400, response.statusCode(), response.body());
    assertEquals("dry_run", new JsonObject(response.body()).getJsonArray("errors").getJsonObject(0).getString("field"));
  }

  private String token(String name, String role) {
    HttpResponse<String> created = api.post("/api/tokens", new JsonObject().put("name", name).put("role", role));
    assertEquals(201, created.statusCode(), created.body());
    return new JsonObject(created.body()).getString("token");
  }

  private JsonObject pin(Api as, String runId) {
    HttpResponse<String> response = as.post("/api/runs/" + runId + "/pin", null);
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  @Test
  @DisplayName("days 0 deletes every finished unpinned run, the last failed one too, and keeps pinned and running runs")
  void daysZero() throws Exception {
    createScript("z", "echo z-$CODE; exit $CODE");
    String ok = finished("z", "CODE", "0");
    String failed = finished("z", "CODE", "2"); // the newest failed run of z: only days >= 1 spare it
    String pinned = finished("z", "CODE", "0");
    String adhoc = api.startRun("echo adhoc").getString("id");
    api.awaitEnd(adhoc);
    String running = api.startRun("sleep 30").getString("id");
    Path pinnedFile = logFile("z", pinned);
    Path okFile = logFile("z", ok);
    assertTrue(pin(api, pinned).getBoolean("pinned"));

    JsonObject stats = cleanup(new JsonObject().put("days", 0));

    assertEquals(3, stats.getLong("deleted_runs"), stats.encode());
    assertEquals(3, stats.getJsonObject("by_rule").getLong("days"), stats.encode());
    assertFalse(exists(ok) || exists(failed) || exists(adhoc));
    assertFalse(Files.exists(okFile));
    assertTrue(exists(pinned) && exists(running));
    assertTrue(Files.exists(pinnedFile));
    assertTrue(api.run(pinned).getBoolean("pinned"));
    JsonObject status = new JsonObject(api.get("/api/runs/cleanup/status").body());
    assertEquals(stats, status.getJsonObject("last_run_stats"));
    api.post("/api/runs/" + running + "/kill", null);
    api.awaitEnd(running);
  }

  @Test
  @DisplayName("a dry run deletes nothing and reports the runs, their log bytes and their ids")
  void dryRun() throws Exception {
    List<String> doomed = new java.util.ArrayList<>();
    long bytes = 0;
    for (int i = 0; i < 3; i++) {
      String id = api.startRun("echo line-" + i + "-of-some-length").getString("id");
      api.awaitEnd(id);
      doomed.add(id);
      bytes += api.run(id).getLong("log_bytes");
    }
    String pinned = api.startRun("echo keep").getString("id");
    api.awaitEnd(pinned);
    pin(api, pinned);
    Path file = logFile("adhoc", doomed.get(0));
    assertTrue(bytes > 0);

    JsonObject preview = cleanup(new JsonObject().put("days", 0).put("dry_run", true));

    assertEquals(3, preview.getLong("would_delete_runs"), preview.encode());
    assertEquals(bytes, preview.getLong("would_free_bytes"), preview.encode());
    assertEquals(new java.util.HashSet<>(doomed), new java.util.HashSet<>(preview.getJsonArray("run_ids").getList()));
    assertEquals(3, preview.getJsonObject("by_rule").getLong("days"));
    for (String id : doomed) {
      assertTrue(exists(id), "the dry run deleted " + id);
    }
    assertTrue(exists(pinned) && Files.exists(file));
    assertEquals(4, new JsonObject(api.get("/api/runs").body()).getJsonArray("items").size());
    JsonObject status = new JsonObject(api.get("/api/runs/cleanup/status").body());
    assertNull(status.getValue("last_run_at"), "a dry run is not a pass: " + status.encode());
    assertEquals(0, status.getLong("total_deleted_runs"));

    JsonObject real = cleanup(new JsonObject().put("days", 0));
    assertEquals(3, real.getLong("deleted_runs"), "the real pass deletes what the preview named");
    assertTrue(exists(pinned));
  }

  @Test
  @DisplayName("pin and unpin: operators may, viewers may not; a pinned run cannot be deleted; a pin outlives the run's own saves")
  void pins() {
    Api viewer = api.as(token("v", "viewer"));
    Api operator = api.as(token("o", "operator"));
    String running = api.startRun("sleep 0.5; echo done").getString("id");
    assertFalse(api.run(running).getBoolean("pinned"));

    assertEquals(403, viewer.post("/api/runs/" + running + "/pin", null).statusCode());
    JsonObject pinned = pin(operator, running);
    assertEquals(running, pinned.getString("id"));
    assertTrue(pinned.getBoolean("pinned"));
    api.awaitEnd(running); // the run path saves the ended run; the pin stays
    assertTrue(api.run(running).getBoolean("pinned"));
    assertTrue(new JsonObject(api.get("/api/runs").body()).getJsonArray("items").getJsonObject(0).getBoolean("pinned"));

    HttpResponse<String> refused = api.send("DELETE", "/api/runs/" + running, null);
    assertEquals(409, refused.statusCode(), refused.body());
    assertTrue(new JsonObject(refused.body()).getString("detail").contains("unpin it first"), refused.body());
    assertEquals(403, viewer.send("DELETE", "/api/runs/" + running + "/pin", null).statusCode());
    HttpResponse<String> unpinned = operator.send("DELETE", "/api/runs/" + running + "/pin", null);
    assertEquals(200, unpinned.statusCode(), unpinned.body());
    assertFalse(new JsonObject(unpinned.body()).getBoolean("pinned"));
    assertEquals(403, operator.send("DELETE", "/api/runs/" + running, null).statusCode());
    assertEquals(204, api.send("DELETE", "/api/runs/" + running, null).statusCode());
    assertEquals(404, operator.post("/api/runs/" + running + "/pin", null).statusCode());
  }

  @Test
  @DisplayName("a run pinned while it runs is pinned in the kill's answer and in its stream's status and done events")
  void pinOfALiveRunIsKeptInItsEvents() throws Exception {
    String id = api.startRun("sleep 30").getString("id");
    assertTrue(pin(api, id).getBoolean("pinned"));
    try (SseClient stream = new SseClient(api.client, api.base + "/api/runs/" + id + "/logs",
        "Authorization", "Bearer " + api.token)) {
      assertEquals(200, stream.awaitResponse().statusCode());
      HttpResponse<String> killed = api.post("/api/runs/" + id + "/kill", null);
      assertEquals(202, killed.statusCode(), killed.body());
      assertTrue(new JsonObject(killed.body()).getBoolean("pinned"), killed.body());
      List<SseClient.Event> events = stream.untilClosed(Duration.ofSeconds(30));
      SseClient.Event done = events.get(events.size() - 1);
      assertEquals("done", done.event());
      JsonObject run = new JsonObject(done.data());
      assertEquals("killed", run.getString("status"));
      assertTrue(run.getBoolean("pinned"), "the done event undid the pin: " + run.encode());
      assertTrue(events.stream().filter(e -> "status".equals(e.event()))
          .allMatch(e -> new JsonObject(e.data()).getBoolean("pinned")), events.toString());
    }
    assertTrue(api.run(id).getBoolean("pinned"));
  }

  @Test
  @DisplayName("retention.max_bytes: the oldest unpinned runs go, oldest first, until the stored log bytes are within it")
  void maxBytes(Vertx vertx) throws Exception {
    List<String> runs = new java.util.ArrayList<>();
    List<Long> sizes = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String id = api.startRun("head -c " + (1000 + 100 * i) + " /dev/zero | tr '\\0' a; echo").getString("id");
      api.awaitEnd(id);
      runs.add(id);
      sizes.add(api.run(id).getLong("log_bytes"));
      assertTrue(sizes.get(i) >= 1000, "log_bytes " + sizes.get(i));
    }
    pin(api, runs.get(0)); // the oldest, pinned: never counted out
    long total = sizes.stream().mapToLong(Long::longValue).sum();
    long budget = total - sizes.get(1) - sizes.get(2); // deleting runs 1 and 2 is just enough
    server.close();
    server = TestServer.start(vertx, TestServer.config(dataDir, TestServer.freePort(), databaseUrl())
        .put("retention", new JsonObject().put("max_bytes", budget)));
    api = server.api;

    JsonObject preview = cleanup(new JsonObject().put("dry_run", true));
    assertEquals(List.of(runs.get(1), runs.get(2)), preview.getJsonArray("run_ids").getList(), preview.encode());
    assertEquals(2, preview.getJsonObject("by_rule").getLong("max_bytes"));
    JsonObject stats = cleanup(new JsonObject());

    assertEquals(2, stats.getLong("deleted_runs"), stats.encode());
    assertEquals(2, stats.getJsonObject("by_rule").getLong("max_bytes"), stats.encode());
    assertEquals(0, stats.getJsonObject("by_rule").getLong("days"), stats.encode());
    assertTrue(exists(runs.get(0)), "pinned");
    assertFalse(exists(runs.get(1)) || exists(runs.get(2)));
    assertTrue(exists(runs.get(3)) && exists(runs.get(4)));
    assertEquals(0, cleanup(new JsonObject()).getLong("deleted_runs"), "within the budget now");
  }

  @Test
  @DisplayName("log files: one per run under the day of its creation, removed with DELETE /api/runs/{id}")
  void logFiles() throws Exception {
    createScript("named", "echo one; echo two >&2");
    String id = finished("named");
    Path file = logFile("named", id);
    assertEquals("one\ntwo\n", Files.readString(file));
    assertEquals(204, api.send("DELETE", "/api/runs/" + id, null).statusCode());
    assertFalse(Files.exists(file));
  }

  /** The file of a run created today (UTC), polling briefly: files are appended after each flush. */
  private Path logFile(String name, String runId) throws Exception {
    String day = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC)
        .format(Instant.parse(api.run(runId).getString("created_at")));
    Path file = dataDir.resolve("logs").resolve(day).resolve(name + "_" + runId + ".log");
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!Files.exists(file) && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    try (Stream<Path> files = Files.exists(file.getParent()) ? Files.list(file.getParent()) : Stream.empty()) {
      assertTrue(Files.exists(file), file + " missing; found " + files.toList());
    }
    return file;
  }

  private void createScript(String name, String command, JsonObject retention) {
    HttpResponse<String> response = api.post("/api/scripts", new JsonObject().put("name", name)
        .put("command", command).put("retention", retention));
    assertEquals(201, response.statusCode(), response.body());
    assertEquals(retention, new JsonObject(response.body()).getJsonObject("retention"));
  }

  @Test
  @DisplayName("a script's retention overrides the server's settings for its runs, field by field")
  void scriptRetentionOverrides() throws Exception {
    createScript("keepall", "echo k", new JsonObject().put("max_runs", 0)); // no count limit (server: 2)
    List<String> kept = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      kept.add(finished("keepall"));
    }
    createScript("short", "echo s", new JsonObject().put("days", 1)); // server: 30 days
    String shortOld = finished("short");
    String shortNew = finished("short");
    createScript("plain", "echo p");
    String plainOld = finished("plain");
    age(shortOld, 2, logFile("short", shortOld));
    age(plainOld, 2, logFile("plain", plainOld));

    JsonObject stats = cleanup(new JsonObject()); // the configured pass: scripts' own days apply

    assertEquals(1, stats.getLong("deleted_runs"), stats.encode());
    assertEquals(1, stats.getJsonObject("by_rule").getLong("days"), stats.encode());
    assertEquals(0, stats.getJsonObject("by_rule").getLong("max_runs"), stats.encode());
    assertFalse(exists(shortOld));
    assertTrue(exists(shortNew) && exists(plainOld), "plain keeps the server's 30 days");
    for (String id : kept) {
      assertTrue(exists(id), "keepall has no count limit");
    }
    assertEquals(new JsonObject().put("days", 1), new JsonObject(api.get("/api/scripts/short").body())
        .getJsonObject("retention"));
  }

  @Test
  @DisplayName("keep_failed_days: failed runs are kept that long instead of days, and counted under their own rule")
  void keepFailedDays() throws Exception {
    createScript("flaky", "echo f; exit $CODE", new JsonObject().put("days", 1).put("keep_failed_days", 10));
    String veryOldFailed = finished("flaky", "CODE", "1");
    String oldFailed = finished("flaky", "CODE", "1");
    String oldOk = finished("flaky", "CODE", "0");
    age(veryOldFailed, 20, logFile("flaky", veryOldFailed));
    age(oldFailed, 3, logFile("flaky", oldFailed));
    age(oldOk, 3, logFile("flaky", oldOk));

    JsonObject stats = cleanup(new JsonObject());

    assertEquals(2, stats.getLong("deleted_runs"), stats.encode());
    assertEquals(1, stats.getJsonObject("by_rule").getLong("days"), stats.encode());
    assertEquals(1, stats.getJsonObject("by_rule").getLong("keep_failed_days"), stats.encode());
    assertFalse(exists(oldOk), "ok runs follow days (1)");
    assertTrue(exists(oldFailed), "a failed run 3 days old is within keep_failed_days (10)");
    assertFalse(exists(veryOldFailed), "a failed run 20 days old is not");
    JsonObject status = new JsonObject(api.get("/api/runs/cleanup/status").body());
    assertEquals(1, status.getJsonObject("last_run_stats").getJsonObject("by_rule").getLong("keep_failed_days"));
  }

  @Test
  @DisplayName("a script's retention is checked on save: whole numbers in range, known fields, each error named")
  void scriptRetentionValidation() {
    for (Object[] bad : new Object[][] {{"days", -1}, {"days", 1.5}, {"max_runs", "x"}, {"keep_failed_days", 36_501},
        {"max_bytes", -5}, {"maxbytes", 1}}) {
      HttpResponse<String> response = api.post("/api/scripts", new JsonObject().put("name", "v").put("command", "true")
          .put("retention", new JsonObject().put((String) bad[0], bad[1])));
      assertEquals(400, response.statusCode(), response.body());
      assertEquals("retention." + bad[0], new JsonObject(response.body()).getJsonArray("errors").getJsonObject(0)
          .getString("field"), response.body());
    }
    HttpResponse<String> notObject = api.post("/api/scripts", new JsonObject().put("name", "v").put("command", "true")
        .put("retention", 7));
    assertEquals(400, notObject.statusCode(), notObject.body());
    assertEquals("retention", new JsonObject(notObject.body()).getJsonArray("errors").getJsonObject(0).getString("field"));
  }
}
