package dev.scriptd.cron;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parsing cron expressions by Vixie cron's rules: the 5-field UNIX form ({@code minute hour
 * day-of-month month day-of-week}), the same with seconds first (6 fields), or a macro
 * ({@code @daily} ...). Every error names the field and the value that is wrong, in our words.
 *
 * <p>Each field is a comma list of {@code *}, {@code N}, {@code N-M}, each with an optional
 * {@code /step}; {@code N/step} means {@code N-max/step} (as cronie and most crons take it). Months
 * and days of the week may be names ({@code JAN}, {@code mon}); Sunday is 0 or 7, a range may start
 * at {@code SUN} (0) and one ending at {@code SUN} means 7 ({@code FRI-SUN}). {@code ?} alone in a
 * day field means {@code *}, so Quartz-style expressions written for the 6-field form keep working.
 */
public final class Crons {
  /** The macros and what they stand for, as in Vixie cron (@reboot has no fire time, so it is not one). */
  private static final Map<String, String> MACROS = Map.of(
      "@yearly", "0 0 1 1 *",
      "@annually", "0 0 1 1 *",
      "@monthly", "0 0 1 * *",
      "@weekly", "0 0 * * 0",
      "@daily", "0 0 * * *",
      "@midnight", "0 0 * * *",
      "@hourly", "0 * * * *");
  private static final String MACRO_LIST = "@yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly";
  /** Digits beyond this many are out of every range (and would overflow an int). */
  private static final int MAX_DIGITS = 9;

  private enum Field {
    SECOND("second", 0, 59, null, "a number 0-59"),
    MINUTE("minute", 0, 59, null, "a number 0-59"),
    HOUR("hour", 0, 23, null, "a number 0-23"),
    DAY_OF_MONTH("day-of-month", 1, 31, null, "a number 1-31"),
    MONTH("month", 1, 12, List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
        "a number 1-12 or a month name JAN-DEC"),
    DAY_OF_WEEK("day-of-week", 0, 7, List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"),
        "a number 0-7 (0 and 7 are Sunday) or a day name SUN-SAT");

    final String label;
    final int min;
    final int max;
    final List<String> names;
    final String expected;

    Field(String label, int min, int max, List<String> names, String expected) {
      this.label = label;
      this.min = min;
      this.max = max;
      this.names = names;
      this.expected = expected;
    }

    boolean isDay() {
      return this == DAY_OF_MONTH || this == DAY_OF_WEEK;
    }
  }

  private Crons() {
  }

  /** Parses and validates; throws IllegalArgumentException saying which field and value are wrong. */
  public static CronExpression parse(String expression) {
    String text = expression == null ? "" : expression.trim();
    if (text.startsWith("@")) {
      String macro = MACROS.get(text.toLowerCase(Locale.ROOT));
      if (macro == null) {
        throw new IllegalArgumentException("'" + text + "' is not a macro; use " + MACRO_LIST);
      }
      text = macro;
    }
    String[] fields = text.isEmpty() ? new String[0] : text.split("\\s+");
    if (fields.length != 5 && fields.length != 6) {
      throw new IllegalArgumentException("has " + fields.length + " fields; use 5 (minute hour day-of-month month "
          + "day-of-week), 6 with seconds first, or a macro such as @daily");
    }
    int at = fields.length - 5;
    long seconds = at == 1 ? field(Field.SECOND, fields[0]) : 1L; // the 5-field form fires at second 0
    long minutes = field(Field.MINUTE, fields[at]);
    long hours = field(Field.HOUR, fields[at + 1]);
    long daysOfMonth = field(Field.DAY_OF_MONTH, fields[at + 2]);
    long months = field(Field.MONTH, fields[at + 3]);
    long daysOfWeek = field(Field.DAY_OF_WEEK, fields[at + 4]);
    if ((daysOfWeek & (1L << 7)) != 0) {
      daysOfWeek = (daysOfWeek | 1L) & ~(1L << 7); // 7 is Sunday too
    }
    boolean dayStar = unrestricted(fields[at + 2]) || unrestricted(fields[at + 4]);
    return new CronExpression(seconds, minutes, hours, daysOfMonth, months, daysOfWeek, dayStar);
  }

