package dev.scriptd.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.config.SecurityConfig;
import dev.scriptd.domain.RunLimits;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A script's schedule: Vixie cron forms are accepted, a wrong one is refused in our words")
class ScriptScheduleSpecTest {
  private static final RunLimits DEFAULTS = SecurityConfig.fromJson(new JsonObject()).limits().perRun();

  private static ScriptSpec.Parsed withCron(String cron) {
    return ScriptSpec.parse(new JsonObject().put("name", "s").put("command", "true")
        .put("schedule", new JsonObject().put("cron", cron)), 3600, DEFAULTS);
  }

  @Test
  @DisplayName("macros, ranges from SUN and both day fields together are valid schedules")
  void vixieFormsAreAccepted() {
    for (String cron : new String[] {"@daily", "@annually", "0 0 * * SUN-TUE", "0 0 12 13 * 5", "0 12 13 * FRI"}) {
      assertTrue(withCron(cron).valid(), cron + ": " + withCron(cron).errors().encode());
    }
  }

  @Test
  @DisplayName("an invalid cron is a schedule.cron error naming the field and the value, never the library's words")
  void invalidCronNamesFieldAndValue() {
    JsonArray errors = withCron("0 0 * * MON-FUN").errors();
    assertEquals(1, errors.size(), errors.encode());
    assertEquals("schedule.cron", errors.getJsonObject(0).getString("field"));
    assertEquals("'0 0 * * MON-FUN' is not a valid cron expression: day-of-week 'FUN' is not a number 0-7 "
        + "(0 and 7 are Sunday) or a day name SUN-SAT", errors.getJsonObject(0).getString("message"));
    assertEquals("'@reboot' is not a valid cron expression: '@reboot' is not a macro; use @yearly, @annually, "
        + "@monthly, @weekly, @daily, @midnight or @hourly",
        withCron("@reboot").errors().getJsonObject(0).getString("message"));
  }
}
