package dev.scriptd.process;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a new run goes in a cluster: the live node with the fewest running runs, this node on a tie
 * (then the oldest member). A node's count is what it last reported (each run owner publishes its
 * own) plus the runs this node placed there since that report, so a burst of starts spreads before
 * the nodes report again. A member that never reported, or not for {@link #STALE_MS}, runs no
 * scriptd here or does not answer: it gets nothing. Pure rules, confined to the run owner's context.
 */
final class Placement {
  /** A report older than this is not trusted: the node is stuck, leaving, or not a scriptd node. */
  static final long STALE_MS = 5000;

  private record Load(int running, long reportedAt, int placedSince) {
  }

  private final Map<String, Load> loads = new HashMap<>();

  /** {@code node} says it runs {@code running} runs now: what was placed there before is in it. */
  void reported(String node, int running, long now) {
    loads.put(node, new Load(running, now, 0));
  }

  /** This node placed a run on {@code node}: counted there until that node's next report. */
  void placed(String node) {
    Load load = loads.get(node);
    loads.put(node, load == null ? new Load(0, Long.MIN_VALUE, 1)
        : new Load(load.running(), load.reportedAt(), load.placedSince() + 1));
  }

  /** What this node counts on each node that reported (fresh or not): reported plus placed since. */
  Map<String, Integer> known() {
    Map<String, Integer> counts = new HashMap<>();
    loads.forEach((node, load) -> {
      if (load.reportedAt() != Long.MIN_VALUE) {
        counts.put(node, load.running() + load.placedSince());
      }
    });
    return counts;
  }

  /**
   * The node for a new run among {@code members} (oldest first); {@code self} (running
   * {@code selfRunning} by its own count) on a tie, and whenever no other node qualifies.
   */
  String target(String self, int selfRunning, List<String> members, long now) {
    loads.keySet().retainAll(members);
    Load own = loads.get(self);
    String best = self;
    int fewest = selfRunning + (own == null ? 0 : own.placedSince());
    for (String member : members) {
      if (member.equals(self)) {
        continue;
      }
      Load load = loads.get(member);
      if (load == null || load.reportedAt() == Long.MIN_VALUE || now - load.reportedAt() > STALE_MS) {
        continue;
      }
      int count = load.running() + load.placedSince();
      if (count < fewest) {
        best = member;
        fewest = count;
      }
    }
    return best;
  }
}
