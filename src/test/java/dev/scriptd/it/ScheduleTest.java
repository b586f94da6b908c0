package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.scriptd.bus.Addresses;
import dev.scriptd.schedule.SchedulerVerticle;
import dev.scriptd.schedule.TimeSource;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Cron schedules on a real server: firing, changes, restarts, misfire, clock jumps, forbid")
class ScheduleTest {
  /** The database the servers of a test use: null for SQLite in the data dir; PostgreSQL variants override it. */
  String databaseUrl() {
    return null;
  }

  static final String ECHO_SCHEDULED = "echo \"$SCRIPTD_SCHEDULED_AT\"";

  @TempDir
  Path dataDir;
  TestServer server;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  static JsonObject scheduled(String name, String command, String cron) {
    return new JsonObject().put("name", name).put("command", command)
        .put("schedule", new JsonObject().put("cron", cron));
  }

  JsonObject create(JsonObject body) {
    HttpResponse<String> response = server.api.post("/api/scripts", body);
    assertEquals(201, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  JsonObject put(String id, JsonObject body) {
    HttpResponse<String> response = server.api.send("PUT", "/api/scripts/" + id, body.encode());
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  List<JsonObject> runs(String scriptId) {
    HttpResponse<String> response = server.api.get("/api/runs?limit=1000&script_id=" + scriptId);
    assertEquals(200, response.statusCode(), response.body());
    List<JsonObject> runs = new ArrayList<>();
    new JsonObject(response.body()).getJsonArray("items").forEach(run -> runs.add((JsonObject) run));
    return runs;
  }

  List<JsonObject> awaitRuns(String scriptId, Predicate<List<JsonObject>> until, Duration deadline) {
    Instant end = Instant.now().plus(deadline);
    List<JsonObject> runs = runs(scriptId);
    while (!until.test(runs)) {
      if (Instant.now().isAfter(end)) {
        fail("runs of " + scriptId + " did not reach the expected state within " + deadline + ": " + runs);
      }
      LockSupport.parkNanos(50_000_000L);
      runs = runs(scriptId);
    }
    return runs;
  }

  /** Polls for a while: no run of the script may be created after {@code after}. */
  void assertNoRunAfter(String scriptId, Instant after, Duration watch) {
    Instant end = Instant.now().plus(watch);
    while (Instant.now().isBefore(end)) {
      for (JsonObject run : runs(scriptId)) {
        Instant created = Instant.parse(run.getString("created_at"));
        assertFalse(created.isAfter(after), "run created at " + created + " after " + after + ": " + run);
      }
      LockSupport.parkNanos(100_000_000L);
    }
  }

  /** The fire time a cron run stands for, from its log (the command echoes SCRIPTD_SCHEDULED_AT). */
  String scheduledAt(JsonObject run) {
    JsonObject ended = server.api.awaitEnd(run.getString("id"));
    List<JsonObject> lines = server.api.allLines(ended.getString("id"));
    assertEquals(1, lines.size(), "one line per run: " + lines);
    return lines.get(0).getString("line");
  }

  List<String> scheduledTimes(List<JsonObject> runs) {
    List<String> times = new ArrayList<>();
    for (JsonObject run : runs) {
      times.add(scheduledAt(run));
    }
    times.sort(null);
    return times;
  }

  @Test
  @DisplayName("every second: at least 3 cron runs in 5 s; an update to a yearly time stops it at once")
  void everySecondThenUpdate(Vertx vertx) throws Exception {
    server = TestServer.start(vertx, dataDir, databaseUrl());
    JsonObject script = create(scheduled("tick", ECHO_SCHEDULED, "* * * * * *"));
    assertNotNull(script.getString("next_run_at"));
    String id = script.getString("id");
    List<JsonObject> runs = awaitRuns(id, list -> list.size() >= 3, Duration.ofSeconds(5));
    for (JsonObject run : runs) {
      assertEquals("cron", run.getString("trigger"), run.encode());
    }
    JsonObject updated = put(id, scheduled("tick", ECHO_SCHEDULED, "0 0 1 1 *"));
    Instant answered = Instant.now();
    assertTrue(Instant.parse(updated.getString("next_run_at")).isAfter(answered.plus(Duration.ofHours(1))),
        updated.encode());
    assertNoRunAfter(id, answered, Duration.ofMillis(2500));
    // each run stands for its own second
    List<String> times = scheduledTimes(runs(id));
    assertEquals(times.size(), new HashSet<>(times).size(), times.toString());
  }

  @Test
  @DisplayName("enabled: false stops the schedule at once (next_run_at null); delete stops it too")
  void disableAndDelete(Vertx vertx) throws Exception {
    server = TestServer.start(vertx, dataDir, databaseUrl());
    String off = create(scheduled("off", "true", "* * * * * *")).getString("id");
    String gone = create(scheduled("gone", "true", "* * * * * *")).getString("id");
    awaitRuns(off, list -> list.size() >= 2, Duration.ofSeconds(5));
    awaitRuns(gone, list -> list.size() >= 2, Duration.ofSeconds(5));

    JsonObject disabled = put(off, scheduled("off", "true", "* * * * * *").put("enabled", false));
    Instant disabledAt = Instant.now();
    assertNull(disabled.getValue("next_run_at"));
    HttpResponse<String> deleted = server.api.send("DELETE", "/api/scripts/" + gone, null);
    assertEquals(204, deleted.statusCode(), deleted.body());

    assertNoRunAfter(off, disabledAt, Duration.ofMillis(2500));
    assertEquals(List.of(), runs(gone));
    HttpResponse<String> preview = server.api.get("/api/scripts/" + off + "/schedule/preview?count=3");
    assertEquals(200, preview.statusCode(), preview.body());
    assertEquals(3, new JsonObject(preview.body()).getJsonArray("times").size());
  }

  @Test
  @DisplayName("restart: an every-second schedule (misfire all) resumes from its stored last fire time:"
      + " the seconds missed while down run once each, none twice")
  void restartResumesWithoutDoubles(Vertx vertx) throws Exception {
    JsonObject config = TestServer.config(dataDir, TestServer.freePort(), databaseUrl());
    server = TestServer.start(vertx, config);
    JsonObject body = scheduled("resume", ECHO_SCHEDULED, "* * * * * *");
    body.getJsonObject("schedule").put("misfire", "all");
    String id = create(body).getString("id");
    awaitRuns(id, list -> list.size() >= 3, Duration.ofSeconds(6));
    server.close();
    server = null;
    LockSupport.parkNanos(Duration.ofSeconds(2).toNanos()); // the downtime under test, not a wait for something
    Instant restarted = Instant.now();
    server = TestServer.start(vertx, config);
    List<JsonObject> runs = awaitRuns(id, list -> list.stream()
        .filter(run -> Instant.parse(run.getString("created_at")).isAfter(restarted)).count() >= 3,
        Duration.ofSeconds(6));
    put(id, scheduled("resume", ECHO_SCHEDULED, "0 0 1 1 *"));
    List<Instant> times = new ArrayList<>();
    int silent = 0;
    for (JsonObject run : runs) {
      assertEquals("cron", run.getString("trigger"));
      JsonObject ended = server.api.awaitEnd(run.getString("id"));
      List<JsonObject> lines = server.api.allLines(ended.getString("id"));
      if (lines.isEmpty()) {
        silent++; // a run cut short by the shutdown may not have printed
      } else {
        times.add(Instant.parse(lines.get(0).getString("line")));
      }
    }
    times.sort(null);
    assertEquals(times.size(), new HashSet<>(times).size(), "a fire time ran twice: " + times);
    long seconds = Duration.between(times.get(0), times.get(times.size() - 1)).toSeconds() + 1;
    assertTrue(seconds - times.size() <= silent, "fire times were lost across the restart: " + times);
    assertTrue(times.stream().anyMatch(t -> t.isAfter(restarted)), times.toString());
  }

  /** A wall clock the test sets; the monotonic clock is the real one. */
  static final class MovableClock implements TimeSource {
    private volatile Duration offset = Duration.ZERO;

    void set(Instant now) {
      offset = Duration.between(Instant.now(), now);
    }

    @Override
    public Instant now() {
      return Instant.now().plus(offset);
    }

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }
  }

  String deployScheduler(Vertx vertx, JsonObject config, MovableClock clock) throws Exception {
    return vertx.deployVerticle(new SchedulerVerticle(clock), new DeploymentOptions().setConfig(config))
        .await(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("misfire after a simulated downtime (01:00 -> 06:30): skip none, once the latest, all the latest 3;"
      + " a forward clock jump re-arms at once; a backward one repeats nothing")
  void misfireAfterDowntime(Vertx vertx) throws Exception {
    JsonObject config = TestServer.config(dataDir, TestServer.freePort(), databaseUrl())
        .put("scheduler", new JsonObject().put("enabled", false).put("max_catchup_runs", 3)
            .put("clock_check_ms", 100));
    server = TestServer.start(vertx, config);
    List<String> ids = new ArrayList<>();
    for (String misfire : List.of("skip", "once", "all")) {
      JsonObject body = scheduled("hourly-" + misfire, ECHO_SCHEDULED, "0 * * * *");
      body.getJsonObject("schedule").put("misfire", misfire);
      ids.add(create(body).getString("id"));
    }
    String skip = ids.get(0);
    String once = ids.get(1);
    String all = ids.get(2);

    // up shortly before 01:00: each schedule fires 01:00 once
    MovableClock clock = new MovableClock();
    clock.set(Instant.parse("2026-01-01T00:59:59.400Z"));
    String first = deployScheduler(vertx, config, clock);
    for (String id : ids) {
      List<JsonObject> runs = awaitRuns(id, list -> list.size() == 1, Duration.ofSeconds(5));
      assertEquals("2026-01-01T01:00:00.000Z", scheduledAt(runs.get(0)));
    }
    vertx.undeploy(first).await(30, TimeUnit.SECONDS);

    // down until 06:30: 02:00 .. 06:00 were missed
    clock.set(Instant.parse("2026-01-01T06:30:00Z"));
    deployScheduler(vertx, config, clock);
    List<JsonObject> allRuns = awaitRuns(all, list -> list.size() == 4, Duration.ofSeconds(5));
    assertEquals(List.of("2026-01-01T01:00:00.000Z", "2026-01-01T04:00:00.000Z", "2026-01-01T05:00:00.000Z",
        "2026-01-01T06:00:00.000Z"), scheduledTimes(allRuns));
    List<JsonObject> onceRuns = awaitRuns(once, list -> list.size() == 2, Duration.ofSeconds(5));
    assertEquals(List.of("2026-01-01T01:00:00.000Z", "2026-01-01T06:00:00.000Z"), scheduledTimes(onceRuns));
    assertEquals(1, runs(skip).size());
    JsonObject skipScript = new JsonObject(server.api.get("/api/scripts/" + skip).body());
    assertNotNull(skipScript.getString("next_run_at"));

    // the wall clock jumps to just before 07:00: the scheduler notices and fires 07:00 on time
    clock.set(Instant.parse("2026-01-01T06:59:59.000Z"));
    List<JsonObject> skipRuns = awaitRuns(skip, list -> list.size() == 2, Duration.ofSeconds(5));
    assertEquals(List.of("2026-01-01T01:00:00.000Z", "2026-01-01T07:00:00.000Z"), scheduledTimes(skipRuns));
    assertEquals("2026-01-01T07:00:00.000Z",
        scheduledTimes(awaitRuns(once, list -> list.size() == 3, Duration.ofSeconds(5))).get(2));
    assertEquals("2026-01-01T07:00:00.000Z",
        scheduledTimes(awaitRuns(all, list -> list.size() == 5, Duration.ofSeconds(5))).get(4));

    // the wall clock goes back a second: 07:00 comes round again but never fires twice
    clock.set(Instant.parse("2026-01-01T06:59:59.000Z"));
    Instant watchedUntil = Instant.now().plusMillis(2500);
    while (Instant.now().isBefore(watchedUntil)) {
      assertEquals(2, runs(skip).size());
      assertEquals(3, runs(once).size());
      assertEquals(5, runs(all).size());
      LockSupport.parkNanos(100_000_000L);
    }
  }

  @Test
  @DisplayName("concurrency forbid: a slow every-second job never overlaps itself; refused fires are skipped")
  void forbidSkipsOverlappingFires(Vertx vertx) throws Exception {
    server = TestServer.start(vertx, dataDir, databaseUrl());
    String id = create(scheduled("slow", "sleep 2.2", "* * * * * *").put("concurrency", "forbid"))
        .getString("id");
    List<JsonObject> runs = awaitRuns(id, list -> list.stream()
        .filter(run -> run.getString("ended_at") != null).count() >= 2, Duration.ofSeconds(10));
    put(id, scheduled("slow", "sleep 2.2", "0 0 1 1 *").put("concurrency", "forbid"));
    List<long[]> spans = new ArrayList<>();
    for (JsonObject run : runs) {
      assertEquals("cron", run.getString("trigger"));
      JsonObject ended = server.api.awaitEnd(run.getString("id"));
      assertEquals("completed", ended.getString("status"), ended.encode());
      spans.add(new long[] {Instant.parse(ended.getString("started_at")).toEpochMilli(),
          Instant.parse(ended.getString("ended_at")).toEpochMilli()});
    }
    spans.sort((a, b) -> Long.compare(a[0], b[0]));
    for (int i = 1; i < spans.size(); i++) {
      assertTrue(spans.get(i)[0] >= spans.get(i - 1)[1], "runs overlap: " + runs);
    }
  }

  @Test
  @DisplayName("an invalid expression or zone is a 400 that says what is wrong; preview needs a schedule")
  void validation(Vertx vertx) throws Exception {
    server = TestServer.start(vertx, dataDir, databaseUrl());
    HttpResponse<String> badCron = server.api.post("/api/scripts", scheduled("bad", "true", "0 25 * * *"));
    assertEquals(400, badCron.statusCode(), badCron.body());
    String detail = new JsonObject(badCron.body()).getString("detail");
    assertTrue(detail.contains("schedule.cron") && detail.contains("25"), detail);
    JsonObject zoned = scheduled("zoned", "true", "0 9 * * *");
    zoned.getJsonObject("schedule").put("timezone", "Europe/Atlantis");
    HttpResponse<String> badZone = server.api.post("/api/scripts", zoned);
    assertEquals(400, badZone.statusCode(), badZone.body());
    JsonArray errors = new JsonObject(badZone.body()).getJsonArray("errors");
    assertEquals("schedule.timezone", errors.getJsonObject(0).getString("field"));
    assertTrue(new JsonObject(badZone.body()).getString("detail").contains("Europe/Atlantis"), badZone.body());

    String plain = create(new JsonObject().put("name", "plain").put("command", "true")).getString("id");
    HttpResponse<String> preview = server.api.get("/api/scripts/" + plain + "/schedule/preview");
    assertEquals(400, preview.statusCode(), preview.body());
    assertTrue(new JsonObject(preview.body()).getString("detail").contains("has no schedule"), preview.body());
    String berlin = create(new JsonObject().put("name", "berlin").put("command", "true")
        .put("schedule", new JsonObject().put("cron", "30 2 * * *").put("timezone", "Europe/Berlin")))
        .getString("id");
    HttpResponse<String> times = server.api.get("/api/scripts/" + berlin + "/schedule/preview?count=100");
    assertEquals(200, times.statusCode(), times.body());
    assertEquals(100, new JsonObject(times.body()).getJsonArray("times").size());
    assertEquals(400, server.api.get("/api/scripts/" + berlin + "/schedule/preview?count=101").statusCode());
    Set<String> distinct = new HashSet<>(new JsonObject(times.body()).getJsonArray("times").getList());
    assertEquals(100, distinct.size());
  }

  @Test
  @DisplayName("a cron fire for an old version, or of a disabled script, is refused (409) on the bus")
  void staleCronFireIsRefused(Vertx vertx) throws Exception {
    JsonObject config = TestServer.config(dataDir, TestServer.freePort(), databaseUrl())
        .put("scheduler", new JsonObject().put("enabled", false));
    server = TestServer.start(vertx, config);
    String id = create(scheduled("stale", "true", "0 0 1 1 *")).getString("id");
    JsonObject fire = new JsonObject().put("script_id", id).put("trigger", "cron").put("version", 1);
    JsonObject run = vertx.eventBus().<JsonObject>request(Addresses.SCRIPTS_RUN, fire.copy())
        .await(10, TimeUnit.SECONDS).body();
    assertEquals("cron", run.getString("trigger"));
    put(id, scheduled("stale", "true", "0 0 1 1 *"));
    ReplyException stale = assertThrows(ReplyException.class, () -> vertx.eventBus()
        .request(Addresses.SCRIPTS_RUN, fire.copy()).await(10, TimeUnit.SECONDS));
    assertEquals(409, stale.failureCode());
    assertTrue(stale.getMessage().contains("changed"), stale.getMessage());
    put(id, scheduled("stale", "true", "0 0 1 1 *").put("enabled", false));
    ReplyException disabled = assertThrows(ReplyException.class, () -> vertx.eventBus()
        .request(Addresses.SCRIPTS_RUN, fire.copy().put("version", 3)).await(10, TimeUnit.SECONDS));
    assertEquals(409, disabled.failureCode());
    // a manual run of the disabled script is still allowed
    assertEquals(201, server.api.post("/api/scripts/" + id + "/run", new JsonObject()).statusCode());
  }

  /** The whole schedule ledger of a script, newest first, read page by page ({@code limit} a page). */
  List<JsonObject> ledger(String scriptId, int limit) {
    List<JsonObject> rows = new ArrayList<>();
    String cursor = null;
    do {
      HttpResponse<String> response = server.api.get("/api/scripts/" + scriptId + "/schedule/history?limit=" + limit
          + (cursor == null ? "" : "&cursor=" + cursor));
      assertEquals(200, response.statusCode(), response.body());
      JsonObject page = new JsonObject(response.body());
      assertTrue(page.getJsonArray("items").size() <= limit, page.encode());
      page.getJsonArray("items").forEach(row -> rows.add((JsonObject) row));
      cursor = page.getString("next_cursor");
    } while (cursor != null);
    return rows;
  }

  List<JsonObject> awaitLedger(String scriptId, Predicate<List<JsonObject>> until, Duration deadline) {
    Instant end = Instant.now().plus(deadline);
    List<JsonObject> rows = ledger(scriptId, 1000);
    while (!until.test(rows)) {
      if (Instant.now().isAfter(end)) {
        fail("the schedule ledger of " + scriptId + " did not reach the expected state within " + deadline + ": "
            + rows);
      }
      LockSupport.parkNanos(50_000_000L);
      rows = ledger(scriptId, 1000);
    }
    return rows;
  }

  static long count(List<JsonObject> rows, String outcome) {
    return rows.stream().filter(row -> outcome.equals(row.getString("outcome"))).count();
  }

  static double fires(Scrape scrape, String outcome) {
    Double value = scrape.value("scriptd_schedule_fires_total", "outcome", outcome);
    return value == null ? 0 : value;
  }

  @Test
  @DisplayName("ledger: an every-second forbid schedule whose command takes 1.5 s shows started rows (with their"
      + " runs) and skipped_forbid rows, counted by scriptd_schedule_fires_total; pages return each fire time once;"
      + " disabled, it adds no rows; the retention pass keeps recent rows; deleting the script deletes them")
  void ledgerOfForbidSchedule(Vertx vertx) throws Exception {
    server = TestServer.start(vertx, dataDir, databaseUrl());
    String id = create(scheduled("slow-ledger", "sleep 1.5", "* * * * * *").put("concurrency", "forbid"))
        .getString("id");
    List<JsonObject> rows = awaitLedger(id, list -> count(list, "started") >= 2
        && count(list, "skipped_forbid") >= 2, Duration.ofSeconds(15));
    JsonObject disabled = put(id, scheduled("slow-ledger", "sleep 1.5", "* * * * * *")
        .put("concurrency", "forbid").put("enabled", false));
    Instant disabledAt = Instant.now();
    assertNull(disabled.getValue("next_run_at"));

    Set<String> runIds = new HashSet<>();
    runs(id).forEach(run -> runIds.add(run.getString("id")));
    for (JsonObject row : rows) {
      assertNotNull(row.getString("detail"), row.encode());
      assertFalse(Instant.parse(row.getString("decided_at")).isBefore(Instant.parse(row.getString("fire_time"))),
          row.encode());
      switch (row.getString("outcome")) {
        case "started" -> assertTrue(runIds.contains(row.getString("run_id")), row.encode() + " " + runIds);
        case "skipped_forbid" -> {
          assertNull(row.getValue("run_id"), row.encode());
          assertTrue(row.getString("detail").contains("forbid"), row.encode());
        }
        default -> fail("only started and skipped_forbid expected: " + row.encode());
      }
    }
    Scrape scrape = Scrape.of(server.api);
    assertTrue(fires(scrape, "started") >= count(rows, "started"), scrape.text);
    assertTrue(fires(scrape, "skipped_forbid") >= count(rows, "skipped_forbid"), scrape.text);

    // disabled: no row for a fire time after the change
    Instant watchedUntil = Instant.now().plusMillis(2500);
    while (Instant.now().isBefore(watchedUntil)) {
      for (JsonObject row : ledger(id, 1000)) {
        assertFalse(Instant.parse(row.getString("fire_time")).isAfter(disabledAt), row.encode());
      }
      LockSupport.parkNanos(100_000_000L);
    }

    // paging: newest first, each fire time once, the same rows as one big page
    List<JsonObject> all = ledger(id, 1000);
    List<JsonObject> paged = ledger(id, 2);
    assertEquals(all, paged);
    List<String> times = paged.stream().map(row -> row.getString("fire_time")).toList();
    assertEquals(times.size(), new HashSet<>(times).size(), times.toString());
    List<String> newestFirst = new ArrayList<>(times);
    newestFirst.sort(java.util.Comparator.reverseOrder());
    assertEquals(newestFirst, times);
    assertEquals(400, server.api.get("/api/scripts/" + id + "/schedule/history?cursor=nope").statusCode());
    assertEquals(400, server.api.get("/api/scripts/" + id + "/schedule/history?limit=0").statusCode());
    assertEquals(404, server.api.get("/api/scripts/no-such-script/schedule/history").statusCode());

    // a retention pass deletes rows older than retention.days only: these are from now
    HttpResponse<String> cleanup = server.api.post("/api/runs/cleanup", new JsonObject());
    assertEquals(200, cleanup.statusCode(), cleanup.body());
    assertEquals(all, ledger(id, 1000));

    // deleting the script deletes its ledger
    assertEquals(all.size(), storedLedgerRows(id));
    HttpResponse<String> deleted = server.api.send("DELETE", "/api/scripts/" + id, null);
    assertEquals(204, deleted.statusCode(), deleted.body());
    assertEquals(0, storedLedgerRows(id));
  }

  /** The ledger rows of a script in the database file (the API cannot list those of a deleted script). */
  long storedLedgerRows(String scriptId) throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("scriptd.db"));
        PreparedStatement count = db.prepareStatement("SELECT count(*) FROM schedule_fires WHERE script_id = ?")) {
      db.createStatement().execute("PRAGMA busy_timeout = 5000");
      count.setString(1, scriptId);
      try (ResultSet rows = count.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }

  @Test
  @DisplayName("ledger after a simulated downtime (01:00 -> 06:30): skip has 5 missed rows, once 4 missed and one"
      + " caught_up, all (max 3) 2 missed and 3 caught_up; the retention pass deletes rows older than retention.days")
  void ledgerAfterDowntime(Vertx vertx) throws Exception {
    JsonObject config = TestServer.config(dataDir, TestServer.freePort(), databaseUrl())
        .put("scheduler", new JsonObject().put("enabled", false).put("max_catchup_runs", 3));
    server = TestServer.start(vertx, config);
    List<String> ids = new ArrayList<>();
    for (String misfire : List.of("skip", "once", "all")) {
      JsonObject body = scheduled("ledger-" + misfire, ECHO_SCHEDULED, "0 * * * *");
      body.getJsonObject("schedule").put("misfire", misfire);
      ids.add(create(body).getString("id"));
    }
    MovableClock clock = new MovableClock();
    clock.set(Instant.parse("2026-01-01T00:59:59.400Z"));
    String first = deployScheduler(vertx, config, clock);
    for (String id : ids) {
      List<JsonObject> rows = awaitLedger(id, list -> count(list, "started") == 1, Duration.ofSeconds(5));
      assertEquals(1, rows.size(), rows.toString());
      assertEquals("2026-01-01T01:00:00.000Z", rows.get(0).getString("fire_time"));
      assertNotNull(rows.get(0).getString("run_id"));
    }
    vertx.undeploy(first).await(30, TimeUnit.SECONDS);

    clock.set(Instant.parse("2026-01-01T06:30:00Z"));
    deployScheduler(vertx, config, clock);
    List<String> missedHours = List.of("02", "03", "04", "05", "06");
    // skip: every missed hour is a missed row, none runs
    List<JsonObject> skip = awaitLedger(ids.get(0), list -> list.size() == 6, Duration.ofSeconds(5));
    assertOutcomes(skip, missedHours, List.of("missed", "missed", "missed", "missed", "missed"));
    // once: the latest missed hour is caught up, the others missed
    List<JsonObject> once = awaitLedger(ids.get(1), list -> list.size() == 6 && count(list, "caught_up") == 1,
        Duration.ofSeconds(5));
    assertOutcomes(once, missedHours, List.of("missed", "missed", "missed", "missed", "caught_up"));
    // all: the latest max_catchup_runs (3) are caught up, the older ones missed
    List<JsonObject> all = awaitLedger(ids.get(2), list -> list.size() == 6 && count(list, "caught_up") == 3,
        Duration.ofSeconds(10));
    assertOutcomes(all, missedHours, List.of("missed", "missed", "caught_up", "caught_up", "caught_up"));
    Set<String> allRuns = new HashSet<>();
    runs(ids.get(2)).forEach(run -> allRuns.add(run.getString("id")));
    for (JsonObject row : all) {
      if (row.getString("outcome").equals("caught_up")) {
        assertTrue(allRuns.contains(row.getString("run_id")), row.encode());
      } else if (row.getString("outcome").equals("missed")) {
        assertNull(row.getValue("run_id"));
        assertTrue(row.getString("detail").contains("max_catchup_runs"), row.encode());
      }
    }

    // fire times of 2026-01-01 are older than retention.days (30): the retention pass deletes them
    HttpResponse<String> cleanup = server.api.post("/api/runs/cleanup", new JsonObject());
    assertEquals(200, cleanup.statusCode(), cleanup.body());
    for (String id : ids) {
      assertEquals(List.of(), ledger(id, 1000));
    }
  }

  /** The rows of 02:00 .. 06:00 (after the one of 01:00) have these outcomes, in that order. */
  static void assertOutcomes(List<JsonObject> rows, List<String> hours, List<String> outcomes) {
    List<JsonObject> oldestFirst = new ArrayList<>(rows);
    java.util.Collections.reverse(oldestFirst);
    assertEquals("started", oldestFirst.get(0).getString("outcome"), rows.toString());
    for (int i = 0; i < hours.size(); i++) {
      JsonObject row = oldestFirst.get(i + 1);
      assertEquals("2026-01-01T" + hours.get(i) + ":00:00.000Z", row.getString("fire_time"), rows.toString());
      assertEquals(outcomes.get(i), row.getString("outcome"), rows.toString());
    }
  }
}
