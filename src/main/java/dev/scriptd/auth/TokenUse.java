package dev.scriptd.auth;

import java.time.Instant;

/** A token was used at {@code at} (DB_TOUCH_TOKEN, send only; throttled by the sender). */
public record TokenUse(String id, Instant at) {
}
