package dev.scriptd.process;

import io.vertx.core.json.JsonObject;

/**
 * What a run needs beyond its row to start: a shell run's {@code stdin} (null: closed at once); a js
 * run's {@code program}, its file name and script version, an endpoint call's {@code request} and
 * its timeout.
 */
record RunInput(String stdin, String program, String programName, Long version, JsonObject request,
    long timeoutMs) {

  static RunInput shell(String stdin) {
    return new RunInput(stdin, null, null, null, null, 0);
  }

  static RunInput program(String program, String programName, Long version, JsonObject request, long timeoutMs) {
    return new RunInput(null, program, programName, version, request, timeoutMs);
  }
}
