package dev.scriptd.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Everything the command line touches outside itself: its streams, its environment, whether stdin
 * and stdout are terminals, and how Ctrl-C reaches it. Tests build one with captured streams.
 *
 * @param onInterrupt registers the action to take on Ctrl-C (SIGINT), replacing the JVM's exit
 */
public record Terminal(PrintStream out, PrintStream err, BufferedReader in, Map<String, String> env,
    boolean stdoutIsTerminal, boolean stdinIsTerminal, Consumer<Runnable> onInterrupt) {

  /** The real process: System streams, System.getenv(), ttys found through /proc, SIGINT. */
  public static Terminal system() {
    return new Terminal(System.out, System.err,
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), System.getenv(),
        isTty(1), isTty(0), action -> {
          try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> action.run());
          } catch (IllegalArgumentException unavailable) {
            // no SIGINT here: Ctrl-C then ends the JVM as usual and the run keeps running
          }
        });
  }

  /** The next line of stdin, or null at its end. */
  String readLine() {
    try {
      return in.readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Linux only, like the server: file descriptor {@code fd} points at a terminal device. */
  private static boolean isTty(int fd) {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
