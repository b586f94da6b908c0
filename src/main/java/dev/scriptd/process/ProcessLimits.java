package dev.scriptd.process;

import dev.scriptd.domain.RunLimits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The argv of a run: {@code [/bin/sh -c 'enter the cgroup, exec the rest'] setsid [prlimit --cpu --as --nofile --nproc --] [setpriv --reuid --regid
 * --clear-groups] [nice -n N] <shell> -c COMMAND}. Each program execs the next, so the pid NuProcess
 * sees stays the process group id, and the limits hold for the shell and everything it starts
 * (rlimits are inherited across fork and exec; prlimit sets soft and hard, so a child cannot raise
 * them back). RLIMIT_NPROC counts every process of the real uid, and root ignores it: it only
 * bounds a run when {@code limits.user} runs it under a dedicated uid. {@code limits} are the
 * limits the run gets (every field set, see {@link RunLimits#resolve}). With a cgroup per run, the
 * first program writes its own pid to the run's {@code cgroup.procs} and only then execs the rest,
 * so the command and everything it starts are in the group from their first instruction (as root,
 * before setpriv drops the rights that move needs); when it cannot, the run fails with 125.
 */
final class ProcessLimits {
  private ProcessLimits() {
  }

  /** The exit code of a run that could not enter its cgroup. */
  static final int CANNOT_ENTER_CGROUP = 125;

  /** Without a cgroup. */
  static List<String> command(RunLimits limits, String user, String shell, String command) {
    return command(null, limits, user, shell, command);
  }

  /**
   * {@code cgroupProcs}: the {@code cgroup.procs} file of the run's cgroup, or null;
   * {@code user}: {@code limits.user} of the config, or null.
   */
  static List<String> command(Path cgroupProcs, RunLimits limits, String user, String shell, String command) {
    List<String> argv = new ArrayList<>();
    if (cgroupProcs != null) {
      argv.add("/bin/sh");
      argv.add("-c");
      argv.add("{ echo $$ > \"$1\"; } 2>/dev/null || { echo \"scriptd: could not enter the run's cgroup ($1)\" >&2; exit "
          + CANNOT_ENTER_CGROUP + "; }; shift; exec \"$@\"");
      argv.add("scriptd-run");
      argv.add(cgroupProcs.toString());
    }
    argv.add("setsid");
    if (limits.cpuSeconds() > 0 || limits.memoryBytes() > 0 || limits.openFiles() > 0
        || limits.maxProcesses() > 0) {
      argv.add("prlimit");
      if (limits.cpuSeconds() > 0) {
        argv.add("--cpu=" + limits.cpuSeconds());
      }
      if (limits.memoryBytes() > 0) {
        argv.add("--as=" + limits.memoryBytes());
      }
      if (limits.openFiles() > 0) {
        argv.add("--nofile=" + limits.openFiles());
      }
      if (limits.maxProcesses() > 0) {
        argv.add("--nproc=" + limits.maxProcesses());
      }
      argv.add("--");
    }
    if (user != null) {
      int colon = user.indexOf(':');
      String uid = colon < 0 ? user : user.substring(0, colon);
      String gid = colon < 0 ? user : user.substring(colon + 1);
      argv.add("setpriv");
      argv.add("--reuid=" + uid);
      argv.add("--regid=" + gid);
      argv.add("--clear-groups");
      argv.add("--");
    }
    if (limits.nice() > 0) {
      argv.add("nice");
      argv.add("-n");
      argv.add(Integer.toString(limits.nice()));
    }
    argv.add(shell);
    argv.add("-c");
    argv.add(command);
    return argv;
  }
}
