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
  /** A context that runs its tasks, and its timers, only when told, in order. */
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private final ArrayDeque<Runnable> timers = new ArrayDeque<>();
  private final List<Long> delays = new ArrayList<>();
  private final List<String> received = new ArrayList<>();
  private final List<List<LogLine>> chunks = new ArrayList<>();
  private long seq;
  private boolean failOutput;

  private final HandOver handOver = new HandOver(new HandOver.Runner() {
    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    @Override
    public void later(long delayMs, Runnable task) {
      delays.add(delayMs);
      timers.add(task);
    }
  }, 3, new HandOver.Target() {
    @Override
    public void output(OutputBatch output) {
      List<LogLine> lines = output.lines();
      long bytes = output.readBytes();
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

  /** A read's lines with the raw bytes they came from (the text figures do not matter here). */
  private static OutputBatch batch(List<LogLine> lines, long bytes) {
    return new OutputBatch(lines, bytes, 0, false);
  }

  private void runTasks() {
    while (!tasks.isEmpty()) {
      tasks.poll().run();
    }
  }

  /** Runs the tasks, then each timer (and what it queues) until nothing is left. */
  private void runAll() {
    runTasks();
    while (!timers.isEmpty()) {
      timers.poll().run();
      runTasks();
    }
  }

  @Test
  @DisplayName("the first read goes at once; reads meanwhile join one paced delivery, in order")
  void coalescesWhileQueued() {
    handOver.lines(batch(read(1), 2));
    handOver.lines(batch(read(2), 4));
    assertEquals(1, tasks.size());
    runTasks();
    assertEquals(List.of("output 1..3 6B"), received);

    handOver.lines(batch(read(1), 2));
    handOver.lines(batch(read(3), 6));
    assertEquals(0, tasks.size(), "no wake-up while a delivery is paced");
    assertEquals(1, timers.size());
    runAll();

    assertEquals(List.of("output 1..3 6B", "output 4..7 8B"), received);
    assertEquals(List.of(3L, 3L), delays);
    assertEquals(List.of(4L, 5L, 6L, 7L), chunks.get(1).stream().map(LogLine::seq).toList());
  }

  @Test
  @DisplayName("a paced delivery that finds nothing ends the pacing: the next read goes at once")
  void quietAfterAnEmptyDelivery() {
    handOver.lines(batch(read(1), 2));
    runAll();
    assertEquals(List.of("output 1..1 2B"), received);
    assertTrue(tasks.isEmpty() && timers.isEmpty());

    handOver.lines(batch(read(1), 2));
    assertEquals(1, tasks.size());
    runAll();
    assertEquals(List.of("output 1..1 2B", "output 2..2 2B"), received);
  }

  @Test
  @DisplayName("the exit comes after every line, at once when it arrives with them or while paced")
  void exitAfterAllOutput() {
    handOver.lines(batch(read(2), 4));
    handOver.exit(0, null);
    assertEquals(1, tasks.size());
    runTasks();
    assertEquals(List.of("output 1..2 4B", "exit 0"), received);
    assertTrue(timers.isEmpty());

    handOver.exit(7, null); // a spawn failure: no output at all
    runAll();
    assertEquals(List.of("output 1..2 4B", "exit 0", "exit 7"), received);
  }

  @Test
  @DisplayName("an exit reported while a delivery is paced does not wait for the pace, and follows the last lines")
  void exitWhilePaced() {
    handOver.lines(batch(read(1), 2));
    runTasks();
    handOver.lines(batch(read(1), 2));
    assertTrue(tasks.isEmpty());
    handOver.exit(3, null);

    runTasks();

    assertEquals(List.of("output 1..1 2B", "output 2..2 2B", "exit 3"), received);
    runAll(); // the pace timer fires after the end and finds nothing
    assertEquals(List.of("output 1..1 2B", "output 2..2 2B", "exit 3"), received);
  }

  @Test
  @DisplayName("a delivery takes at most MAX_LINES (whole reads) and runs again at once for the rest")
  void boundsEachTask() {
    int perRead = 1000;
    int reads = HandOver.MAX_LINES / perRead + 2;
    for (int i = 0; i < reads; i++) {
      handOver.lines(batch(read(perRead), perRead));
    }
    handOver.exit(0, null);

    runTasks();

    assertEquals(2, chunks.size());
    assertTrue(timers.isEmpty());
    assertTrue(chunks.get(0).size() <= HandOver.MAX_LINES);
    assertEquals((long) reads * perRead, chunks.stream().mapToLong(List::size).sum());
    assertEquals("exit 0", received.get(received.size() - 1));
    assertEquals(chunks.get(0).get(chunks.get(0).size() - 1).seq() + 1, chunks.get(1).get(0).seq());
  }

  @Test
  @DisplayName("one read bigger than the bound is still delivered whole")
  void oversizedReadGoesAlone() {
    handOver.lines(batch(read(HandOver.MAX_LINES + 5), 1));
    handOver.lines(batch(read(1), 1));
    runAll();
    assertEquals(List.of("output 1.." + (HandOver.MAX_LINES + 5) + " 1B",
        "output " + (HandOver.MAX_LINES + 6) + ".." + (HandOver.MAX_LINES + 6) + " 1B"), received);
  }

  @Test
  @DisplayName("a consumer that throws still gets the exit")
  void exitSurvivesFailingOutput() {
    failOutput = true;
    handOver.lines(batch(read(1), 2));
    handOver.exit(1, null);
    runAll();
    assertEquals(List.of("output 1..1 2B", "exit 1"), received);
  }
}