  /** Vixie's test for the day rule: a day field that starts with {@code *} does not restrict the other. */
  private static boolean unrestricted(String field) {
    return field.startsWith("*") || field.equals("?");
  }

  private static long field(Field field, String text) {
    if (text.equals("?")) {
      if (!field.isDay()) {
        throw new IllegalArgumentException(field.label + " '?' is not allowed: '?' may only stand for a whole "
            + "day-of-month or day-of-week");
      }
      return bits(field.min, field.max, 1);
    }
    long bits = 0;
    for (String item : text.split(",", -1)) {
      if (item.isEmpty()) {
        throw new IllegalArgumentException(field.label + " '" + text + "' has an empty item in its list");
      }
      bits |= item(field, item);
    }
    return bits;
  }

  /** One list item: {@code *}, {@code N}, {@code N-M}, optionally followed by {@code /step}. */
  private static long item(Field field, String item) {
    String range = item;
    int step = 1;
    int slash = item.indexOf('/');
    if (slash >= 0) {
      range = item.substring(0, slash);
      step = step(field, item, item.substring(slash + 1));
    }
    int low;
    int high;
    if (range.equals("*")) {
      low = field.min;
      high = field.max;
    } else {
      int dash = range.indexOf('-', 1);
      if (dash < 0) {
        low = value(field, item, range, false);
        high = slash >= 0 ? field.max : low;
      } else {
        low = value(field, item, range.substring(0, dash), false);
        high = value(field, item, range.substring(dash + 1), true);
        if (low > high) {
          throw new IllegalArgumentException(field.label + " range '" + range + "' goes backwards; a range runs "
              + "from low to high (" + field.min + "-" + field.max + "), use a list for a wrap-around");
        }
      }
    }
    return bits(low, high, step);
  }

  private static int step(Field field, String item, String text) {
    int step = text.isEmpty() || text.length() > MAX_DIGITS || !digits(text) ? 0 : Integer.parseInt(text);
    if (step < 1) {
      throw new IllegalArgumentException(field.label + " '" + item + "' has step '/" + text
          + "'; a step is a whole number of at least 1");
    }
    return step;
  }

  /** A number or a name; {@code rangeEnd}: SUN closing a range is 7, so MON-SUN means Monday to Sunday. */
  private static int value(Field field, String item, String token, boolean rangeEnd) {
    if (token.isEmpty()) {
      throw new IllegalArgumentException(field.label + " '" + item + "' is incomplete: " + field.expected
          + " is missing");
    }
    if (digits(token)) {
      int value = token.length() > MAX_DIGITS ? Integer.MAX_VALUE : Integer.parseInt(token);
      if (value < field.min || value > field.max) {
        throw new IllegalArgumentException(field.label + " " + token + " is out of range " + field.min + "-"
            + field.max);
      }
      return value;
    }
    int index = field.names == null ? -1 : field.names.indexOf(token.toUpperCase(Locale.ROOT));
    if (index >= 0) {
      if (field == Field.MONTH) {
        return index + 1;
      }
      return rangeEnd && index == 0 ? 7 : index;
    }
    String quartz = field.isDay() && token.toUpperCase(Locale.ROOT).matches(".*[LW#].*")
        ? " (L, W and # are Quartz extensions, not cron)" : "";
    throw new IllegalArgumentException(field.label + " '" + token + "' is not " + field.expected + quartz);
  }

  private static boolean digits(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return false;
      }
    }
    return !text.isEmpty();
  }

  private static long bits(int low, int high, int step) {
    long bits = 0;
    for (int value = low; value <= high; value += step) {
      bits |= 1L << value;
    }
    return bits;
  }
}
