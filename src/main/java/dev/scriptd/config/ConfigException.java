package dev.scriptd.config;

/** A setting is missing or out of range; the message names the key and what it accepts. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
