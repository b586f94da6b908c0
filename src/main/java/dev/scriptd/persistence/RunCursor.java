package dev.scriptd.persistence;

import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.ReplyCodes;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The keyset position of a row in a list paged by (created_at, id): its created_at (epoch ms) and id. */
record RunCursor(long createdAtMs, String id) {

  String encode() {
    String plain = createdAtMs + ":" + id;
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }

  /** Parses a cursor made by {@link #encode()}; throws IllegalArgumentException otherwise. */
  static RunCursor decode(String cursor) {
    String plain = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    int colon = plain.indexOf(':');
    if (colon <= 0 || colon == plain.length() - 1) {
      throw new IllegalArgumentException("cursor has no position");
    }
    long createdAt = Long.parseLong(plain.substring(0, colon));
    return new RunCursor(createdAt, plain.substring(colon + 1));
  }

  /**
   * The position a caller's cursor stands for: null when none was given, a 400 {@link BusFailure}
   * when it is not one of ours.
   */
  static RunCursor after(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return null;
    }
    try {
      return decode(cursor);
    } catch (IllegalArgumentException e) {
      throw new BusFailure(ReplyCodes.BAD_REQUEST, "cursor is not valid; pass back the next_cursor of a previous page");
    }
  }
}
