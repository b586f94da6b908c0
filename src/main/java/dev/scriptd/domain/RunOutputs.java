package dev.scriptd.domain;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The outputs a run declares: {@code name=value} lines of a shell run's {@code SCRIPTD_OUTPUT}
 * file, or {@code setOutput(name, value)} calls of a js program. The last value of a name wins; at
 * most {@link #MAX_NAMES} names and {@link #MAX_BYTES} bytes (names and values, UTF-8) are kept,
 * and {@link #dropped} says what was not. Not thread-safe: one run's collector.
 */
public final class RunOutputs {
  public static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
  public static final int MAX_NAMES = 100;
  public static final int MAX_BYTES = 65_536;
  /** How many dropped names the error lists by name. */
  private static final int NAMED = 10;

  private final Map<String, Object> values = new LinkedHashMap<>();
  private long bytes;
  private final List<String> droppedNames = new ArrayList<>();
  private int droppedForSize;
  private int badLines;
  private long fileBytes = -1;

  /**
   * Keeps {@code value} (a string, number, boolean or JSON value) under {@code name}; false when
   * the name is invalid or a limit drops it.
   */
  public boolean put(String name, Object value) {
    if (name == null || !NAME.matcher(name).matches()) {
      badLines++;
      return false;
    }
    long size = size(name, value);
    Object previous = values.get(name);
    long without = previous == null && !values.containsKey(name) ? bytes : bytes - size(name, previous);
    if (!values.containsKey(name) && values.size() >= MAX_NAMES) {
      if (!droppedNames.contains(name)) {
        droppedNames.add(name);
      }
      return false;
    }
    if (without + size > MAX_BYTES) {
      droppedForSize++;
      return false;
    }
    values.put(name, value);
    bytes = without + size;
    return true;
  }

  /** A value dropped before it could be measured (too large to convert): counted like one over the limit. */
  public void dropForSize() {
    droppedForSize++;
  }

  /**
   * The content of an output file: {@code name=value} lines (a trailing CR is dropped). With
   * {@code totalBytes} larger than {@code content} the file was read only in part: its last,
   * possibly cut, line is not taken.
   */
  public void parseFile(byte[] content, long totalBytes) {
    String text = new String(content, StandardCharsets.UTF_8);
    boolean cut = totalBytes > content.length;
    if (cut) {
      fileBytes = totalBytes;
      int lastNewline = text.lastIndexOf('\n');
      text = lastNewline < 0 ? "" : text.substring(0, lastNewline + 1);
    }
    for (String line : text.split("\n", -1)) {
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.isEmpty()) {
        continue;
      }
      int equals = line.indexOf('=');
      if (equals <= 0) {
        badLines++;
        continue;
      }
      put(line.substring(0, equals), line.substring(equals + 1));
    }
  }

  public JsonObject outputs() {
    return new JsonObject(new LinkedHashMap<>(values));
  }

  /** What was not kept, in words for the run's {@code error}; null when everything was. */
  public String dropped() {
    List<String> parts = new ArrayList<>();
    if (fileBytes >= 0) {
      parts.add("the output file has " + fileBytes + " bytes and only the first " + MAX_BYTES + " were read");
    }
    if (!droppedNames.isEmpty()) {
      List<String> named = droppedNames.subList(0, Math.min(NAMED, droppedNames.size()));
      parts.add(droppedNames.size() + " name(s) beyond the first " + MAX_NAMES + " were dropped ("
          + String.join(", ", named) + (droppedNames.size() > NAMED ? ", ..." : "") + ")");
    }
    if (droppedForSize > 0) {
      parts.add(droppedForSize + " value(s) were dropped because the outputs would exceed " + MAX_BYTES + " bytes");
    }
    if (badLines > 0) {
      parts.add(badLines + " line(s) or name(s) that are not name=value with a name of [A-Za-z_][A-Za-z0-9_]{0,63}"
          + " were ignored");
    }
    return parts.isEmpty() ? null : "outputs: " + String.join("; ", parts);
  }

  private static long size(String name, Object value) {
    String text = value == null ? "" : value instanceof String string ? string : Json.encode(value);
    return name.getBytes(StandardCharsets.UTF_8).length + (long) text.getBytes(StandardCharsets.UTF_8).length;
  }
}
