package dev.scriptd.process;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.LogPage;
import dev.scriptd.bus.LogQuery;
import dev.scriptd.bus.Namespace;
import dev.scriptd.config.AutomationConfig;
import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunIo;
import dev.scriptd.domain.RunLineage;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.domain.Script;
import dev.scriptd.domain.ScriptAutomation;
import dev.scriptd.domain.SecretEnv;
import dev.scriptd.metrics.ScriptdMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What follows a run's end, decided in the run owner once its final status is saved: a retry
 * (a held pending run with {@code not_before}, started by a timer when due), else the chain's runs
 * ({@code then}) and the notifications ({@code notify} and {@code notify.default}, written to the
 * outbox that the notifier delivers). Retries and chain links are saved held before they start, so a
 * restart starts them again ({@link #restore}). Confined to the owner's context.
 */
final class RunFollowUps {
  private static final Logger LOG = LoggerFactory.getLogger(RunFollowUps.class);

  /** What the follow-ups ask of the owner's script runs. */
  interface Scripts {
    Future<Script> resolve(String ref);

    Future<Run> startHeld(Run pending);
  }

  private final Vertx vertx;
  private final EventBus eventBus;
  private final Namespace ns;
  private final RunBus bus;
  private final Scripts scripts;
  private final AutomationConfig settings;
  private final ScriptdMetrics metrics;
  private final String publicUrl;
  /** A pending retry waiting for its not_before. */
  private record Waiting(long timerId, String scriptId) {
  }

  /** Pending retries waiting for their not_before, by run id. */
  private final Map<String, Waiting> waiting = new HashMap<>();
  private boolean stopping;

  RunFollowUps(Vertx vertx, Namespace ns, RunBus bus, Scripts scripts, AutomationConfig settings,
      ScriptdMetrics metrics, String publicUrl) {
    this.vertx = vertx;
    this.eventBus = vertx.eventBus();
    this.ns = ns;
    this.bus = bus;
    this.scripts = scripts;
    this.settings = settings;
    this.metrics = metrics;
    this.publicUrl = publicUrl;
  }

  /**
   * Held runs left by a previous start: retries wait for their not_before again, chain links start;
   * only those {@code ours} takes (in a cluster, another live node's held runs are that node's).
   */
  Future<Void> restore(java.util.function.Predicate<Run> ours) {
    return bus.held().map(page -> {
      int restored = 0;
      for (Run run : page.items()) {
        if (ours.test(run)) {
          schedule(run);
          restored++;
        }
      }
      if (restored > 0) {
        LOG.info("{} held run(s) (retries, chain links) restored", restored);
      }
      return null;
    });
  }

  /** A held run another node left (it left the cluster), saved as this node's: it is due as it would have been there. */
  void adopt(Run held) {
    schedule(held);
  }

  /** No held run starts any more: they stay saved for the next start. */
  void stop() {
    stopping = true;
    waiting.values().forEach(held -> vertx.cancelTimer(held.timerId()));
    waiting.clear();
  }

  boolean has(String runId) {
    return waiting.containsKey(runId);
  }

  /** A pending retry is killed: it ends killed, and so does its series. Null when it is not waiting here. */
  Future<Run> cancel(String runId) {
    Waiting held = waiting.remove(runId);
    if (held == null) {
      return null;
    }
    vertx.cancelTimer(held.timerId());
    return bus.get(runId).compose(run -> bus.saveAndPublish(run.ended(RunStatus.KILLED, null, null,
        "killed while waiting for its retry time", Instant.now())));
  }

  /** The script's pending retries end killed (a kill of all its runs). */
  List<Future<Run>> cancelAll(String scriptId) {
    List<Future<Run>> killed = new ArrayList<>();
    for (String runId : retriesOf(scriptId)) {
      killed.add(cancel(runId));
    }
    return killed;
  }

  /** The script is being deleted with its runs: its pending retries are dropped, unsaved. */
  void forget(String scriptId) {
    for (String runId : retriesOf(scriptId)) {
      vertx.cancelTimer(waiting.remove(runId).timerId());
    }
  }

  private List<String> retriesOf(String scriptId) {
    return waiting.entrySet().stream().filter(entry -> scriptId.equals(entry.getValue().scriptId()))
        .map(Map.Entry::getKey).toList();
  }

  /** A run's final status is saved. */
  void ended(Run run) {
    if (!run.status().isFinal() || stopping) {
      return;
    }
    Future<Script> found = run.scriptId() == null ? Future.succeededFuture(null)
        : scripts.resolve(run.scriptId()).recover(e -> Future.succeededFuture(null));
    found.onSuccess(script -> {
      ScriptAutomation automation = script == null ? ScriptAutomation.NONE : script.automation();
      Instant due = RetryPlanner.nextAttemptAt(automation.retry(), run);
      if (due != null) {
        retry(run, due);
        return;
      }
      if (run.startedAt() != null) {
        chain(run, automation);
      }
      notify(run, script, automation);
    });
  }

  // ---- retries

  private void retry(Run ended, Instant due) {
    Run next = RetryPlanner.nextAttempt(ended, UUID.randomUUID().toString(), due, Instant.now());
    bus.holdAndPublish(next).onSuccess(held -> {
      metrics.retryScheduled();
      schedule(held);
    }).onFailure(e -> LOG.error("could not save the retry of run {}", ended.id(), e));
  }

  /** Starts a held run when it is due (at once for a chain link or a retry already due). */
  private void schedule(Run held) {
    if (stopping) {
      return;
    }
    Instant due = held.lineage().notBefore();
    long delay = due == null ? 0 : due.toEpochMilli() - System.currentTimeMillis();
    if (delay <= 0) {
      start(held);
      return;
    }
    waiting.put(held.id(), new Waiting(vertx.setTimer(delay, id -> {
      if (waiting.remove(held.id()) != null) {
        start(held);
      }
    }), held.scriptId()));
  }

  private void start(Run held) {
    scripts.startHeld(held).onFailure(e -> LOG.warn("held run {} did not start: {}", held.id(), e.getMessage()));
  }

  // ---- chains

  private void chain(Run upstream, ScriptAutomation automation) {
    JsonArray then = automation.then();
    if (then == null) {
      return;
    }
    for (int i = 0; i < then.size(); i++) {
      JsonObject entry = then.getJsonObject(i);
      if (ScriptAutomation.listed(entry, upstream.status())) {
        link(upstream, entry);
      }
    }
  }

  /** One chain entry: the downstream run saved held (the decision survives a restart), then started. */
  private void link(Run upstream, JsonObject entry) {
    String ref = entry.getString("script");
    RunLineage lineage = RunLineage.chained(upstream.id(), upstream.lineage().chainDepth());
    scripts.resolve(ref).transform(found -> {
      if (found.failed()) {
        return refuse(null, lineage, "script " + ref + " named by the then of run " + upstream.id() + " was not found");
      }
      Script script = found.result();
      if (lineage.chainDepth() > settings.maxChainDepth()) {
        return refuse(script, lineage, "the chain is " + lineage.chainDepth() + " links deep, more than chains.max_depth ("
            + settings.maxChainDepth() + "); run " + upstream.id() + " did not start it");
      }
      if (!script.enabled()) {
        return refuse(script, lineage, "script " + script.name() + " is disabled");
      }
      RunIo io;
      try {
        io = ScriptParams.io(script, chainParams(upstream, script, entry));
      } catch (BusFailure invalid) {
        return refuse(script, lineage, invalid.getMessage());
      }
      Run pending = Run.pending(UUID.randomUUID().toString(), script.id(), script.kind(),
          Run.KIND_JS.equals(script.kind()) ? null : script.command(), "chain", script.timeoutSeconds(), script.env(),
          script.cwd(), null, Instant.now(), script.limits()).withIo(io).withLineage(lineage);
      return bus.holdAndPublish(pending).onSuccess(held -> {
        metrics.chainRun("started");
        start(held);
      });
    }).onFailure(e -> LOG.error("could not start the chain entry {} of run {}", ref, upstream.id(), e));
  }

  /**
   * A chained run's supplied params: the upstream run's outputs whose names the downstream script
   * declares as parameters, overridden by the entry's params (the defaults come after, when checked).
   */
  static JsonObject chainParams(Run upstream, Script downstream, JsonObject entry) {
    JsonObject supplied = new JsonObject();
    JsonObject schema = downstream.parameters();
    if (schema != null && schema.getValue("properties") instanceof JsonObject declared) {
      upstream.io().outputs().forEach(output -> {
        if (declared.getValue(output.getKey()) instanceof JsonObject property) {
          supplied.put(output.getKey(), typed(property, output.getValue()));
        }
      });
    }
    entry.getJsonObject("params", new JsonObject()).forEach(given -> supplied.put(given.getKey(), given.getValue()));
    return supplied;
  }

  /**
   * An output (text) as the value of the parameter it feeds: a number, a boolean or a JSON list when
   * the parameter is one and the text reads as one; otherwise the text, which the check then refuses.
   */
  static Object typed(JsonObject property, Object output) {
    if (!(output instanceof String text)) {
      return output;
    }
    String trimmed = text.trim();
    try {
      switch (String.valueOf(property.getValue("type"))) {
        case "integer":
          return Long.parseLong(trimmed);
        case "number":
          return Double.parseDouble(trimmed);
        case "boolean":
          return trimmed.equals("true") ? Boolean.TRUE : trimmed.equals("false") ? Boolean.FALSE : text;
        case "array":
          return new JsonArray(trimmed);
        default:
          return text;
      }
    } catch (RuntimeException notOfThatType) {
      return text;
    }
  }

  /** A chain start that cannot happen is recorded as a failed run of the downstream script (if known). */
  private Future<Run> refuse(Script script, RunLineage lineage, String reason) {
    metrics.chainRun("refused");
    Instant now = Instant.now();
    Run pending = Run.pending(UUID.randomUUID().toString(), script == null ? null : script.id(),
        script == null ? Run.KIND_SHELL : script.kind(), null, "chain", script == null ? 1 : script.timeoutSeconds(),
        Map.of(), null, null, now, null).withLineage(lineage);
    return bus.saveAndPublish(pending.ended(RunStatus.FAILED, null, null, "could not start: " + reason, now));
  }

  // ---- notifications

  private void notify(Run ended, Script script, ScriptAutomation automation) {
    List<JsonObject> targets = new ArrayList<>();
    for (JsonArray entries : List.of(automation.notifications() == null ? new JsonArray() : automation.notifications(),
        settings.defaultNotify())) {
      for (int i = 0; i < entries.size(); i++) {
        if (ScriptAutomation.listed(entries.getJsonObject(i), ended.status())) {
          targets.add(entries.getJsonObject(i));
        }
      }
    }
    if (targets.isEmpty()) {
      return;
    }
    // the stored run: its line counts are final once its end is saved
    bus.get(ended.id())
        .compose(run -> eventBus.<LogPage>request(ns.of(Addresses.DB_READ_LOGS),
                new LogQuery(run.id(), Math.max(0, run.logLines() - NotificationBody.TAIL_LINES),
                    NotificationBody.TAIL_LINES))
            .map(Message::body)
            .compose(page -> outbox(run, script, page.lines(), targets)))
        .onFailure(e -> LOG.error("could not write the notifications of run {}", ended.id(), e));
  }

  private Future<Void> outbox(Run run, Script script, List<LogLine> tail, List<JsonObject> targets) {
    List<String> secrets = new ArrayList<>(SecretEnv.secretValues(run.env()));
    run.io().secretTexts().stream().filter(text -> !secrets.contains(text)).forEach(secrets::add);
    // longest first, so a value containing another is masked whole
    secrets.sort(java.util.Comparator.comparingInt(String::length).reversed());
    String url = NotificationBody.runUrl(publicUrl, run.id());
    JsonArray items = new JsonArray();
    for (JsonObject target : targets) {
      String id = UUID.randomUUID().toString();
      items.add(new JsonObject()
          .put("id", id)
          .put("run_id", run.id())
          .put("event", NotificationBody.event(run))
          .put("url", target.getString("url"))
          .put("secret", target.getString("secret"))
          .put("headers", target.getJsonObject("headers", new JsonObject()))
          .put("body", NotificationBody.build(target.getString("format", "json"), id, run, script, tail, url, secrets))
          .put("next_attempt_at", System.currentTimeMillis()));
    }
    return eventBus.request(ns.of(Addresses.DB_ADD_NOTIFICATIONS), new JsonObject().put("items", items))
        .onSuccess(v -> eventBus.publish(ns.of(Addresses.NOTIFY_ADDED), null))
        .mapEmpty();
  }
}
