package dev.scriptd.process;

/**
 * The processes of one run, however they are contained: its cgroup ({@link #of(RunCgroup, int, Long)})
 * or its process group and the processes that kept its {@code SCRIPTD_RUN_ID}
 * ({@link #of(int, Long, String)}). The methods block (signals, /proc and cgroup files): call them
 * from a worker.
 */
interface RunProcesses {
  /** Sends {@code sig} to every process of the run; true when one got it. */
  boolean signal(int sig);

  /** Whether a live (non-zombie) process of the run is left. */
  boolean anyAlive();

  /** A cgroup: every descendant, whatever session or group it made for itself. */
  static RunProcesses of(RunCgroup cgroup, int pgid, Long leaderStart) {
    return new RunProcesses() {
      @Override
      public boolean signal(int sig) {
        boolean group = ProcessGroups.signalGroup(pgid, leaderStart, sig);
        if (sig == ProcessGroups.SIGKILL) {
          cgroup.killAll();
          return true;
        }
        return cgroup.signalAll(sig) | group;
      }

      @Override
      public boolean anyAlive() {
        return cgroup.populated();
      }

      @Override
      public String toString() {
        return "cgroup " + cgroup.dir();
      }
    };
  }

  /**
   * The process group, and the processes that left it but kept the run's marker in their
   * environment (see {@link ProcessGroups#marked}).
   */
  static RunProcesses of(int pgid, Long leaderStart, String runId) {
    return new RunProcesses() {
      @Override
      public boolean signal(int sig) {
        boolean any = ProcessGroups.signalGroup(pgid, leaderStart, sig);
        for (int pid : ProcessGroups.marked(runId)) {
          any |= ProcessGroups.signal(pid, sig);
        }
        return any;
      }

      @Override
      public boolean anyAlive() {
        return ProcessGroups.hasLiveMembers(pgid) || !ProcessGroups.marked(runId).isEmpty();
      }

      @Override
      public String toString() {
        return "process group " + pgid;
      }
    };
  }
}
