package dev.scriptd.process;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps runs' processes from outliving a crashed server. One long-lived bash script
 * ({@code reaper.sh}) runs in its own session and reads {@code +PGID START RUNID CGROUP} /
 * {@code -PGID} lines (a run not spawned yet: {@code +run-RUNID 0 RUNID CGROUP} / {@code -run-RUNID},
 * see {@link #registerRun}); when its stdin reaches EOF because this JVM died (or {@link #stop} closed
 * it), it TERMs every process of each still registered run (its group, and its cgroup or the
 * processes carrying its SCRIPTD_RUN_ID), waits the grace, then KILLs and removes the cgroups. Registrations are kept here too, so a
 * reaper that dies is restarted with every live group. Confined to the verticle's context; pipe
 * writes go through ordered executeBlocking, off the event loop and in order.
 */
final class OrphanReaper {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanReaper.class);
  private static final String SCRIPT_VARIABLE = "REAPER_SCRIPT";
  /** The key of a run registered before its spawn (reaper.sh signals no group for it). */
  private static final String RUN_KEY = "run-";

  private final Context context;
  private final long graceMs;
  private final Map<String, String> env;
  private final Path cgroupParent;
  /** pgid (or "run-RUNID" before its spawn, see {@link #registerRun}) to the rest of its registration line. */
  private final Map<String, String> groups = new LinkedHashMap<>();
  private volatile Process process;
  private boolean stopping;

  /**
   * {@code env}: the reaper's whole environment (see ChildEnvironment#base); {@code cgroupParent}:
   * the group of the runs' cgroups this server made, removed by the reaper once empty, or null.
   */
  OrphanReaper(Context context, long graceMs, Map<String, String> env, Path cgroupParent) {
    this.cgroupParent = cgroupParent;
    this.context = context;
    this.graceMs = graceMs;
    this.env = Map.copyOf(env);
  }

  /** Launches the reaper and registers every known group with it (all of them after a restart). */
  Future<Void> start() {
    return context.executeBlocking(this::launch, true).map(started -> {
      // queue the registrations before publishing the process, so no write can overtake them
      groups.forEach((pgid, rest) -> write(started, "+" + pgid + " " + rest + "\n"));
      process = started;
      started.onExit().thenRun(() -> context.runOnContext(v -> died(started)));
      LOG.debug("orphan reaper started, pid {}", started.pid());
      return null;
    });
  }

  /** {@code cgroup}: the run's cgroup directory, or null. */
  void register(int pgid, Long startTime, String runId, Path cgroup) {
    add(Integer.toString(pgid), (startTime == null ? 0L : startTime) + " " + runId + " " + (cgroup == null ? "-" : cgroup));
  }

  void unregister(int pgid) {
    remove(Integer.toString(pgid));
  }

  /**
   * A run about to be spawned before any row of it is stored, known by its id alone (its group is
   * not known yet): if this JVM dies before its row is committed, nothing else knows of its
   * processes, so the reaper ends those carrying its marker (or in its cgroup). Completes once the
   * line reached the reaper (or the reaper is being restarted, which registers it again): spawn only
   * then. {@link #register} the group once spawned, then {@link #unregisterRun}.
   */
  Future<Void> registerRun(String runId, Path cgroup) {
    return add(RUN_KEY + runId, "0 " + runId + " " + (cgroup == null ? "-" : cgroup));
  }

  void unregisterRun(String runId) {
    remove(RUN_KEY + runId);
  }

  private Future<Void> add(String key, String rest) {
    groups.put(key, rest);
    return write("+" + key + " " + rest + "\n");
  }

  private void remove(String key) {
    if (groups.remove(key) != null) {
      write("-" + key + "\n");
    }
  }

  /** Closes the reaper's stdin (call after every run ended) and waits briefly for it to exit. */
  Future<Void> stop() {
    stopping = true;
    Process current = process;
    if (current == null) {
      return Future.succeededFuture();
    }
    return context.executeBlocking(() -> {
      closeQuietly(current);
      current.waitFor(graceMs + 2000, TimeUnit.MILLISECONDS);
      return null;
    }, true);
  }

  /**
   * For tests: closes stdin without unregistering anything, as if this JVM had died, and does not
   * restart the reaper afterwards.
   */
  Future<Void> simulateServerDeath() {
    stopping = true;
    Process current = process;
    return context.executeBlocking(() -> {
      closeQuietly(current);
      return null;
    }, true);
  }

  /** For tests: the pid of the current reaper process, or -1. */
  long pid() {
    Process current = process;
    return current == null ? -1 : current.pid();
  }

  private Process launch() throws IOException {
    String script;
    try (InputStream in = OrphanReaper.class.getResourceAsStream("reaper.sh")) {
      if (in == null) {
        throw new IOException("reaper.sh is missing from the classpath");
      }
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    // setsid: its own session, so a terminal's Ctrl-C or a signal to our group does not reach it.
    // The script reaches bash through fd 3 rather than the command line, so ps shows
    // "scriptd-reaper /dev/fd/3 <grace>" instead of the whole script; stdin stays the pipe from us.
    ProcessBuilder builder = new ProcessBuilder("setsid", "bash", "-c", "s=$" + SCRIPT_VARIABLE + "; unset "
        + SCRIPT_VARIABLE + "; exec -a scriptd-reaper bash /dev/fd/3 \"$@\" 3<<<\"$s\"", "scriptd-reaper",
        Long.toString(graceMs), cgroupParent == null ? "-" : cgroupParent.toString())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    // not the server's environment: a run of the same user could read it from /proc/<pid>/environ
    builder.environment().clear();
    builder.environment().putAll(env);
    builder.environment().put(SCRIPT_VARIABLE, script);
    return builder.start();
  }

  private void died(Process dead) {
    if (stopping || dead != process) {
      return;
    }
    LOG.warn("orphan reaper exited with {}; restarting it", dead.exitValue());
    process = null;
    start().onFailure(e -> LOG.error("could not restart the orphan reaper", e));
  }

  /** Completes once written, or at once without a reaper process (a restart re-registers every group). */
  private Future<Void> write(String line) {
    return write(process, line);
  }

  private Future<Void> write(Process target, String line) {
    if (target == null) {
      return Future.succeededFuture(); // a restart re-registers every group
    }
    byte[] bytes = line.getBytes(StandardCharsets.US_ASCII);
    return context.<Void>executeBlocking(() -> {
      OutputStream stdin = target.getOutputStream();
      stdin.write(bytes);
      stdin.flush();
      return null;
    }, true).recover(e -> {
      // the reaper died: its restart writes every registration again
      LOG.debug("reaper pipe write failed (it will be restarted)", e);
      return Future.succeededFuture();
    });
  }

  private static void closeQuietly(Process target) {
    try {
      target.getOutputStream().close();
    } catch (IOException e) {
      LOG.debug("closing the reaper's stdin", e);
    }
  }
}
