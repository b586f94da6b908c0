package dev.scriptd.scripts;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.Namespace;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.bus.ScriptChanges;
import dev.scriptd.bus.ScriptEntry;
import dev.scriptd.bus.ScriptList;
import dev.scriptd.bus.ScriptQuery;
import dev.scriptd.cron.Schedules;
import dev.scriptd.domain.RunLimits;
import dev.scriptd.domain.Script;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Export and apply (scripts as files): reads every stored script, plans with {@link ScriptApplyPlan},
 * writes the whole plan in one transaction (DB_APPLY_SCRIPTS), then publishes SCRIPTS_CHANGED for
 * each script created, updated or deleted, as a single create, update or delete does. Applies run
 * one after the other (on the owning verticle's context), so two never plan from the same state.
 */
final class ScriptApply {
  private static final Logger LOG = LoggerFactory.getLogger(ScriptApply.class);
  private static final int PAGE = 1000;
  private static final int MAX_SCRIPTS = 10_000;
  /** Pruning deletes runs and their lines: far longer than a reply usually takes, but the facts must follow the commit. */
  static final long WRITE_TIMEOUT_MS = 600_000;
  private static final DeliveryOptions WRITE = new DeliveryOptions().setSendTimeout(WRITE_TIMEOUT_MS);

  private final Vertx vertx;
  private final Namespace ns;
  private final long defaultTimeoutSeconds;
  private final RunLimits defaultLimits;
  private Future<?> last = Future.succeededFuture();

  ScriptApply(Vertx vertx, Namespace ns, long defaultTimeoutSeconds, RunLimits defaultLimits) {
    this.vertx = vertx;
    this.ns = ns;
    this.defaultTimeoutSeconds = defaultTimeoutSeconds;
    this.defaultLimits = defaultLimits;
  }

  /** {@code {"scripts": [definitions], "prune": false, "dry_run": false}} -> the summary. */
  Future<JsonObject> apply(JsonObject body) {
    Future<JsonObject> result = last.transform(ignored -> {
      try {
        return applyNow(body);
      } catch (RuntimeException e) { // a bad flag: a failed apply, never a broken chain
        return Future.failedFuture(e);
      }
    });
    last = result;
    return result;
  }

  private Future<JsonObject> applyNow(JsonObject body) {
    if (!(body.getValue("scripts") instanceof JsonArray definitions)) {
      return Future.failedFuture(new BusFailure(ReplyCodes.BAD_REQUEST,
          "scripts is required: a list of script definitions, e.g. {\"scripts\": [{\"name\": \"hello\","
              + " \"command\": \"echo hello\"}]}"));
    }
    if (definitions.size() > MAX_SCRIPTS) {
      return Future.failedFuture(new BusFailure(ReplyCodes.BAD_REQUEST, "scripts lists " + definitions.size()
          + " definitions; at most " + MAX_SCRIPTS + " per apply"));
    }
    boolean prune = flag(body, "prune");
    boolean dryRun = flag(body, "dry_run");
    return stored().compose(stored -> {
      ScriptApplyPlan plan = ScriptApplyPlan.of(definitions, stored, prune, defaultTimeoutSeconds, defaultLimits,
          Instant.now(), () -> UUID.randomUUID().toString());
      if (!plan.valid()) {
        return Future.failedFuture(new BusFailure(ReplyCodes.BAD_REQUEST, plan.detail()));
      }
      JsonObject summary = plan.summary().put("dry_run", dryRun);
      ScriptChanges changes = plan.changes();
      if (dryRun || changes.isEmpty()) {
        return Future.succeededFuture(summary);
      }
      return vertx.eventBus().<ScriptChanges>request(ns.of(Addresses.DB_APPLY_SCRIPTS), changes, WRITE)
          .map(written -> {
            publish(changes);
            LOG.info("applied scripts: {} created, {} updated, {} unchanged, {} deleted", changes.creates().size(),
                changes.updates().size(), plan.unchanged().size(), changes.deletes().size());
            return summary;
          });
    });
  }

  private static boolean flag(JsonObject body, String name) {
    Object value = body.getValue(name);
    if (value != null && !(value instanceof Boolean)) {
      throw new BusFailure(ReplyCodes.BAD_REQUEST, name + " must be true or false");
    }
    return Boolean.TRUE.equals(value);
  }

  /** The same facts a create, update or delete publishes, so schedules and endpoints follow at once. */
  private void publish(ScriptChanges changes) {
    Instant now = Instant.now();
    for (Script script : changes.creates()) {
      changed(script.id(), "created", script.toJson(null, Schedules.nextRunAt(script, now)));
    }
    for (Script script : changes.updates()) {
      changed(script.id(), "updated", script.toJson(null, Schedules.nextRunAt(script, now)));
    }
    for (Script script : changes.deletes()) {
      changed(script.id(), "deleted", null);
    }
  }

  private void changed(String id, String action, JsonObject script) {
    vertx.eventBus().publish(ns.of(Addresses.SCRIPTS_CHANGED), new JsonObject().put("script_id", id)
        .put("action", action).put("script", script));
  }

  /** Every stored script as a definition, by name, secret values as "***". */
  Future<JsonObject> export() {
    return stored().map(stored -> {
      JsonArray scripts = new JsonArray();
      stored.forEach(script -> scripts.add(ScriptApplyPlan.definition(script, true)));
      return new JsonObject().put("scripts", scripts);
    });
  }

  /** Every stored script, read page by page. */
  private Future<List<Script>> stored() {
    return page(new ArrayList<>(), null);
  }

  private Future<List<Script>> page(List<Script> into, String cursor) {
    return vertx.eventBus().<ScriptList>request(ns.of(Addresses.DB_LIST_SCRIPTS), new ScriptQuery(PAGE, cursor))
        .map(Message::body)
        .compose(list -> {
          list.items().stream().map(ScriptEntry::script).forEach(into::add);
          return list.nextCursor() == null ? Future.succeededFuture(into) : page(into, list.nextCursor());
        });
  }
}
