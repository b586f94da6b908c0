package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.scriptd.bus.ScheduleFire;
import dev.scriptd.metrics.Meters;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Schedule ledger store: its cursors, and the outcomes the metric knows")
class ScheduleLedgerStoreTest {
  @Test
  @DisplayName("a cursor gives back its fire time; a run cursor or garbage is refused")
  void cursors() {
    assertEquals(1_767_229_200_000L, ScheduleLedgerStore.decode(ScheduleLedgerStore.encode(1_767_229_200_000L)));
    assertThrows(IllegalArgumentException.class, () -> ScheduleLedgerStore.decode("nope!"));
    assertThrows(IllegalArgumentException.class,
        () -> ScheduleLedgerStore.decode(new RunCursor(1, "x").encode()));
  }

  @Test
  @DisplayName("scriptd_schedule_fires_total has a series for every ledger outcome")
  void metricOutcomes() {
    assertEquals(ScheduleFire.OUTCOMES, Meters.FIRE_OUTCOMES);
  }
}
