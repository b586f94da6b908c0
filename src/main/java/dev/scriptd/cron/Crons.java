package dev.scriptd.cron;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Cron expressions: the 5-field UNIX form, or 6 fields with seconds first (Spring's form). */
public final class Crons {
  private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  private static final CronParser WITH_SECONDS =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING));

  private Crons() {
  }

  /** Parses and validates; throws IllegalArgumentException saying why it is not valid. */
  public static Cron parse(String expression) {
    String trimmed = expression == null ? "" : expression.trim();
    int fields = trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
    if (fields != 5 && fields != 6) {
      throw new IllegalArgumentException("has " + fields + " fields; use 5 (minute hour day month weekday) "
          + "or 6 with seconds first");
    }
    try {
      return (fields == 5 ? UNIX : WITH_SECONDS).parse(trimmed).validate();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() == null ? "is not a valid cron expression"
          : e.getMessage(), e);
    }
  }

  /** The next {@code count} fire times strictly after {@code after}, in {@code zone}. */
  public static List<Instant> next(Cron cron, ZoneId zone, Instant after, int count) {
    ExecutionTime times = ExecutionTime.forCron(cron);
    List<Instant> result = new ArrayList<>(count);
    ZonedDateTime cursor = after.atZone(zone);
    for (int i = 0; i < count; i++) {
      Optional<ZonedDateTime> next = times.nextExecution(cursor);
      if (next.isEmpty()) {
        break;
      }
      cursor = next.get();
      result.add(cursor.toInstant());
    }
    return result;
  }
}
