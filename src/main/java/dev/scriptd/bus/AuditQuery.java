package dev.scriptd.bus;

import java.time.Instant;

/**
 * Filters of the audit log; null means "any". {@code actor} matches an actor's name or id;
 * {@code from} inclusive, {@code to} exclusive on {@code at}. {@code cursor} is opaque, from a page.
 */
public record AuditQuery(String actor, String action, String result, Instant from, Instant to, int limit,
    String cursor) {
}
