package dev.scriptd.bus;

import dev.scriptd.domain.LogChunk;
import dev.scriptd.domain.Run;
import io.vertx.core.eventbus.EventBus;
import java.util.List;

/** Registers the codecs of every record that travels on the bus. Safe to call more than once. */
public final class Codecs {
  private Codecs() {
  }

  public static void register(EventBus eventBus) {
    List<LocalCodec<?>> codecs = List.of(
        LocalCodec.withWireForm(LogChunk.class, LogChunk::toJson, LogChunk::fromJson),
        LocalCodec.localOnly(Run.class),
        LocalCodec.localOnly(RunQuery.class),
        LocalCodec.localOnly(RunPage.class),
        LocalCodec.localOnly(LogQuery.class),
        LocalCodec.localOnly(LogPage.class),
        LocalCodec.localOnly(dev.scriptd.domain.Script.class),
        LocalCodec.localOnly(ScriptEntry.class),
        LocalCodec.localOnly(ScriptList.class),
        LocalCodec.localOnly(ScriptQuery.class),
        LocalCodec.localOnly(CleanupRequest.class),
        LocalCodec.localOnly(CleanupStats.class),
        LocalCodec.localOnly(ScheduleState.class),
        LocalCodec.localOnly(ScheduleState.All.class));
    for (LocalCodec<?> codec : codecs) {
      registerOnce(eventBus, codec);
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
