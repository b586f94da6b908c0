package dev.scriptd.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.scriptd.domain.LogChunk;
import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunIo;
import dev.scriptd.domain.RunLimits;
import dev.scriptd.domain.RunLineage;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.domain.RunUsage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.impl.codecs.JsonObjectMessageCodec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  @SuppressWarnings("unchecked")
  private static <T> LocalCodec<T> codec(Class<T> type) {
    return (LocalCodec<T>) Codecs.all().stream().filter(codec -> codec.type() == type).findFirst().orElseThrow();
  }

  /** {@code value} through its registered codec's wire methods, at a position inside a buffer. */
  private static <T> T overTheWire(Class<T> type, T value) {
    LocalCodec<T> codec = codec(type);
    Buffer wire = Buffer.buffer().appendString("cluster-header");
    int pos = wire.length();
    codec.encodeToWire(wire, value);
    wire.appendString("trailing");
    return codec.decodeFromWire(pos, wire);
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
    RunQuery query = new RunQuery(null, null, null, null, 10, null);
    assertThrows(UnsupportedOperationException.class, () -> codec(RunQuery.class).encodeToWire(Buffer.buffer(), query));
  }

  /** A run with every field set to something other than its default, internal ones too. */
  static Run everyField() {
    Instant created = Instant.parse("2026-01-02T03:04:05.678901234Z");
    return new Run("run-7", "script-3", Run.KIND_SHELL, "echo $X", RunStatus.FAILED, 3, 4242, 987654321L, 40,
        "retry", created, created.plusNanos(1_500_000), created.plusSeconds(2), 60, 12, 345, "run-1",
        new JsonObject().put("ok", false).put("items", new JsonArray().add(1).add("two")), "exit code 3",
        Map.of("X", "1", "TOKEN", "secret-value"), "/tmp/work",
        RunLimits.fromStored(new JsonObject().put("cpu_seconds", 5).put("memory_bytes", 1048576).encode()), true,
        "alice", new RunIo(new JsonObject().put("region", "eu").put("password", "hunter2"), Set.of("password"),
            new JsonObject().put("count", "3")),
        new RunLineage("run-0", "run-5", 3, created.plusSeconds(30), 2),
        new RunUsage(10L, 20L, 4096L, 3L, RunUsage.CGROUP), "node-b");
  }

  @Test
  @DisplayName("a Run crosses the wire with every field, its internal ones (env, pid start, limits, secret params, chain depth) too")
  void runRoundTripKeepsEveryField() {
    Run run = everyField();
    Run back = overTheWire(Run.class, run);
    assertEquals(run, back);
    assertEquals(run.io().params(), back.io().params());
    assertEquals(run.io().secretParams(), back.io().secretParams());
    assertEquals(run.io().outputs(), back.io().outputs());
    assertEquals(run.createdAt(), back.createdAt(), "full precision");
    assertEquals(2, back.lineage().chainDepth());
    Run pending = Run.pending("run-8", null, Run.KIND_SHELL, "true", "api", 10, Map.of(), null, null, Instant.now());
    assertEquals(pending, overTheWire(Run.class, pending));
  }

  @Test
  @DisplayName("a StartScript crosses the wire with every field but its resolved definition, named by its id instead")
  void startScriptRoundTrip() {
    StartScript how = new StartScript("nightly", null, Map.of("A", "1"), "cron", "input", new JsonObject().put("q", 1),
        true, "bob", new JsonObject().put("n", 2), 5, "node-c");
    StartScript back = overTheWire(StartScript.class, how);
    assertEquals(how.scriptRef(), back.scriptRef());
    assertEquals(how.env(), back.env());
    assertEquals(how.trigger(), back.trigger());
    assertEquals(how.stdin(), back.stdin());
    assertEquals(how.request(), back.request());
    assertEquals(how.waitForEnd(), back.waitForEnd());
    assertEquals(how.createdBy(), back.createdBy());
    assertEquals(how.params(), back.params());
    assertEquals(how.awaitLines(), back.awaitLines());
    assertEquals(how.node(), back.node());
    StartScript bare = StartScript.of("s", Map.of(), "api");
    StartScript bareBack = overTheWire(StartScript.class, bare);
    assertEquals(bare.params(), bareBack.params());
    assertEquals(null, bareBack.node());
  }

  @Test
  @DisplayName("a RunEnd (with and without lines) and a ScriptRunsCommand cross the wire")
  void repliesAndCommandsRoundTrip() {
    LogPage page = new LogPage(List.of(new LogLine(1, 1_700_000_000_001L, LogStream.STDOUT, "one"),
        new LogLine(2, 1_700_000_000_002L, LogStream.STDERR, "twö")), 2);
    RunEnd end = overTheWire(RunEnd.class, new RunEnd(everyField(), page));
    assertEquals(everyField(), end.run());
    assertEquals(page, end.lines());
    assertEquals(null, overTheWire(RunEnd.class, new RunEnd(everyField(), null)).lines());
    ScriptRunsCommand command = new ScriptRunsCommand("s", ScriptRunsCommand.Action.RESTART, "carol");
    assertEquals(command, overTheWire(ScriptRunsCommand.class, command));
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
