package dev.scriptd.domain;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The process and output limits of a run. Two uses of one shape:
 * <ul>
 * <li>the server's defaults ({@code limits} of the config), and the limits a run gets: every field
 * set, {@code 0} meaning "no limit" for the four rlimits;</li>
 * <li>an override (a script's {@code limits}, kept with each of its runs): {@code null} fields take
 * the default.</li>
 * </ul>
 * An override may only tighten: a lower rlimit (any value when the server sets none), a higher
 * niceness, a smaller output cap, {@code kill} instead of {@code truncate}. {@link #checkWithin}
 * names each field that would loosen the server's limit, and {@link #resolve} caps a stored override
 * again when a run starts, so a default lowered after the script was saved still holds.
 */
public record RunLimits(Long cpuSeconds, Long memoryBytes, Long openFiles, Long maxProcesses,
    Integer nice, Long maxLogBytes, String onLogLimit) {

  public static final RunLimits NONE = new RunLimits(null, null, null, null, null, null, null);
  public static final String TRUNCATE = "truncate";
  public static final String KILL = "kill";

  /** One field: its API name, how to read it, its range, and what "tighter" means for the message. */
  private record Field(String name, Function<RunLimits, Object> value, long min, long max, String bound) {
  }

  private static final List<Field> FIELDS = List.of(
      new Field("cpu_seconds", RunLimits::cpuSeconds, 1, 31_536_000, "at most"),
      new Field("memory_bytes", RunLimits::memoryBytes, 1, 1L << 50, "at most"),
      new Field("open_files", RunLimits::openFiles, 1, 1 << 20, "at most"),
      new Field("max_processes", RunLimits::maxProcesses, 1, 1 << 22, "at most"),
      new Field("nice", RunLimits::nice, 0, 19, "at least"),
      new Field("max_log_bytes", RunLimits::maxLogBytes, 1024, 1L << 50, "at most"),
      new Field("on_log_limit", RunLimits::onLogLimit, 0, 0, ""));

  /** The fields that limit a process (not its output); they mean nothing to a JavaScript run. */
  public static final List<String> PROCESS_FIELDS = List.of("cpu_seconds", "memory_bytes", "open_files",
      "max_processes", "nice");

  public boolean isEmpty() {
    return equals(NONE);
  }

  public boolean killOnLogLimit() {
    return KILL.equals(onLogLimit);
  }

  /**
   * An override read from its API, bus or stored JSON form ({@code null}: none). Every problem goes
   * to {@code problems} as (field, message), the field named {@code limits.<name>}; a field with a
   * problem is left unset.
   */
  public static RunLimits parse(Object raw, BiConsumer<String, String> problems) {
    if (raw == null) {
      return NONE;
    }
    if (!(raw instanceof JsonObject json)) {
      problems.accept("limits", "must be an object such as {\"cpu_seconds\": 10, \"on_log_limit\": \"kill\"} or null");
      return NONE;
    }
    for (String key : json.fieldNames()) {
      if (FIELDS.stream().noneMatch(field -> field.name.equals(key))) {
        problems.accept("limits." + key, key.equals("user")
            ? "cannot be set per script (limits.user of the server config applies to every run)"
            : "is not a limit; use " + String.join(", ", FIELDS.stream().map(Field::name).toList()));
      }
    }
    Long[] numbers = new Long[FIELDS.size() - 1];
    for (int i = 0; i < numbers.length; i++) {
      numbers[i] = number(json, FIELDS.get(i), problems);
    }
    Object onLimit = json.getValue("on_log_limit");
    if (onLimit != null && !TRUNCATE.equals(onLimit) && !KILL.equals(onLimit)) {
      problems.accept("limits.on_log_limit", "must be \"truncate\" or \"kill\"");
      onLimit = null;
    }
    return new RunLimits(numbers[0], numbers[1], numbers[2], numbers[3],
        numbers[4] == null ? null : numbers[4].intValue(), numbers[5], (String) onLimit);
  }

  /** A stored override (null or empty text: none). */
  public static RunLimits fromStored(String json) {
    return json == null || json.isEmpty() ? NONE : parse(new JsonObject(json), (field, message) -> { });
  }

  private static Long number(JsonObject json, Field field, BiConsumer<String, String> problems) {
    Object value = json.getValue(field.name);
    if (value == null) {
      return null;
    }
    if (value instanceof Number number && number.doubleValue() == Math.rint(number.doubleValue())
        && number.doubleValue() >= field.min && number.doubleValue() <= field.max) {
      return number.longValue();
    }
    problems.accept("limits." + field.name, "must be a whole number " + field.min + ".." + field.max);
    return null;
  }

  /** The set fields in their API form ({@code {}} for none). */
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    for (Field field : FIELDS) {
      Object value = field.value.apply(this);
      if (value != null) {
        json.put(field.name, value);
      }
    }
    return json;
  }

  /** The stored form: null for none. */
  public String toStored() {
    return isEmpty() ? null : toJson().encode();
  }

  /**
   * These are the server's defaults (every field set): the limits a run with {@code override} gets,
   * each override field capped so it is never looser than the default.
   */
  public RunLimits resolve(RunLimits override) {
    return new RunLimits(
        lower(cpuSeconds, override.cpuSeconds),
        lower(memoryBytes, override.memoryBytes),
        lower(openFiles, override.openFiles),
        lower(maxProcesses, override.maxProcesses),
        override.nice == null ? nice : Math.max(nice, override.nice),
        lower(maxLogBytes, override.maxLogBytes),
        override.onLogLimit == null || killOnLogLimit() ? onLogLimit : override.onLogLimit);
  }

  /** The tighter of a default (0: none) and an override value (null: not set). */
  private static Long lower(Long fallback, Long value) {
    return value == null ? fallback : fallback == 0 ? value : Math.min(fallback, value);
  }

  /** This is an override: reports each field that is looser than the server's {@code defaults}. */
  public void checkWithin(RunLimits defaults, BiConsumer<String, String> problems) {
    RunLimits allowed = defaults.resolve(this);
    for (Field field : FIELDS) {
      Object asked = field.value.apply(this);
      Object granted = field.value.apply(allowed);
      if (asked != null && !Objects.equals(asked, granted)) {
        problems.accept("limits." + field.name, "must be " + (field.bound.isEmpty() ? "" : field.bound + " ")
            + granted + ", the server's limits." + field.name + " (a script may tighten the limits, not loosen them)");
      }
    }
  }

  /** The names of the process fields this override sets. */
  public List<String> processFieldsSet() {
    Map<String, Object> set = toJson().getMap();
    return PROCESS_FIELDS.stream().filter(set::containsKey).toList();
  }
}
