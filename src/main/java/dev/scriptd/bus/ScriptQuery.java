package dev.scriptd.bus;

/** One page of the script list by name; {@code cursor} is opaque, from a ScriptList. */
public record ScriptQuery(int limit, String cursor) {
}
