package dev.scriptd.persistence;

import dev.scriptd.domain.LogChunk;
import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.Run;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Optional plain-text copies of run logs ({@code logs.files}):
 * {@code <log_dir>/YYYY-MM-DD/<script-name-or-adhoc>_<run-id>.log}, the date being the run's
 * creation day in UTC. Lines are appended after each successful flush to SQLite, on ordered
 * blocking tasks so a file grows in seq order. Files are removed with their runs whether or not
 * the setting is on now. Used from the persistence verticle's context only.
 */
final class LogFiles {
  private static final Logger LOG = LoggerFactory.getLogger(LogFiles.class);
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

  /** A run whose file may be deleted: its id and creation time. */
  record RunRef(String id, long createdAtMs) {
  }

  private final Vertx vertx;
  private final Path logDir;
  private final boolean enabled;
  /** Files of runs not yet ended; bounded by the number of unfinished runs. */
  private final Map<String, Path> open = new HashMap<>();

  LogFiles(Vertx vertx, Path logDir, boolean enabled) {
    this.vertx = vertx;
    this.logDir = logDir;
    this.enabled = enabled;
  }

  boolean enabled() {
    return enabled;
  }

  boolean knows(String runId) {
    return open.containsKey(runId);
  }

  /** Remembers where a new run's lines go. */
  void opened(Run run, String scriptName) {
    if (enabled) {
      open.put(run.id(), fileOf(run.id(), run.createdAt().toEpochMilli(),
          scriptName == null ? "adhoc" : scriptName));
    }
  }

  /** The run ended and its lines were flushed: its file is complete. */
  void closed(String runId) {
    open.remove(runId);
  }

  /** Appends lines just committed to SQLite. */
  void append(Map<String, List<LogChunk>> batch) {
    if (!enabled) {
      return;
    }
    for (Map.Entry<String, List<LogChunk>> entry : batch.entrySet()) {
      Path file = open.get(entry.getKey());
      if (file == null) {
        continue;
      }
      byte[] bytes = text(entry.getValue());
      vertx.executeBlocking(() -> {
        Files.createDirectories(file.getParent());
        Files.write(file, bytes, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return null;
      }, true).onFailure(e -> LOG.warn("could not append to log file {}: {}", file, e.toString()));
    }
  }

  /** The lines' UTF-8 bytes, each followed by a newline. */
  private static byte[] text(List<LogChunk> chunks) {
    int size = 0;
    for (LogChunk chunk : chunks) {
      for (LogLine line : chunk.lines()) {
        size += line.utf8Length() + 1;
      }
    }
    byte[] bytes = new byte[size];
    int pos = 0;
    for (LogChunk chunk : chunks) {
      for (LogLine line : chunk.lines()) {
        line.copyUtf8(bytes, pos);
        pos += line.utf8Length();
        bytes[pos++] = '\n';
      }
    }
    return bytes;
  }

  /** Deletes the files of these runs (and date folders left empty); returns the bytes removed. */
  Future<Long> delete(List<RunRef> runs) {
    if (runs.isEmpty()) {
      return Future.succeededFuture(0L);
    }
    for (RunRef run : runs) {
      open.remove(run.id());
    }
    List<RunRef> copy = new ArrayList<>(runs);
    return vertx.executeBlocking(() -> deleteBlocking(copy), true);
  }

  private long deleteBlocking(List<RunRef> runs) {
    Map<Path, List<String>> byDay = new HashMap<>();
    for (RunRef run : runs) {
      byDay.computeIfAbsent(logDir.resolve(DAY.format(Instant.ofEpochMilli(run.createdAtMs()))),
          d -> new ArrayList<>()).add("_" + run.id() + ".log");
    }
    long removed = 0;
    for (Map.Entry<Path, List<String>> day : byDay.entrySet()) {
      if (!Files.isDirectory(day.getKey())) {
        continue;
      }
      try (DirectoryStream<Path> files = Files.newDirectoryStream(day.getKey())) {
        for (Path file : files) {
          String name = file.getFileName().toString();
          for (String suffix : day.getValue()) {
            if (name.endsWith(suffix)) {
              removed += Files.size(file);
              Files.deleteIfExists(file);
              break;
            }
          }
        }
      } catch (IOException e) {
        LOG.warn("could not remove log files in {}: {}", day.getKey(), e.toString());
      }
      try {
        Files.delete(day.getKey());
      } catch (DirectoryNotEmptyException | NoSuchFileException expected) {
        // other runs of that day remain
      } catch (IOException e) {
        LOG.debug("could not remove {}: {}", day.getKey(), e.toString());
      }
    }
    return removed;
  }

  private Path fileOf(String runId, long createdAtMs, String name) {
    return logDir.resolve(DAY.format(Instant.ofEpochMilli(createdAtMs))).resolve(name + "_" + runId + ".log");
  }
}
