package dev.scriptd.bus;

import dev.scriptd.domain.LogChunk;
import dev.scriptd.domain.Run;
import io.vertx.core.eventbus.EventBus;
import java.util.List;

/**
 * Registers the codecs of the records that travel on the bus ({@link #registerLocal} adds those of
 * packages bus does not import). Safe to call more than once.
 */
public final class Codecs {
  private Codecs() {
  }

  public static void register(EventBus eventBus) {
    for (LocalCodec<?> codec : all()) {
      registerOnce(eventBus, codec);
    }
  }

  /** Every codec scriptd registers (one per body type). */
  static List<LocalCodec<?>> all() {
    return List.of(
        LocalCodec.withWireForm(LogChunk.class, LogChunk::toJson, LogChunk::fromJson),
        // what one node's run owner forwards to another's, and their answers
        LocalCodec.withWireForm(Run.class, Wire::run, Wire::run),
        LocalCodec.withWireForm(StartScript.class, Wire::startScript, Wire::startScript),
        LocalCodec.withWireForm(RunEnd.class, Wire::runEnd, Wire::runEnd),
        LocalCodec.withWireForm(ScriptRunsCommand.class, Wire::scriptRunsCommand, Wire::scriptRunsCommand),
        LocalCodec.localOnly(JsProgram.class),
        LocalCodec.localOnly(JsOutcome.class),
        LocalCodec.localOnly(StopRun.class),
        LocalCodec.localOnly(RunQuery.class),
        LocalCodec.localOnly(dev.scriptd.domain.AuditRecord.class),
        LocalCodec.localOnly(AuditQuery.class),
        LocalCodec.localOnly(RunPage.class),
        LocalCodec.localOnly(LogQuery.class),
        LocalCodec.localOnly(LogPage.class),
        LocalCodec.localOnly(SearchQuery.class),
        LocalCodec.localOnly(SearchPage.class),
        LocalCodec.localOnly(dev.scriptd.domain.Script.class),
        LocalCodec.localOnly(ScriptEntry.class),
        LocalCodec.localOnly(ScriptList.class),
        LocalCodec.localOnly(ScriptQuery.class),
        LocalCodec.localOnly(ScriptChanges.class),
        LocalCodec.localOnly(CleanupRequest.class),
        LocalCodec.localOnly(CleanupStats.class),
        LocalCodec.localOnly(ScheduleState.class),
        LocalCodec.localOnly(ScheduleState.All.class),
        LocalCodec.localOnly(ScheduleFire.class),
        LocalCodec.localOnly(ScheduleFire.Batch.class),
        LocalCodec.localOnly(ScheduleFire.Query.class),
        LocalCodec.localOnly(ScheduleFire.Page.class),
        LocalCodec.localOnly(ScheduleFire.Prune.class));
  }

  /**
   * Registers a local-only codec for each of {@code types}: the records of a package that bus does
   * not import (auth's), named by whoever knows both. Safe to call more than once.
   */
  public static void registerLocal(EventBus eventBus, List<Class<?>> types) {
    for (Class<?> type : types) {
      registerOnce(eventBus, LocalCodec.localOnly(type));
    }
  }

  private static <T> void registerOnce(EventBus eventBus, LocalCodec<T> codec) {
    try {
      eventBus.registerDefaultCodec(codec.type(), codec);
    } catch (IllegalStateException alreadyRegistered) {
      // a second scriptd instance in the same Vertx: the first registration serves both
    }
  }
}
