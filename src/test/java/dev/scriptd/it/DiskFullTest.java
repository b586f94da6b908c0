package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("A full disk heals: the data dir on a 30 MB tmpfs is filled, written to, then freed")
class DiskFullTest {
  @TempDir
  Path work;
  private Path mount;
  private boolean mounted;
  private TestServer server;

  @BeforeEach
  void mountTmpfs() throws Exception {
    mount = Files.createDirectories(work.resolve("tmpfs"));
    String output;
    int code;
    try {
      Process process = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=30m", "tmpfs", mount.toString())
          .redirectErrorStream(true).start();
      code = process.waitFor(20, TimeUnit.SECONDS) ? process.exitValue() : -1;
      output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      code = -1;
      output = e.toString();
    }
    mounted = code == 0;
    Assumptions.assumeTrue(mounted, "skipped: this test mounts a 30 MB tmpfs and needs root with mount rights; "
        + "mount -t tmpfs said (exit " + code + "): " + output);
  }

  @AfterEach
  void unmount() throws Exception {
    if (server != null) {
      server.close();
    }
    if (mounted) {
      Process process = new ProcessBuilder("umount", mount.toString()).redirectErrorStream(true).start();
      if (!process.waitFor(20, TimeUnit.SECONDS) || process.exitValue() != 0) {
        new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor(20, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  @DisplayName("writes fail fast with 507 naming the disk, /health goes DOWN, buffered lines are written once space returns: every line once, counters right, no restart")
  void fullDiskHeals(Vertx vertx) throws Exception {
    Path data = mount.resolve("data");
    server = TestServer.start(vertx, TestServer.config(data, TestServer.freePort())
        .put("health", new JsonObject().put("min_free_bytes", 2_000_000)));
    Api api = server.api;
    Path stop = work.resolve("stop");
    // numbered lines, 50 every 10 ms, until told to stop; then one last line with the count
    String id = api.startRun("i=0; while [ ! -e '" + stop + "' ]; do i=$((i+1)); echo $i;"
        + " if [ $((i % 50)) -eq 0 ]; then sleep 0.01; fi; done; echo end $i").getString("id");
    api.awaitRun(id, run -> run.getLong("log_lines") >= 2000, Duration.ofSeconds(30));
    // a run that ends while the disk is full
    Path finish = work.resolve("finish");
    String ending = api.startRun("while [ ! -e '" + finish + "' ]; do sleep 0.05; done; echo finished").getString("id");
    api.awaitRun(ending, run -> "running".equals(run.getString("status")), Duration.ofSeconds(30));

    Path filler = mount.resolve("filler");
    fill(filler);

    JsonObject down = awaitHealth(api, 503, health -> "DOWN".equals(check(health, "disk").getString("status"))
        && "DOWN".equals(check(health, "writer_queue").getString("status")));
    assertTrue(check(down, "writer_queue").getString("error").contains("disk"), down.encode());

    long began = System.nanoTime();
    HttpResponse<String> script = api.post("/api/scripts", new JsonObject().put("name", "during").put("command", "true"));
    assertDiskFull(script, data);
    assertDiskFull(api.post("/api/runs", new JsonObject().put("command", "echo during")), data);
    assertTrue(System.nanoTime() - began < TimeUnit.SECONDS.toNanos(3), "failed fast");
    // the run goes on printing meanwhile: its lines wait in memory
    awaitHealth(api, 503, health -> check(health, "writer_queue").getLong("pending_lines") > 2000);
    Files.createFile(finish);
    Processes.awaitGroupGone(api.run(ending).getInteger("pid"), Duration.ofSeconds(10));

    Files.delete(filler);
    awaitHealth(api, 200, health -> true);
    Files.createFile(stop);
    JsonObject ended = api.awaitEnd(id);
    assertEquals("completed", ended.getString("status"), ended.encode());
    JsonObject endedDuring = api.awaitEnd(ending);
    assertEquals("completed", endedDuring.getString("status"), "its end was kept and written: " + endedDuring.encode());
    assertEquals("finished", api.allLines(ending).get(0).getString("line"));

    List<JsonObject> lines = api.allLines(id);
    String last = lines.get(lines.size() - 1).getString("line");
    assertTrue(last.startsWith("end "), last);
    long printed = Long.parseLong(last.substring(4));
    long bytes = 0;
    for (int i = 0; i < lines.size(); i++) {
      bytes += lines.get(i).getString("line").getBytes(StandardCharsets.UTF_8).length + 1;
    }
    if (lines.size() == printed + 1) {
      for (int i = 0; i < printed; i++) {
        assertEquals(i + 1, lines.get(i).getLong("seq"));
        assertEquals(String.valueOf(i + 1), lines.get(i).getString("line"));
      }
      assertEquals(bytes, ended.getLong("log_bytes"), "log_bytes counts every stored line once");
    } else {
      // what could not be kept is counted and reported
      long lost = printed + 1 - lines.size();
      assertTrue(ended.getString("error") != null && ended.getString("error").contains(String.valueOf(lost)),
          "lines lost: " + lost + "; " + ended.encode());
      assertTrue(Scrape.of(api).value("scriptd_log_lines_dropped_total") >= lost, "dropped lines counted");
    }
    assertEquals(lines.size(), ended.getLong("log_lines"));

    HttpResponse<String> after = api.post("/api/scripts", new JsonObject().put("name", "after").put("command", "echo after"));
    assertEquals(201, after.statusCode(), after.body());
    JsonObject afterRun = api.awaitEnd(new JsonObject(api.post("/api/scripts/after/run", new JsonObject()).body())
        .getString("id"));
    assertEquals("completed", afterRun.getString("status"), afterRun.encode());
    assertEquals(2.0, Scrape.of(api).value("script_executions_total", "script_id", "adhoc", "type", "shell",
        "status", "completed"));
  }

  @Test
  @DisplayName("a script save that finds the disk full is a 507; once space returns the writer recovers by itself and saves work again")
  void writerRecoversAfterAFullDisk(Vertx vertx) throws Exception {
    Path data = mount.resolve("data");
    server = TestServer.start(vertx, TestServer.config(data, TestServer.freePort())
        .put("health", new JsonObject().put("min_free_bytes", 2_000_000)));
    Api api = server.api;
    Path filler = mount.resolve("filler");
    fill(filler);
    String big = "echo " + "x".repeat(60_000);
    HttpResponse<String> refused = null;
    for (int i = 0; i < 200 && refused == null; i++) {
      HttpResponse<String> response = api.post("/api/scripts", new JsonObject().put("name", "big-" + i).put("command", big));
      if (response.statusCode() != 201) {
        refused = response;
      }
    }
    assertTrue(refused != null, "the disk never filled");
    assertDiskFull(refused, data);
    awaitHealth(api, 503, health -> "DOWN".equals(check(health, "writer_queue").getString("status")));

    Files.delete(filler);
    awaitHealth(api, 200, health -> true);
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> saved = api.post("/api/scripts", new JsonObject().put("name", "after-" + i)
          .put("command", "echo after"));
      assertEquals(201, saved.statusCode(), saved.body());
    }
    String id = new JsonObject(api.post("/api/scripts/after-0/run", new JsonObject()).body()).getString("id");
    assertEquals("completed", api.awaitEnd(id).getString("status"));
  }

  /** Writes until the file system refuses another byte. */
  private static void fill(Path filler) throws IOException {
    ByteBuffer block = ByteBuffer.allocate(1 << 20);
    try (FileChannel channel = FileChannel.open(filler, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      for (int size : new int[] {1 << 20, 4096, 1}) {
        try {
          while (true) {
            block.clear().limit(size);
            channel.write(block);
          }
        } catch (IOException full) {
          // next, smaller writes
        }
      }
    }
  }

  private static void assertDiskFull(HttpResponse<String> response, Path data) {
    assertEquals(507, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
    String detail = new JsonObject(response.body()).getString("detail");
    assertTrue(detail.contains("disk") && detail.contains(data.toString()), response.body());
  }

  private static JsonObject check(JsonObject health, String name) {
    return health.getJsonObject("checks").getJsonObject(name);
  }

  private static JsonObject awaitHealth(Api api, int status, Predicate<JsonObject> until) {
    Instant end = Instant.now().plus(Duration.ofSeconds(30));
    HttpResponse<String> response = api.get("/health");
    while (response.statusCode() != status || !until.test(new JsonObject(response.body()))) {
      if (Instant.now().isAfter(end)) {
        fail("health never became " + status + " as expected: " + response.body());
      }
      LockSupport.parkNanos(50_000_000L);
      response = api.get("/health");
    }
    return new JsonObject(response.body());
  }
}
