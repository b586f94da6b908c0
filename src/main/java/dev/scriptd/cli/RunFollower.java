package dev.scriptd.cli;

import dev.scriptd.domain.Ansi;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;

/**
 * Prints a run's lines as they come (the SSE tail of {@code /api/runs/{id}/logs}) and returns the
 * exit code to leave with once the run is done. Resumes after a gap or a dropped stream from the
 * last line it printed, so nothing is printed twice. stderr lines go to stderr. ANSI escapes are
 * kept when stdout is a terminal and removed otherwise (or with NO_COLOR set), so a redirected
 * log is plain text.
 */
final class RunFollower {
  /** The exit code of a follow left on Ctrl-C, as shells report a SIGINT death (128 + 2). */
  static final int INTERRUPTED = 130;
  private static final int MAX_RECONNECTS = 5;
  private static final long RECONNECT_PAUSE_NANOS = 500_000_000L;

  private final ScriptdClient client;
  private final Terminal terminal;
  private final boolean keepAnsi;
  private volatile InputStream current;
  private volatile Integer leftWith;

  RunFollower(ScriptdClient client, Terminal terminal) {
    this.client = client;
    this.terminal = terminal;
    this.keepAnsi = terminal.stdoutIsTerminal() && !terminal.env().containsKey("NO_COLOR");
  }

  /**
   * Follows until the run is done. With {@code offerKill}, Ctrl-C asks whether to kill the run
   * when stdin is a terminal (and leaves it running otherwise); without, Ctrl-C just stops following.
   */
  int follow(String runId, boolean offerKill) {
    terminal.onInterrupt().accept(() -> interrupted(runId, offerKill));
    long lastSeq = 0;
    int failures = 0;
    while (true) {
      long before = lastSeq;
      try (InputStream body = client.events(runId, lastSeq)) {
        current = body;
        if (leftWith != null) {
          return leftWith;
        }
        Outcome outcome = read(body, lastSeq);
        lastSeq = outcome.lastSeq();
        if (outcome.done() != null) {
          return exitCode(outcome.done());
        }
      } catch (IOException | java.io.UncheckedIOException e) {
        if (leftWith != null) {
          return leftWith;
        }
        if (lastSeq == before && ++failures > MAX_RECONNECTS) {
          throw new CliException("lost the log stream of run " + runId + " (" + e.getMessage() + ")");
        }
        LockSupport.parkNanos(RECONNECT_PAUSE_NANOS); // the server may be restarting
      } finally {
        current = null;
      }
      if (leftWith != null) {
        return leftWith;
      }
      if (lastSeq != before) {
        failures = 0;
      } else if (++failures > MAX_RECONNECTS) {
        throw new CliException("the log stream of run " + runId + " keeps ending without its end; is SCRIPTD_URL"
            + " a scriptd server?");
      } else {
        LockSupport.parkNanos(RECONNECT_PAUSE_NANOS);
      }
    }
  }

  private record Outcome(long lastSeq, JsonObject done) {
  }

  /** Reads events until {@code done}, a {@code gap} or the end of the stream. */
  private Outcome read(InputStream body, long lastSeq) throws IOException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    String event = null;
    StringBuilder data = new StringBuilder();
    String line;
    while ((line = reader.readLine()) != null) {
      if (line.isEmpty()) {
        if (event != null && data.length() > 0) {
          JsonObject payload = parse(data.toString());
          switch (event) {
            case "log" -> lastSeq = print(payload, lastSeq);
            case "done" -> {
              terminal.out().flush();
              return new Outcome(lastSeq, payload);
            }
            case "gap" -> {
              return new Outcome(lastSeq, null);
            }
            default -> {
              // status events: the done event carries the final run
            }
          }
        }
        event = null;
        data.setLength(0);
      } else if (line.startsWith("event:")) {
        event = line.substring(6).trim();
      } else if (line.startsWith("data:")) {
        data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
      }
    }
    return new Outcome(lastSeq, null);
  }

  private long print(JsonObject line, long lastSeq) {
    long seq = line.getLong("seq", lastSeq + 1);
    if (seq <= lastSeq) {
      return lastSeq; // already printed before a reconnect
    }
    String text = line.getString("line", "");
    if (!keepAnsi) {
      text = Ansi.strip(text);
    }
    if ("stderr".equals(line.getString("stream"))) {
      terminal.err().println(text);
    } else {
      terminal.out().println(text);
    }
    return seq;
  }

  private static JsonObject parse(String data) {
    try {
      return new JsonObject(data);
    } catch (DecodeException | ClassCastException e) {
      return new JsonObject();
    }
  }

  /** The run's exit code; 1 for a run that ended badly without one (killed, lost, timed out). */
  static int exitCode(JsonObject run) {
    Integer code = run.getInteger("exit_code");
    if (code != null) {
      return code;
    }
    return "completed".equals(run.getString("status")) ? 0 : 1;
  }

  /** Ctrl-C, on the signal's own thread while the main thread reads the stream. */
  private void interrupted(String runId, boolean offerKill) {
    if (offerKill && terminal.stdinIsTerminal()) {
      terminal.err().print(System.lineSeparator() + "kill run " + runId + "? [y/N] ");
      terminal.err().flush();
      String answer = terminal.readLine();
      if (answer != null && answer.trim().toLowerCase().startsWith("y")) {
        try {
          client.post("/api/runs/" + ScriptdClient.segment(runId) + "/kill", new JsonObject());
          terminal.err().println("killing run " + runId);
        } catch (CliException e) {
          terminal.err().println("scriptd: " + e.getMessage()); // e.g. it ended meanwhile
        }
        return; // keep following: the done event brings the final status
      }
    }
    terminal.err().println(System.lineSeparator() + "run " + runId + " keeps running; follow it again with: scriptd tail "
        + runId);
    leftWith = INTERRUPTED;
    InputStream stream = current;
    if (stream != null) {
      try {
        stream.close();
      } catch (IOException ignored) {
        // closing only wakes the reader
      }
    }
  }
}
