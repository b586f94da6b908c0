package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ThreadNiceTest {

  /** The nice value in a /proc/.../stat file (the 19th field; the name before it may hold spaces). */
  static int niceOf(Path stat) throws IOException {
    String text = Files.readString(stat);
    return Integer.parseInt(text.substring(text.lastIndexOf(')') + 2).split(" ")[16]);
  }

  @Test
  @DisplayName("raises the calling thread's nice value, only that thread's, and never lowers it")
  void nicesTheCallingThreadOnly() throws Exception {
    int before = niceOf(Path.of("/proc/thread-self/stat"));
    CompletableFuture<List<Integer>> seen = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      try {
        Path self = Path.of("/proc/thread-self/stat");
        List<Integer> nices = new ArrayList<>();
        ThreadNice.atLeast(0);
        nices.add(niceOf(self));
        ThreadNice.atLeast(before + 3);
        nices.add(niceOf(self));
        ThreadNice.atLeast(before + 1);
        nices.add(niceOf(self));
        seen.complete(nices);
      } catch (IOException | RuntimeException e) {
        seen.completeExceptionally(e);
      }
    });
    thread.start();

    assertEquals(List.of(before, before + 3, before + 3), seen.get(10, TimeUnit.SECONDS));
    assertEquals(before, niceOf(Path.of("/proc/thread-self/stat")));
  }
}
