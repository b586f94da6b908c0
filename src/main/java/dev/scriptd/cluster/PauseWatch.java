package dev.scriptd.cluster;

/**
 * Notices that this node itself stood still (SIGSTOP, a suspended VM, a long GC pause): a tick that
 * comes much later than due. A node that stood still past the failure timeout was declared dead by
 * the others, and on waking its own Hazelcast sees every other member silent and removes them: it
 * is the one cut off, not they. Rules:
 * <ul>
 *   <li>a gap between ticks of more than {@code pauseMs} is a pause; the node is unsettled from then
 *   until {@code settleMs} later (time for Hazelcast to merge it back), or until it is merged back
 *   ({@link #merged});</li>
 *   <li>a gap that has not been ticked yet counts too (a member removal can be handled before the
 *   first tick after the pause);</li>
 *   <li>while unsettled, member removals are not acted on at once but looked at again once settled
 *   ({@link #waitMs}): by then the "removed" members are members again, or really gone.</li>
 * </ul>
 * Thread-safe (ticks on the event loop, questions from Hazelcast's threads).
 */
final class PauseWatch {
  private final long pauseMs;
  private final long settleMs;
  private long lastTick;
  private long unsettledUntil;
  private long lastPauseMs;

  PauseWatch(long pauseMs, long settleMs, long now) {
    this.pauseMs = pauseMs;
    this.settleMs = settleMs;
    this.lastTick = now;
  }

  /** A tick at {@code now}; answers the length of the pause it ends, 0 when there was none. */
  synchronized long tick(long now) {
    long gap = now - lastTick;
    lastTick = now;
    if (gap > pauseMs) {
      unsettledUntil = now + settleMs;
      lastPauseMs = gap;
      return gap;
    }
    return 0;
  }

  /** This node was merged back into the cluster: it is settled. */
  synchronized void merged() {
    unsettledUntil = 0;
  }

  /** How long to wait before acting on a member removal seen at {@code now} (0: act now). */
  synchronized long waitMs(long now) {
    if (now - lastTick > pauseMs) {
      return settleMs; // in a pause not ticked yet
    }
    return Math.max(0, unsettledUntil - now);
  }

  /** Whether this node stood still recently and is not yet known to be back in the cluster. */
  synchronized boolean unsettled(long now) {
    return waitMs(now) > 0;
  }

  /** The length of the last pause, in ms (0: none). */
  synchronized long lastPauseMs() {
    return lastPauseMs;
  }
}
