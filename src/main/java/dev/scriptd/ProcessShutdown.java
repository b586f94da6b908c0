package dev.scriptd;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NuProcess registers a JVM shutdown hook of its own unless told not to: at exit it sends TERM to
 * every child it started and reaps them itself, racing scriptd's own stop, which then loses the
 * children's exits and ends their runs {@code lost} instead of {@code killed}. scriptd does that
 * work itself (its handle's shutdown hook stops the runs in order), so the NuProcess hook is turned
 * off, through a system property NuProcess reads once, when it loads: before the first run starts.
 */
final class ProcessShutdown {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessShutdown.class);
  static final String NUPROCESS_HOOK = "com.zaxxer.nuprocess.enableShutdownHook";

  private ProcessShutdown() {
  }

  /** Turns the NuProcess hook off unless the host decided otherwise (then says what that costs). */
  static void disableNuProcessHook() {
    String given = System.getProperty(NUPROCESS_HOOK);
    if (given == null) {
      System.setProperty(NUPROCESS_HOOK, "false");
    } else if (Boolean.parseBoolean(given)) {
      LOG.warn("-D{}=true: NuProcess's shutdown hook races scriptd's own stop at JVM exit, and runs active then"
          + " may end lost instead of killed; leave the property unset (scriptd sets it to false)", NUPROCESS_HOOK);
    }
  }
}
