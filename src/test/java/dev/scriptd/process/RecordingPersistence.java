package dev.scriptd.process;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.Codecs;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.bus.RunPage;
import dev.scriptd.domain.LogChunk;
import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.Run;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stands in for the persistence verticle in tests: answers the four db addresses the run owner
 * uses the way their javadoc says, and records what it got. Readable from the test thread.
 */
final class RecordingPersistence extends VerticleBase {
  final Map<String, Run> runs = new ConcurrentHashMap<>();
  final List<Run> saves = new CopyOnWriteArrayList<>();
  final List<LogChunk> chunks = new CopyOnWriteArrayList<>();
  /** Chunks that came before any save of their run was answered (stored). */
  final List<LogChunk> beforeTheirRow = new CopyOnWriteArrayList<>();
  /** A save is answered this long after it came, as a slow commit would be (0: at once). */
  volatile long saveDelayMs;
  private final java.util.Set<String> stored = ConcurrentHashMap.newKeySet();

  @Override
  public Future<?> start() {
    EventBus eventBus = vertx.eventBus();
    Codecs.register(eventBus);
    return Future.join(List.of(
        eventBus.<Run>localConsumer(Addresses.DB_SAVE_RUN, m -> {
          if (saveDelayMs > 0) {
            vertx.setTimer(saveDelayMs, t -> store(m.body(), m));
          } else {
            store(m.body(), m);
          }
        }).completion(),
        eventBus.<LogChunk>localConsumer(Addresses.DB_APPEND_LOGS, m -> {
          if (!stored.contains(m.body().runId())) {
            beforeTheirRow.add(m.body());
          }
          chunks.add(m.body());
        }).completion(),
        eventBus.<String>localConsumer(Addresses.DB_GET_RUN, m -> {
          Run run = runs.get(m.body());
          if (run == null) {
            m.fail(ReplyCodes.NOT_FOUND, "run " + m.body() + " not found");
          } else {
            m.reply(run);
          }
        }).completion(),
        eventBus.localConsumer(Addresses.DB_UNFINISHED_RUNS, m -> {
          List<Run> unfinished = new ArrayList<>();
          for (Run run : runs.values()) {
            if (!run.status().isFinal()) {
              unfinished.add(run);
            }
          }
          unfinished.sort(Comparator.comparing(Run::createdAt).reversed());
          m.reply(new RunPage(unfinished, null));
        }).completion(),
        // no script queues here: the run owner restores none
        eventBus.localConsumer(Addresses.DB_QUEUED_RUNS, m -> m.reply(new RunPage(List.of(), null))).completion(),
        // nor held runs (retries, chain links)
        eventBus.localConsumer(Addresses.DB_HELD_RUNS, m -> m.reply(new RunPage(List.of(), null))).completion(),
        // nor runs left waiting for a slot; the mark of a waiting run is acknowledged, not kept
        eventBus.localConsumer(Addresses.DB_SLOT_WAITING_RUNS, m -> m.reply(new RunPage(List.of(), null)))
            .completion(),
        eventBus.<Run>localConsumer(Addresses.DB_AWAIT_SLOT, m -> m.reply(m.body())).completion()));
  }

  private void store(Run run, io.vertx.core.eventbus.Message<Run> message) {
    saves.add(run);
    runs.put(run.id(), run);
    stored.add(run.id());
    message.reply(run);
  }

  /** Every stored line of a run, in the order the chunks arrived. */
  List<LogLine> lines(String runId) {
    List<LogLine> lines = new ArrayList<>();
    for (LogChunk chunk : chunks) {
      if (chunk.runId().equals(runId)) {
        lines.addAll(chunk.lines());
      }
    }
    return lines;
  }
}
