package dev.scriptd.persistence;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The keyset position of a run in the history list: its created_at (epoch ms) and id. */
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
}
