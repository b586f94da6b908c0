package dev.scriptd.process;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.Namespace;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lends {@link RunSlots} to JavaScript runs, so they count in limits.max_concurrent_runs like shell
 * runs: the JS verticle asks for a slot before a program runs (RUNS_SLOT_ACQUIRE), is told later
 * when it waited (JS_SLOT_GRANTED), and gives it back at the end (RUNS_SLOT_RELEASE). Releases are
 * idempotent per run id. Confined to the supervisor's context.
 */
final class JsSlots {
  private static final Logger LOG = LoggerFactory.getLogger(JsSlots.class);

  private final RunSlots slots;
  private final EventBus eventBus;
  private final Namespace ns;
  /** Js runs holding a slot. */
  private final Set<String> holders = new HashSet<>();

  JsSlots(RunSlots slots, EventBus eventBus, Namespace ns) {
    this.slots = slots;
    this.eventBus = eventBus;
    this.ns = ns;
  }

  /** A js run this supervisor counts (holding or waiting for a slot): its kill goes to the JS verticle. */
  boolean counts(String runId) {
    return holders.contains(runId) || slots.isWaiting(runId);
  }

  Future<JsonObject> acquire(JsonObject body) {
    String runId = ProcessSupervisorVerticle.runId(body);
    if (counts(runId)) {
      return Future.succeededFuture(new JsonObject().put("granted", holders.contains(runId)));
    }
    if (slots.tryTake()) {
      holders.add(runId);
      return Future.succeededFuture(new JsonObject().put("granted", true));
    }
    BusFailure refused = slots.refusal();
    if (refused != null) {
      return Future.failedFuture(refused);
    }
    slots.await(runId, () -> granted(runId));
    return Future.succeededFuture(new JsonObject().put("granted", false));
  }

  private void granted(String runId) {
    holders.add(runId);
    eventBus.<Boolean>request(ns.of(Addresses.JS_SLOT_GRANTED), new JsonObject().put("run_id", runId))
        .map(Message::body)
        .otherwise(e -> {
          LOG.warn("js run {} could not take its slot: {}", runId, e.getMessage());
          return false;
        })
        .onSuccess(taken -> {
          if (!taken) {
            release(runId);
          }
        });
  }

  Future<JsonObject> release(JsonObject body) {
    return Future.succeededFuture(new JsonObject().put("released", release(ProcessSupervisorVerticle.runId(body))));
  }

  private boolean release(String runId) {
    if (holders.remove(runId)) {
      slots.release();
      return true;
    }
    return slots.withdraw(runId);
  }
}
