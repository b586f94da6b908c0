package dev.scriptd.js;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.ZoneOffset;
import org.graalvm.polyglot.Value;

/**
 * Converts a JavaScript value into JSON values (null, Boolean, Long, Double, String, JsonArray,
 * JsonObject). undefined and null become null, functions their source text, dates ISO strings,
 * non-finite numbers null. Bounded: deeper than {@link #MAX_DEPTH} becomes null, and a value whose
 * JSON grows past the budget fails with {@link TooLarge}.
 */
final class JsValues {
  static final int MAX_DEPTH = 64;

  private JsValues() {
  }

  /** The value was too large to keep as a result. */
  static final class TooLarge extends RuntimeException {
    TooLarge(int maxBytes) {
      super("the result is larger than " + maxBytes + " bytes as JSON (js.max_result_bytes)", null, false, false);
    }
  }

  static Object toJson(Value value, int maxBytes) {
    int[] budget = {maxBytes};
    return convert(value, 0, budget, maxBytes);
  }

  private static Object convert(Value value, int depth, int[] budget, int maxBytes) {
    spend(budget, 4, maxBytes);
    if (value == null || value.isNull()) {
      return null;
    }
    if (value.isBoolean()) {
      return value.asBoolean();
    }
    if (value.isNumber()) {
      if (value.fitsInLong()) {
        return value.asLong();
      }
      double number = value.asDouble();
      return Double.isFinite(number) ? number : null;
    }
    if (value.isString()) {
      String text = value.asString();
      spend(budget, text.length(), maxBytes);
      return text;
    }
    if (value.isDate() && value.isTime()) {
      return value.asDate().atTime(value.asTime()).atOffset(ZoneOffset.UTC).toInstant().toString();
    }
    if (depth >= MAX_DEPTH) {
      return null;
    }
    if (value.canExecute()) {
      String text = value.toString();
      spend(budget, text.length(), maxBytes);
      return text;
    }
    if (value.hasArrayElements()) {
      long size = value.getArraySize();
      JsonArray array = new JsonArray();
      for (long i = 0; i < size; i++) {
        array.add(convert(value.getArrayElement(i), depth + 1, budget, maxBytes));
      }
      return array;
    }
    if (value.hasMembers()) {
      JsonObject object = new JsonObject();
      for (String key : value.getMemberKeys()) {
        Value member = value.getMember(key);
        if (member != null && member.canExecute()) {
          continue; // methods are not data, as in JSON.stringify
        }
        spend(budget, key.length(), maxBytes);
        object.put(key, convert(member, depth + 1, budget, maxBytes));
      }
      return object;
    }
    String text = value.toString();
    spend(budget, text.length(), maxBytes);
    return text;
  }

  private static void spend(int[] budget, int bytes, int maxBytes) {
    budget[0] -= bytes;
    if (budget[0] < 0) {
      throw new TooLarge(maxBytes);
    }
  }
}
