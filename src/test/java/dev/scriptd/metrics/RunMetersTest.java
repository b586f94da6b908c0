package dev.scriptd.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RunMeters: each label set's run meters are registered once and kept, up to a bound")
class RunMetersTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @Test
  @DisplayName("a label set gets the same counter and timer every time, the ones the registry scrapes")
  void keepsTheMetersOfALabelSet() {
    RunMeters meters = new RunMeters(registry, 100);
    RunMeters.Pair first = meters.of("adhoc", "shell", "completed");
    RunMeters.Pair again = meters.of("adhoc", "shell", "completed");
    assertSame(first, again);
    assertSame(registry.get(Meters.EXECUTIONS).tags("script_id", "adhoc", "type", "shell", "status", "completed")
        .counter(), first.executions());
    again.executions().increment();
    again.duration().record(250, TimeUnit.MILLISECONDS);
    assertEquals(1.0, registry.get(Meters.EXECUTIONS).tags("status", "completed").counter().count());
    assertEquals(1, registry.get(Meters.EXECUTION_DURATION).tags("status", "completed").timer().count());
    assertEquals(1, meters.size());
  }

  @Test
  @DisplayName("another script, kind or status is another label set with its own meters")
  void labelSetsAreApart() {
    RunMeters meters = new RunMeters(registry, 100);
    RunMeters.Pair completed = meters.of("adhoc", "shell", "completed");
    assertNotSame(completed.executions(), meters.of("adhoc", "shell", "failed").executions());
    assertNotSame(completed.executions(), meters.of("adhoc", "js", "completed").executions());
    assertNotSame(completed.executions(), meters.of("nightly", "shell", "completed").executions());
    assertEquals(4, meters.size());
    assertEquals(4, registry.find(Meters.EXECUTIONS).counters().size());
  }

  @Test
  @DisplayName("past the bound a label set is not kept, yet it still counts on the registry's one meter")
  void boundedAndStillCounting() {
    RunMeters meters = new RunMeters(registry, 2);
    meters.of("a", "shell", "completed");
    meters.of("b", "shell", "completed");
    RunMeters.Pair third = meters.of("c", "shell", "completed");
    RunMeters.Pair thirdAgain = meters.of("c", "shell", "completed");
    assertEquals(2, meters.size());
    assertSame(third.executions(), thirdAgain.executions());
    third.executions().increment();
    thirdAgain.executions().increment();
    assertEquals(2.0, registry.get(Meters.EXECUTIONS).tags("script_id", "c").counter().count());
  }

  @Test
  @DisplayName("clear forgets the kept meters")
  void clearForgets() {
    RunMeters meters = new RunMeters(registry, 100);
    meters.of("adhoc", "shell", "completed");
    meters.clear();
    assertEquals(0, meters.size());
  }
}
