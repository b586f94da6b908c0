package dev.scriptd.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.scriptd.domain.LogChunk;
import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.impl.codecs.JsonObjectMessageCodec;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The bodies of the public addresses as they cross a clustered event bus: through the codecs' wire
 * methods, without a cluster.
 */
@DisplayName("Public bus bodies survive the wire form of a clustered event bus")
class WireFormTest {

  @SuppressWarnings("unchecked")
  private static LocalCodec<LogChunk> chunkCodec() {
    return (LocalCodec<LogChunk>) Codecs.all().stream().filter(codec -> codec.type() == LogChunk.class)
        .findFirst().orElseThrow();
  }

  @Test
  @DisplayName("a LogChunk is encoded and decoded by its registered codec, at any buffer position")
  void logChunkRoundTrip() {
    LogChunk chunk = new LogChunk("run-1", List.of(
        new LogLine(7, 1_700_000_000_123L, LogStream.STDOUT, "plain line"),
        new LogLine(8, 1_700_000_000_124L, LogStream.STDERR, "ünïcødé \"quoted\" \\ tab\t€ 😀"),
        new LogLine(9, 1_700_000_000_125L, LogStream.STDOUT, "")), 57);
    LocalCodec<LogChunk> codec = chunkCodec();
    Buffer wire = Buffer.buffer().appendString("cluster-header"); // the codec reads from a position
    int pos = wire.length();
    codec.encodeToWire(wire, chunk);
    wire.appendString("trailing");
    LogChunk back = codec.decodeFromWire(pos, wire);
    assertEquals(chunk.runId(), back.runId());
    assertEquals(chunk.bytes(), back.bytes());
    assertEquals(chunk.lines(), back.lines());
    assertEquals(List.of(7L, 8L, 9L), back.lines().stream().map(LogLine::seq).toList());
    assertEquals(LogStream.STDERR, back.lines().get(1).stream());
    assertEquals(chunk.lines().get(1).timestamp(), back.lines().get(1).timestamp());
  }

  @Test
  @DisplayName("a log query and its page cross to another node's persistence as JSON and come back equal")
  void logQueryAndPageRoundTrip() {
    LogQuery query = new LogQuery("run-1", 41, 2000);
    JsonObjectMessageCodec codec = new JsonObjectMessageCodec();
    Buffer wire = Buffer.buffer();
    codec.encodeToWire(wire, query.toJson());
    assertEquals(query, LogQuery.fromJson(codec.decodeFromWire(0, wire)));
    LogPage page = new LogPage(List.of(new LogLine(42, 1_700_000_000_123L, LogStream.STDOUT, "plain"),
        new LogLine(43, 1_700_000_000_124L, LogStream.STDERR, "ünïcødé \"quoted\" 😀")), 43);
    Buffer answer = Buffer.buffer();
    codec.encodeToWire(answer, page.toJson());
    assertEquals(page, LogPage.fromJson(codec.decodeFromWire(0, answer)));
    assertThrows(IllegalArgumentException.class, () -> LogQuery.fromJson(new JsonObject().put("after_seq", 1)),
        "a query without its run is refused");
  }

  @Test
  @DisplayName("a per-node address is the address with .node.<id>, namespaced or not")
  void perNodeAddresses() {
    assertEquals("scriptd.db.query.logs.node.n-1", Addresses.onNode(Addresses.DB_READ_LOGS, "n-1"));
    assertEquals("scriptd.t2.db.query.logs.node.n-1",
        Addresses.onNode(Namespace.named("scriptd.t2").of(Addresses.DB_READ_LOGS), "n-1"));
  }

  @Test
  @DisplayName("internal record bodies refuse the wire instead of sending something undecodable")
  void internalBodiesAreLocalOnly() {
    @SuppressWarnings("unchecked")
    LocalCodec<Run> runCodec = (LocalCodec<Run>) Codecs.all().stream().filter(codec -> codec.type() == Run.class)
        .findFirst().orElseThrow();
    Run run = Run.pending("r", null, Run.KIND_SHELL, "true", "manual", 10, Map.of(), null, null, Instant.now());
    assertThrows(UnsupportedOperationException.class, () -> runCodec.encodeToWire(Buffer.buffer(), run));
  }

  @Test
  @DisplayName("a run status event (run JSON) round-trips through the JSON wire codec unchanged")
  void runStatusRoundTrip() {
    Instant created = Instant.parse("2026-01-02T03:04:05.678Z");
    Run run = Run.pending("run-2", "script-9", Run.KIND_SHELL, "echo hi", "cron", 60,
            Map.of("A", "1"), "/tmp", "run-1", created)
        .started(4242, 99L, created.plusMillis(5))
        .withLog(3, 120)
        .ended(RunStatus.FAILED, 3, new JsonObject().put("ok", false).put("items", List.of(1, 2)),
            "exit code 3", created.plusMillis(1500));
    JsonObject status = run.toJson();
    JsonObjectMessageCodec codec = new JsonObjectMessageCodec();
    Buffer wire = Buffer.buffer().appendInt(12345);
    codec.encodeToWire(wire, status);
    JsonObject back = codec.decodeFromWire(4, wire);
    assertEquals(status, back);
    assertEquals("failed", back.getString("status"));
    assertEquals(3, back.getInteger("exit_code"));
    assertEquals(1500L - 5L, back.getLong("duration_ms"));
    assertEquals("2026-01-02T03:04:05.678Z", back.getString("created_at"));
    assertEquals(List.of(1, 2), back.getJsonObject("result").getJsonArray("items").getList());
  }
}
