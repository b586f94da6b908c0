package dev.scriptd.domain;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one JSON text of a value that the audit log hashes, so anyone can recompute it: object keys
 * sorted by Unicode code point, no whitespace, strings with only {@code "} {@code \} and the control
 * characters below U+0020 escaped (backslash-b, -f, -n, -r, -t; the others as backslash-u00xx in lower
 * case hex), every other character as itself (UTF-8 when hashed), whole numbers only, {@code null},
 * {@code true}, {@code false}. It is what Python's
 * {@code json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)} writes for
 * the same value (keys of the audit log are ASCII, where both sort orders agree).
 */
public final class CanonicalJson {
  private CanonicalJson() {
  }

  /** The canonical text; fails for numbers with a fraction and for types JSON has not. */
  public static String encode(Object value) {
    StringBuilder out = new StringBuilder(256);
    write(out, value);
    return out.toString();
  }

  private static void write(StringBuilder out, Object value) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof String text) {
      string(out, text);
    } else if (value instanceof Boolean bool) {
      out.append(bool.booleanValue());
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short
        || value instanceof Byte || value instanceof BigInteger) {
      out.append(value);
    } else if (value instanceof Number number) {
      out.append(whole(number));
    } else if (value instanceof JsonObject object) {
      object(out, object.getMap());
    } else if (value instanceof Map<?, ?> map) {
      object(out, map);
    } else if (value instanceof JsonArray array) {
      array(out, array.getList());
    } else if (value instanceof List<?> list) {
      array(out, list);
    } else {
      throw new IllegalArgumentException("canonical JSON has no form for " + value.getClass().getSimpleName());
    }
  }

  private static String whole(Number number) {
    BigDecimal decimal = number instanceof BigDecimal big ? big : new BigDecimal(number.toString());
    try {
      return decimal.toBigIntegerExact().toString();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("canonical JSON takes whole numbers only, not " + number, e);
    }
  }

  private static void object(StringBuilder out, Map<?, ?> map) {
    List<String> keys = new ArrayList<>(map.size());
    for (Object key : map.keySet()) {
      keys.add(String.valueOf(key));
    }
    keys.sort(CanonicalJson::byCodePoint);
    out.append('{');
    boolean first = true;
    for (String key : keys) {
      if (!first) {
        out.append(',');
      }
      first = false;
      string(out, key);
      out.append(':');
      write(out, map.get(key));
    }
    out.append('}');
  }

  private static void array(StringBuilder out, List<?> list) {
    out.append('[');
    for (int i = 0; i < list.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      write(out, list.get(i));
    }
    out.append(']');
  }

  /** Code point order: String.compareTo compares UTF-16 units, which differs above U+FFFF. */
  static int byCodePoint(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int x = a.codePointAt(i);
      int y = b.codePointAt(j);
      if (x != y) {
        return Integer.compare(x, y);
      }
      i += Character.charCount(x);
      j += Character.charCount(y);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  private static void string(StringBuilder out, String text) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
