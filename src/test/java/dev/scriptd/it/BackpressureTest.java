package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.bus.Addresses;
import dev.scriptd.domain.LogChunk;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Back-pressure: output the writer has not stored yet is bounded")
class BackpressureTest {
  @TempDir
  Path dataDir;

  @Test
  @DisplayName("while the writer holds back, reading pauses and the child blocks; nothing is lost")
  void readingPausesWhileLinesAreUnwritten(Vertx vertx) throws Exception {
    JsonObject config = TestServer.config(dataDir, TestServer.freePort())
        // a writer that only writes when asked: batches never fill, the timer is a minute away
        .put("persistence", new JsonObject().put("batch_lines", 1_000_000).put("flush_interval_ms", 60_000))
        .put("runs", new JsonObject().put("kill_grace_ms", 500)
            .put("max_unwritten_lines", 1000).put("max_unwritten_wait_ms", 600_000));
    TestServer server = TestServer.start(vertx, config);
    try {
      Api api = server.api;
      JsonObject run = api.startRun("seq 1 200000");
      String id = run.getString("id");
      AtomicLong published = new AtomicLong();
      MessageConsumer<LogChunk> lines = vertx.eventBus().consumer(Addresses.runLog(id),
          message -> published.set(message.body().lastSeq()));
      lines.completion().await(10, TimeUnit.SECONDS);

      // watch for two seconds: the reader must stop near the bound (one 64 KiB read past it at most)
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (System.nanoTime() < end) {
        assertTrue(published.get() < 30_000, "read on past the bound: " + published.get());
        LockSupport.parkNanos(50_000_000L);
      }
      assertEquals("running", api.run(id).getString("status"), "the child waits in write()");

      api.post("/api/runs/" + id + "/kill", null);
      JsonObject ended = api.awaitEnd(id);
      assertEquals("killed", ended.getString("status"));
      List<JsonObject> stored = api.allLines(id);
      assertEquals(ended.getLong("log_lines"), (long) stored.size(), "first " + (stored.isEmpty() ? null : stored.get(0)) + " last " + (stored.isEmpty() ? null : stored.get(stored.size() - 1)));
      // the bound was reached, and the child never finished while it waited in write()
      assertTrue(stored.size() >= 1000 && stored.size() < 200_000, "lines stored: " + stored.size());
      // seq writes in blocks, so the kill may cut its last line short: that one is a prefix
      for (int i = 0; i < stored.size(); i++) {
        String expected = String.valueOf(i + 1);
        String line = stored.get(i).getString("line");
        assertTrue(i == stored.size() - 1 ? expected.startsWith(line) : expected.equals(line), i + ": " + line);
      }
      Processes.awaitGroupGone(run.getInteger("pid"), Duration.ofSeconds(10));
    } finally {
      server.close();
    }
  }
}
