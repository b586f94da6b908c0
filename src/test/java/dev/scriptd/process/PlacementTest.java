package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Placement: the live node with the fewest running runs, this node on a tie, a burst spread")
class PlacementTest {
  private static final List<String> MEMBERS = List.of("a", "b", "c");

  @Test
  @DisplayName("the node that reported the fewest running runs gets the run")
  void fewestRunningWins() {
    Placement placement = new Placement();
    placement.reported("b", 1, 1000);
    placement.reported("c", 4, 1000);
    assertEquals("b", placement.target("a", 3, MEMBERS, 1000));
  }

  @Test
  @DisplayName("on a tie this node keeps the run")
  void aTieStaysHere() {
    Placement placement = new Placement();
    placement.reported("a", 2, 1000);
    placement.reported("b", 2, 1000);
    placement.reported("c", 2, 1000);
    assertEquals("c", placement.target("c", 2, MEMBERS, 1000));
    assertEquals("a", placement.target("a", 2, MEMBERS, 1000));
  }

  @Test
  @DisplayName("a burst of starts before any new report spreads evenly: each placement counts at once")
  void aBurstSpreads() {
    Placement placement = new Placement();
    placement.reported("b", 0, 1000);
    placement.reported("c", 0, 1000);
    Map<String, Integer> placed = new HashMap<>();
    for (int i = 0; i < 21; i++) {
      String target = placement.target("a", 0, MEMBERS, 1000);
      placement.placed(target);
      placed.merge(target, 1, Integer::sum);
    }
    assertEquals(Map.of("a", 7, "b", 7, "c", 7), placed);
  }

  @Test
  @DisplayName("a report replaces the placements counted before it")
  void aReportResetsThePlacements() {
    Placement placement = new Placement();
    placement.reported("b", 0, 1000);
    placement.placed("b");
    placement.placed("b");
    assertEquals("a", placement.target("a", 1, List.of("a", "b"), 1000));
    placement.reported("b", 0, 1100); // those two ended already
    assertEquals("b", placement.target("a", 1, List.of("a", "b"), 1100));
  }

  @Test
  @DisplayName("a member that never reported, reported too long ago, or left the cluster gets nothing")
  void silentStaleAndGoneNodesGetNothing() {
    Placement placement = new Placement();
    placement.reported("b", 0, 1000);
    assertEquals("b", placement.target("a", 5, MEMBERS, 1000 + Placement.STALE_MS));
    assertEquals("a", placement.target("a", 5, MEMBERS, 1001 + Placement.STALE_MS), "b's report is stale");
    placement.placed("c"); // placed on a node never heard of: still not a candidate
    assertEquals("a", placement.target("a", 5, MEMBERS, 1001 + Placement.STALE_MS), "b stale, c never reported");
    assertEquals("a", placement.target("a", 5, List.of("a", "c"), 1000), "b left");
    assertEquals("a", placement.target("a", 5, MEMBERS, 1000), "b left: its report went with it");
  }
}
