package dev.scriptd.domain;

/**
 * The JSON text of a log line, {@code {"seq":1,"ts":"...","stream":"stdout","line":"..."}},
 * written straight into a StringBuilder. Live tails render every line for every run that is
 * followed, so this skips the JsonObject map, the Jackson generator and the java.time formatter;
 * the text is exactly what {@code LogLine.toJson().encode()} gives.
 */
final class LogLineJson {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private LogLineJson() {
  }

  static String encode(LogLine line) {
    String text = line.text();
    StringBuilder out = new StringBuilder(text.length() + 72);
    out.append("{\"seq\":").append(line.seq())
        .append(",\"ts\":\"");
    Times.appendIso(out, line.timestamp());
    out.append("\",\"stream\":\"").append(line.stream().wire())
        .append("\",\"line\":\"");
    appendEscaped(out, text);
    return out.append("\"}").toString();
  }

  /** JSON string escaping as Jackson does it: quote, backslash and control characters only. */
  static void appendEscaped(StringBuilder out, String text) {
    int length = text.length();
    int plainFrom = 0;
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      out.append(text, plainFrom, i);
      plainFrom = i + 1;
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    out.append(text, plainFrom, length);
  }
}
