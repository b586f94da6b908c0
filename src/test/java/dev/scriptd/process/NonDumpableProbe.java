package dev.scriptd.process;

import java.io.IOException;

/**
 * A process for {@link NonDumpableTest}: with the argument {@code protect} it makes itself
 * non-dumpable as the server does, prints {@code ready <pid>} and waits until its stdin closes.
 */
public final class NonDumpableProbe {
  private NonDumpableProbe() {
  }

  public static void main(String[] args) throws IOException {
    boolean protect = args.length > 0 && args[0].equals("protect");
    if (protect && !NonDumpable.apply()) {
      System.out.println("failed");
      return;
    }
    System.out.println("ready " + ProcessHandle.current().pid());
    System.out.flush();
    while (System.in.read() >= 0) {
      // wait for the test to close stdin
    }
  }
}
