package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RetentionRules: the stored-bytes budget and the age cutoff")
class RetentionRulesTest {

  @Test
  @DisplayName("over budget, the oldest runs go first, and no more than it takes to get within it")
  void oldestFirstUntilWithinBudget() {
    List<Long> sizes = List.of(100L, 200L, 300L, 400L);
    assertEquals(2, RetentionRules.oldestOverBudget(1000, 700, sizes));
    assertEquals(2, RetentionRules.oldestOverBudget(1000, 701, sizes));
    assertEquals(1, RetentionRules.oldestOverBudget(1000, 900, sizes));
    assertEquals(3, RetentionRules.oldestOverBudget(1000, 400, sizes));
    assertEquals(4, RetentionRules.oldestOverBudget(1000, 399, sizes));
  }

  @Test
  @DisplayName("within budget, or with no budget (0), nothing goes; when all are not enough, all go")
  void withinBudgetNothingGoes() {
    List<Long> sizes = List.of(100L, 200L);
    assertEquals(0, RetentionRules.oldestOverBudget(1000, 1000, sizes));
    assertEquals(0, RetentionRules.oldestOverBudget(1000, 0, sizes));
    assertEquals(2, RetentionRules.oldestOverBudget(1000, 10, sizes));
    assertEquals(0, RetentionRules.oldestOverBudget(1000, 10, List.of()));
  }

  @Test
  @DisplayName("the age cutoff is days before now; 0 days takes every finished run")
  void ageCutoff() {
    long now = 1_000_000_000_000L;
    assertEquals(now - TimeUnit.DAYS.toMillis(30), RetentionRules.ageCutoff(now, 30));
    assertEquals(Long.MAX_VALUE, RetentionRules.ageCutoff(now, 0));
  }
}
