package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code 201} to {@code POST /api/runs} promises that the run row is committed. This kills the
 * server JVM (SIGKILL) while eight clients start runs as fast as they can, restarts it on the same
 * data dir and checks that promise for every run that was acknowledged.
 */
@DisplayName("A server killed while eight clients start runs keeps every run it acknowledged, once")
class CrashUnderLoadTest {
  private static final int CLIENTS = 8;
  /** The kill comes after this many 201s, or after KILL_AFTER, whichever is first. */
  private static final int ACKNOWLEDGED_BEFORE_KILL = 300;
  private static final Duration KILL_AFTER = Duration.ofSeconds(3);
  private static final Set<String> ENDED = Set.of("completed", "failed", "killed", "timed_out", "lost");

  @TempDir
  Path dataDir;
  private final List<Process> servers = new ArrayList<>();

  @AfterEach
  void killServers() {
    servers.forEach(Process::destroyForcibly);
  }

  @Test
  @DisplayName("after a kill -9 during a burst of starts, every run that got a 201 exists, has ended or is lost, and is stored once")
  void everyAcknowledgedRunSurvivesAKillDuringABurstOfStarts() throws Exception {
    int port = TestServer.freePort();
    Api api = new Api("http://127.0.0.1:" + port, TestServer.ADMIN_TOKEN);
    Process first = startServer(port);

    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicInteger duplicateAcks = new AtomicInteger();
    CountDownLatch firstAck = new CountDownLatch(1);
    CountDownLatch enough = new CountDownLatch(ACKNOWLEDGED_BEFORE_KILL);
    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      Thread client = new Thread(() -> startRunsUntilTheServerDies(api, first, acknowledged, duplicateAcks, firstAck, enough),
          "crash-client-" + i);
      client.start();
      clients.add(client);
    }
    // the 3 s count from the first 201, so a slow start of the JVM does not leave the burst empty
    assertTrue(firstAck.await(60, TimeUnit.SECONDS), "no run was acknowledged within a minute");
    enough.await(KILL_AFTER.toMillis(), TimeUnit.MILLISECONDS);
    int acknowledgedAtKill = acknowledged.size();
    first.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no clean stop
    assertTrue(first.waitFor(10, TimeUnit.SECONDS), "the server JVM did not die");
    for (Thread client : clients) {
      client.join(TimeUnit.SECONDS.toMillis(40));
      assertTrue(!client.isAlive(), client.getName() + " is still running after the server died");
    }
    assertTrue(acknowledgedAtKill > 0, "no run was acknowledged before the kill");
    assertEquals(0, duplicateAcks.get(), "the same run id was acknowledged twice");

    startServer(port);
    List<JsonObject> stored = awaitAllEnded(api, Duration.ofSeconds(30));
    Map<String, Integer> times = new HashMap<>();
    for (JsonObject run : stored) {
      times.merge(run.getString("id"), 1, Integer::sum);
    }
    times.forEach((id, count) -> assertEquals(1, count, "run " + id + " is listed " + count + " times"));
    assertTrue(stored.size() >= acknowledged.size(),
        stored.size() + " runs stored, fewer than the " + acknowledged.size() + " acknowledged");
    for (String id : acknowledged) {
      assertTrue(times.containsKey(id), "acknowledged run " + id + " is not listed after the restart");
      JsonObject run = api.run(id);
      assertTrue(ENDED.contains(run.getString("status")), "run " + id + " after the restart: " + run.encode());
    }
  }

  /** POSTs runs back to back until the server stops answering; records the id of every 201. */
  private static void startRunsUntilTheServerDies(Api api, Process server, Set<String> acknowledged,
      AtomicInteger duplicateAcks, CountDownLatch firstAck, CountDownLatch enough) {
    String body = new JsonObject().put("command", "true").encode();
    while (server.isAlive()) {
      HttpResponse<String> response;
      try {
        response = api.client.send(HttpRequest.newBuilder(URI.create(api.base + "/api/runs"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + api.token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
      } catch (Exception refusedOrCut) {
        continue; // the server is dying or dead; the loop condition ends this client
      }
      if (response.statusCode() == 201) {
        if (!acknowledged.add(new JsonObject(response.body()).getString("id"))) {
          duplicateAcks.incrementAndGet();
        }
        firstAck.countDown();
        enough.countDown();
      }
    }
  }

  /** Every stored run (all pages), once none is pending or running any more. */
  private static List<JsonObject> awaitAllEnded(Api api, Duration deadline) {
    Instant end = Instant.now().plus(deadline);
    while (true) {
      List<JsonObject> runs = allRuns(api);
      List<JsonObject> open = runs.stream().filter(run -> !ENDED.contains(run.getString("status"))).toList();
      if (open.isEmpty()) {
        return runs;
      }
      if (Instant.now().isAfter(end)) {
        fail(open.size() + " runs still open " + deadline + " after the restart, e.g. " + open.get(0).encode());
      }
      LockSupport.parkNanos(50_000_000L);
    }
  }

  private static List<JsonObject> allRuns(Api api) {
    List<JsonObject> runs = new ArrayList<>();
    String cursor = null;
    do {
      HttpResponse<String> response = api.get("/api/runs?limit=1000" + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
      assertEquals(200, response.statusCode(), response.body());
      JsonObject page = new JsonObject(response.body());
      JsonArray items = page.getJsonArray("items");
      items.forEach(item -> runs.add((JsonObject) item));
      cursor = page.getString("next_cursor");
    } while (cursor != null);
    return runs;
  }

  private Process startServer(int port) throws Exception {
    Process process = ServerJvm.start(dataDir, port, List.of("--rate-limit=0", "--runs.kill_grace_ms=500"));
    servers.add(process);
    return process;
  }
}
