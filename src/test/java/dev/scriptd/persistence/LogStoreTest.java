package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.bus.LogPage;
import dev.scriptd.domain.LogChunk;
import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LogStoreTest extends PersistenceTestBase {

  @Test
  void hundredThousandLinesComeBackCompleteAndInOrder() {
    Run run = save(runningRun(T0));
    Random random = new Random(7);
    long seq = 1;
    long bytes = 0;
    while (seq <= 100_000) {
      int size = (int) Math.min(1 + random.nextInt(700), 100_001 - seq);
      LogChunk chunk = chunk(run.id(), seq, size);
      append(chunk);
      bytes += chunk.bytes();
      seq += size;
    }

    long expected = 1;
    long since = 0;
    while (true) {
      LogPage page = readLogs(run.id(), since, 1000);
      if (page.lines().isEmpty()) {
        assertEquals(since, page.nextSince());
        break;
      }
      assertTrue(page.lines().size() <= 1000);
      for (LogLine line : page.lines()) {
        assertEquals(expectedLine(expected), line);
        expected++;
      }
      assertEquals(expected - 1, page.nextSince());
      since = page.nextSince();
    }
    assertEquals(100_001, expected);

    Run stored = get(run.id());
    assertEquals(100_000, stored.logLines());
    assertEquals(bytes, stored.logBytes());
  }

  @Test
  void readRightAfterAppendSeesTheLines() {
    redeploy(new JsonObject().put("flush_interval_ms", 60_000).put("batch_lines", 1_000_000));
    Run run = save(runningRun(T0));

    append(chunk(run.id(), 1, 5));
    LogPage page = readLogs(run.id(), 0, 100);

    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), page.lines().stream().map(LogLine::seq).toList());
    assertEquals(5, page.nextSince());
  }

  @Test
  void readHonoursAfterSeqAndLimit() {
    Run run = save(runningRun(T0));
    append(chunk(run.id(), 1, 30));
    append(chunk(run.id(), 31, 30));

    LogPage page = readLogs(run.id(), 25, 10);

    assertEquals(expectedLines(26, 10), page.lines());
    assertEquals(35, page.nextSince());
    assertEquals(List.of(), readLogs(run.id(), 60, 10).lines());
    assertEquals(60, readLogs(run.id(), 60, 10).nextSince());
    assertEquals(List.of(), readLogs("no-such-run", 0, 10).lines());
  }

  @Test
  void flushHappensAtBatchLinesWithoutTheTimer() throws Exception {
    redeploy(new JsonObject().put("flush_interval_ms", 60_000).put("batch_lines", 100));
    Run run = save(runningRun(T0));

    for (int i = 0; i < 4; i++) {
      append(chunk(run.id(), 1 + i * 25, 25));
    }

    long deadline = System.currentTimeMillis() + 10_000;
    long stored = 0;
    while (System.currentTimeMillis() < deadline) {
      stored = queryLong("SELECT COALESCE(SUM(line_count), 0) FROM log_chunks");
      if (stored == 100) {
        break;
      }
      Thread.onSpinWait();
    }
    assertEquals(100, stored, "lines in the file before the deadline");
    assertEquals(100, queryLong("SELECT log_lines FROM runs"));
  }

  @Test
  void timerFlushesASmallBatch() throws Exception {
    redeploy(new JsonObject().put("flush_interval_ms", 20).put("batch_lines", 1_000_000));
    Run run = save(runningRun(T0));

    append(chunk(run.id(), 1, 3));

    long deadline = System.currentTimeMillis() + 10_000;
    long stored = 0;
    while (System.currentTimeMillis() < deadline && stored < 3) {
      stored = queryLong("SELECT COALESCE(SUM(line_count), 0) FROM log_chunks");
    }
    assertEquals(3, stored);
  }

  @Test
  void undeployWritesTheLastBatch() {
    redeploy(new JsonObject().put("flush_interval_ms", 60_000).put("batch_lines", 1_000_000));
    Run run = save(runningRun(T0));
    append(chunk(run.id(), 1, 42));

    redeploy(new JsonObject());

    assertEquals(expectedLines(1, 42), readLogs(run.id(), 0, 1000).lines());
    assertEquals(42, get(run.id()).logLines());
  }

  @Test
  void saveRunFlushesItsLinesFirst() throws Exception {
    redeploy(new JsonObject().put("flush_interval_ms", 60_000).put("batch_lines", 1_000_000));
    Run run = save(runningRun(T0));
    append(chunk(run.id(), 1, 10));

    Run ended = save(run.ended(RunStatus.COMPLETED, 0, null, null, Instant.ofEpochMilli(T0 + 9)));

    assertEquals(10, queryLong("SELECT COALESCE(SUM(line_count), 0) FROM log_chunks"));
    assertEquals(10, get(ended.id()).logLines());
  }

  @Test
  void linesStoredBeforeTheRunRowAreCounted() {
    Run run = runningRun(T0);
    LogChunk chunk = chunk(run.id(), 1, 7);
    append(chunk);
    readLogs(run.id(), 0, 1);

    save(run);

    assertEquals(7, get(run.id()).logLines());
    assertEquals(chunk.bytes(), get(run.id()).logBytes());
  }

  @Test
  void rowsHoldManyLinesAndSplitAtGapsAndCaps() {
    List<LogChunk> chunks = List.of(chunk("r", 1, 1500), chunk("r", 1501, 1500),
        chunk("r", 5000, 3));
    LogBlobCodec codec = new LogBlobCodec();

    assertEquals(3, LogBatcher.rowsOf("r", chunks, codec).size());
    assertEquals(2000L, LogBatcher.rowsOf("r", chunks, codec).get(0).getLong(2));
    assertEquals(5000L, LogBatcher.rowsOf("r", chunks, codec).get(2).getLong(1));
    codec.close();
  }

  private static List<LogLine> expectedLines(long first, int count) {
    List<LogLine> lines = new ArrayList<>();
    for (long seq = first; seq < first + count; seq++) {
      lines.add(expectedLine(seq));
    }
    return lines;
  }

  private static LogLine expectedLine(long seq) {
    String text = "line " + seq + (seq % 7 == 0 ? " \u001b[32mok\u001b[0m é" : "");
    return new LogLine(seq, T0 + seq, seq % 3 == 0 ? LogStream.STDERR : LogStream.STDOUT, text);
  }
}
