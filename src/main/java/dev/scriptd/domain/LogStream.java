package dev.scriptd.domain;

/** Which pipe of the child a line came from. */
public enum LogStream {
  STDOUT, STDERR;

  public String wire() {
    return this == STDOUT ? "stdout" : "stderr";
  }

  public static LogStream fromWire(String value) {
    return "stderr".equals(value) ? STDERR : STDOUT;
  }
}
