package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HandOverTest {
  /** A context that runs its tasks only when told, in order. */
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private final List<String> received = new ArrayList<>();
  private final List<List<LogLine>> chunks = new ArrayList<>();
  private long seq;
  private boolean failOutput;

  private final HandOver handOver = new HandOver(tasks::add, new HandOver.Target() {
    @Override
    public void output(List<LogLine> lines, long bytes) {
      chunks.add(lines);
      received.add("output " + lines.get(0).seq() + ".." + lines.get(lines.size() - 1).seq() + " " + bytes + "B");
      if (failOutput) {
        throw new IllegalStateException("broken consumer");
      }
    }

    @Override
    public void exited(int nuProcessCode, ExitWaiter.Status status) {
      received.add("exit " + nuProcessCode);
    }
  });

  private List<LogLine> read(int count) {
    List<LogLine> lines = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      lines.add(new LogLine(++seq, 0, LogStream.STDOUT, "x"));
    }
    return lines;
  }

  private void runTasks() {
    while (!tasks.isEmpty()) {
      tasks.poll().run();
    }
  }

  @Test
  @DisplayName("reads that arrive while a task is queued join it: one task, one chunk, in order")
  void coalescesWhileQueued() {
    handOver.lines(read(1), 2);
    handOver.lines(read(2), 4);
    handOver.lines(read(3), 6);

    assertEquals(1, tasks.size());
    runTasks();
    assertEquals(List.of("output 1..6 12B"), received);
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), chunks.get(0).stream().map(LogLine::seq).toList());
  }

  @Test
  @DisplayName("a read after the task ran queues a new one")
  void queuesAgainAfterDelivery() {
    handOver.lines(read(1), 2);
    runTasks();
    handOver.lines(read(1), 2);

    assertEquals(1, tasks.size());
    runTasks();
    assertEquals(List.of("output 1..1 2B", "output 2..2 2B"), received);
  }

  @Test
  @DisplayName("the exit comes after every line, even when it is reported while lines wait")
  void exitAfterAllOutput() {
    handOver.lines(read(2), 4);
    handOver.exit(0, null);
    assertEquals(1, tasks.size());
    runTasks();
    assertEquals(List.of("output 1..2 4B", "exit 0"), received);

    handOver.exit(7, null); // a spawn failure: no output at all
    runTasks();
    assertEquals(List.of("output 1..2 4B", "exit 0", "exit 7"), received);
  }

  @Test
  @DisplayName("a task takes at most MAX_LINES (whole reads) and queues the rest; the exit waits for it")
  void boundsEachTask() {
    int perRead = 1000;
    int reads = HandOver.MAX_LINES / perRead + 2;
    for (int i = 0; i < reads; i++) {
      handOver.lines(read(perRead), perRead);
    }
    handOver.exit(0, null);

    runTasks();

    assertEquals(2, chunks.size());
    assertTrue(chunks.get(0).size() <= HandOver.MAX_LINES);
    assertEquals((long) reads * perRead, chunks.stream().mapToLong(List::size).sum());
    assertEquals("exit 0", received.get(received.size() - 1));
    assertEquals(chunks.get(0).get(chunks.get(0).size() - 1).seq() + 1, chunks.get(1).get(0).seq());
  }

  @Test
  @DisplayName("one read bigger than the bound is still delivered whole")
  void oversizedReadGoesAlone() {
    handOver.lines(read(HandOver.MAX_LINES + 5), 1);
    handOver.lines(read(1), 1);
    runTasks();
    assertEquals(List.of("output 1.." + (HandOver.MAX_LINES + 5) + " 1B",
        "output " + (HandOver.MAX_LINES + 6) + ".." + (HandOver.MAX_LINES + 6) + " 1B"), received);
  }

  @Test
  @DisplayName("a consumer that throws still gets the exit")
  void exitSurvivesFailingOutput() {
    failOutput = true;
    handOver.lines(read(1), 2);
    handOver.exit(1, null);
    runTasks();
    assertEquals(List.of("output 1..1 2B", "exit 1"), received);
  }
}
