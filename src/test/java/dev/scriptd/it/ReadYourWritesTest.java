package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads answered by each HTTP instance from the run view still see every acknowledged change:
 * each request goes on a new connection, so consecutive requests land on different instances.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Read-your-writes across HTTP instances: a run view that is never behind an acknowledgement")
class ReadYourWritesTest {
  private static final Set<String> LATER_THAN_RUNNING = Set.of("running", "completed", "failed", "killed");

  @TempDir
  Path dataDir;
  TestServer server;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    JsonObject config = TestServer.config(dataDir, TestServer.freePort());
    config.put("http", new JsonObject().put("instances", 3));
    // 240 requests with one token in a few seconds: the per-token rate limit is not what is tested
    config.put("rate_limit", 0);
    // a small view: lists reach below its floor and are answered by the reader pool
    config.put("persistence", new JsonObject().put("view_runs", 20));
    server = TestServer.start(vertx, config);
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  /** One request on a connection of its own (Connection: close): status and body. */
  private record Reply(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private Reply fresh(String method, String path, String body) {
    try (Socket socket = new Socket("127.0.0.1", server.port)) {
      socket.setSoTimeout(30_000);
      byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
          + "Authorization: Bearer " + TestServer.ADMIN_TOKEN + "\r\n"
          + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + content.length + "\r\n")
          + "\r\n";
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(content);
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      String text = all.toString(StandardCharsets.UTF_8);
      int status = Integer.parseInt(text.substring(9, 12));
      int split = text.indexOf("\r\n\r\n");
      return new Reply(status, text.substring(split + 4));
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " failed: " + e, e);
    }
  }

  private static List<String> ids(JsonObject page) {
    return page.getJsonArray("items").stream().map(item -> ((JsonObject) item).getString("id")).toList();
  }

  @Test
  void everyRunAPostAcknowledgedIsSeenByTheNextGetAndListOnAnyInstance() throws Exception {
    int clients = 8;
    int runsEach = 10;
    ConcurrentLinkedQueue<String> started = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        done.add(pool.submit(() -> {
          for (int i = 0; i < runsEach; i++) {
            Reply created = fresh("POST", "/api/runs", "{\"command\":\"true\"}");
            assertEquals(201, created.status(), created.body());
            String id = created.json().getString("id");
            started.add(id);

            Reply read = fresh("GET", "/api/runs/" + id, null);
            assertEquals(200, read.status(), "GET after the 201 of " + id + ": " + read.body());
            assertEquals(id, read.json().getString("id"));
            String status = read.json().getString("status");
            assertTrue(status.equals(created.json().getString("status")) || LATER_THAN_RUNNING.contains(status),
                created.json().getString("status") + " then " + status);

            Reply list = fresh("GET", "/api/runs?limit=1000", null);
            assertEquals(200, list.status(), list.body());
            assertTrue(ids(list.json()).contains(id), "the list after the 201 holds " + id);
          }
          return null;
        }));
      }
      for (Future<?> client : done) {
        client.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(clients * runsEach, started.size());
  }

  @Test
  void aKillOrDeleteAcknowledgedIsSeenByTheNextReadOnAnyInstance() {
    Reply script = fresh("POST", "/api/scripts",
        "{\"name\":\"one-at-a-time\",\"command\":\"sleep 30\",\"concurrency\":\"queue\"}");
    assertEquals(201, script.status(), script.body());
    String scriptId = script.json().getString("id");
    Reply first = fresh("POST", "/api/scripts/" + scriptId + "/run", null);
    Reply second = fresh("POST", "/api/scripts/" + scriptId + "/run", null);
    assertEquals(201, second.status(), second.body());
    String running = first.json().getString("id");
    String queued = second.json().getString("id");
    assertEquals("pending", second.json().getString("status"));

    // the queued run: its kill saves "killed" before the 202
    Reply killedQueued = fresh("POST", "/api/runs/" + queued + "/kill", null);
    assertEquals(202, killedQueued.status(), killedQueued.body());
    assertEquals("killed", killedQueued.json().getString("status"));
    assertEquals("killed", fresh("GET", "/api/runs/" + queued, null).json().getString("status"));
    assertTrue(ids(fresh("GET", "/api/runs?status=killed", null).json()).contains(queued));
    assertTrue(ids(fresh("GET", "/api/scripts/" + scriptId + "/runs?status=pending", null).json()).isEmpty());

    // the running run: the 202 says running (it ends after SIGTERM); a read shows that or later
    Reply killedRunning = fresh("POST", "/api/runs/" + running + "/kill", null);
    assertEquals(202, killedRunning.status(), killedRunning.body());
    String after = fresh("GET", "/api/runs/" + running, null).json().getString("status");
    assertTrue(after.equals(killedRunning.json().getString("status")) || after.equals("killed"), after);
    server.api.awaitRun(running, run -> "killed".equals(run.getString("status")), Duration.ofSeconds(20));

    // a delete's 204: gone from the next read and list, and from the stats
    long before = fresh("GET", "/api/runs/stats", null).json().getLong("killed");
    assertEquals(204, fresh("DELETE", "/api/runs/" + queued, null).status());
    assertEquals(404, fresh("GET", "/api/runs/" + queued, null).status());
    assertTrue(!ids(fresh("GET", "/api/runs?limit=1000", null).json()).contains(queued));
    assertEquals(before - 1, fresh("GET", "/api/runs/stats", null).json().getLong("killed"));
  }

  @Test
  void aPinAcknowledgedIsSeenByTheNextGetAndListOnAnyInstanceEvenAfterTheSamePagesWereRead() {
    Reply created = fresh("POST", "/api/runs", "{\"command\":\"true\"}");
    assertEquals(201, created.status(), created.body());
    String id = created.json().getString("id");
    server.api.awaitRun(id, run -> "completed".equals(run.getString("status")), Duration.ofSeconds(20));

    // pin, then unpin: before each change the same reads are made several times (three instances, a
    // new connection each), so the run's JSON and the page are the ones the view keeps
    for (boolean pinned : new boolean[] {true, false}) {
      for (int i = 0; i < 6; i++) {
        assertEquals(!pinned, fresh("GET", "/api/runs/" + id, null).json().getBoolean("pinned"));
        assertEquals(!pinned, pinnedInList(id, "/api/runs?limit=5"));
      }
      Reply pin = fresh(pinned ? "POST" : "DELETE", "/api/runs/" + id + "/pin", null);
      assertEquals(200, pin.status(), pin.body());
      assertEquals(pinned, pin.json().getBoolean("pinned"));
      for (int i = 0; i < 6; i++) {
        assertEquals(pinned, fresh("GET", "/api/runs/" + id, null).json().getBoolean("pinned"), "read " + i);
        assertEquals(pinned, pinnedInList(id, "/api/runs?limit=5"), "list " + i);
      }
    }
  }

  /** The pinned field of run {@code id} on a list page. */
  private boolean pinnedInList(String id, String path) {
    Reply list = fresh("GET", path, null);
    assertEquals(200, list.status(), list.body());
    return list.json().getJsonArray("items").stream().map(item -> (JsonObject) item)
        .filter(run -> run.getString("id").equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError(id + " not on " + path + ": " + list.body()))
        .getBoolean("pinned");
  }
}
