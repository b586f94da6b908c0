package dev.scriptd.scripts;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.BusReplies;
import dev.scriptd.bus.Namespace;
import dev.scriptd.bus.Codecs;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.bus.RunPage;
import dev.scriptd.bus.ScriptEntry;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.config.SecurityConfig;
import dev.scriptd.cron.Schedules;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunLimits;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.domain.Script;
import dev.scriptd.domain.SecretEnv;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns scripts: definitions (validated here, stored by persistence), runs of scripts under their
 * concurrency rule (allow, forbid, queue, replace), the per-script queues, and the retention job.
 * Which runs of a script are active is learned from RUNS_STATUS; everything lives on this
 * verticle's context.
 */
public final class ScriptsVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ScriptsVerticle.class);
  private static final String CRON = "cron";

  /** Per script: runs known active, starts in flight, and the queue of pending run ids. */
  private static final class ScriptState {
    final Set<String> active = new HashSet<>();
    final ArrayDeque<String> queue = new ArrayDeque<>();
    /** Queued runs whose row is not saved yet: the queue waits for them. */
    final Set<String> saving = new HashSet<>();
    int starting;

    boolean busy() {
      return !active.isEmpty() || starting > 0;
    }
  }

  private Namespace ns;
  private final Map<String, ScriptState> states = new HashMap<>();
  private final Map<String, String> queuedScript = new HashMap<>();
  private final Map<String, Future<JsonObject>> dispatching = new HashMap<>();
  private final Map<String, List<Promise<Void>>> endWaiters = new HashMap<>();
  /** Recently ended run ids, so a late start reply does not mark an ended run active. */
  private final Map<String, Boolean> finished = new LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > 4096;
    }
  };
  /** Per script id: the number of its definition changes (update, delete) in flight here. */
  private final Map<String, Integer> changing = new HashMap<>();
  /** Per script id: the sequence number of its latest definition change begun here (LRU-bounded). */
  private final Map<String, Long> lastChange = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > 4096;
    }
  };
  private long changes;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private ScriptdConfig.Runs runSettings;
  private RunLimits defaultLimits;
  private RetentionJob retention;

  public ScriptsVerticle() {
  }

  @Override
  public Future<?> start() {
    ns = Namespace.from(config());
    ScriptdConfig config = ScriptdConfig.fromJson(config());
    runSettings = config.runs();
    defaultLimits = SecurityConfig.fromJson(config()).limits().perRun();
    EventBus eventBus = vertx.eventBus();
    Codecs.register(eventBus);
    try {
      retention = new RetentionJob(vertx, ns, config.retention());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    consumers.add(eventBus.<JsonObject>localConsumer(ns.of(Addresses.RUNS_STATUS), m -> onStatus(m.body())));
    on(ns.of(Addresses.SCRIPTS_RUN), this::run);
    on(ns.of(Addresses.SCRIPTS_CREATE), this::create);
    on(ns.of(Addresses.SCRIPTS_UPDATE), this::update);
    on(ns.of(Addresses.SCRIPTS_DELETE), this::delete);
    on(ns.of(Addresses.SCRIPTS_KILL), this::kill);
    on(ns.of(Addresses.SCRIPTS_RESTART), this::restart);
    on(ns.of(Addresses.SCRIPTS_CANCEL), this::cancel);
    on(ns.of(Addresses.SCRIPTS_CLEANUP), this::cleanup);
    on(ns.of(Addresses.SCRIPTS_CLEANUP_STATUS), body -> retention.status());
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
        .compose(v -> eventBus.<RunPage>request(ns.of(Addresses.DB_QUEUED_RUNS), null))
        .map(Message::body)
        .onSuccess(this::restoreQueues)
        .onSuccess(v -> retention.start());
  }

  @Override
  public Future<?> stop() {
    if (retention != null) {
      retention.stop();
    }
    return Future.join(consumers.stream().map(MessageConsumer::unregister).toList());
  }

  private void on(String address, Function<JsonObject, Future<?>> action) {
    consumers.add(vertx.eventBus().<JsonObject>localConsumer(address, message -> answer(message, action)));
  }

  private static void answer(Message<JsonObject> message, Function<JsonObject, Future<?>> action) {
    BusReplies.answer(message, body -> action.apply(body == null ? new JsonObject() : body));
  }

  /** Queued runs left by a previous server start again, in order, one script at a time. */
  private void restoreQueues(RunPage queued) {
    for (Run run : queued.items()) {
      if (run.scriptId() != null) {
        state(run.scriptId()).queue.add(run.id());
        queuedScript.put(run.id(), run.scriptId());
      }
    }
    if (!queued.items().isEmpty()) {
      LOG.info("{} queued run(s) restored", queued.items().size());
    }
    new ArrayList<>(states.keySet()).forEach(this::drain);
  }

  private ScriptState state(String scriptId) {
    return states.computeIfAbsent(scriptId, id -> new ScriptState());
  }

  // ---- definitions

  private Future<JsonObject> create(JsonObject body) {
    ScriptSpec spec = valid(body);
    Instant now = Instant.now();
    Script script = spec.toScript(UUID.randomUUID().toString(), 1, now, now);
    return vertx.eventBus().<Script>request(ns.of(Addresses.DB_SAVE_SCRIPT), script)
        .map(saved -> changed(saved.body(), "created",
            saved.body().toJson(null, Schedules.nextRunAt(saved.body(), Instant.now()))));
  }

  private Future<JsonObject> update(JsonObject body) {
    Object definition = body.getValue("definition");
    ScriptSpec spec = valid(definition instanceof JsonObject object ? object : new JsonObject());
    return resolve(body).compose(entry -> {
      Script old = entry.script();
      Script script = spec.withEnv(SecretEnv.keepMasked(spec.env(), old.env()))
          .toScript(old.id(), old.version() + 1, old.createdAt(), Instant.now());
      beginChange(old.id());
      return vertx.eventBus().<Script>request(ns.of(Addresses.DB_SAVE_SCRIPT), script)
          .map(saved -> changed(saved.body(), "updated",
              saved.body().toJson(entry.lastRun(), Schedules.nextRunAt(saved.body(), Instant.now()))))
          .andThen(ar -> endChange(old.id()));
    });
  }

  /**
   * Tells the scheduler, the endpoint tables and the JS source cache (SCRIPTS_CHANGED) before the
   * reply leaves: a change takes effect at once.
   */
  private JsonObject changed(Script script, String action, JsonObject reply) {
    vertx.eventBus().publish(ns.of(Addresses.SCRIPTS_CHANGED), new JsonObject().put("script_id", script.id())
        .put("action", action).put("script", reply.copy()));
    return reply;
  }

  /** Cron fires of the script arriving while a change is in flight are dropped (see run). */
  private void beginChange(String scriptId) {
    changing.merge(scriptId, 1, Integer::sum);
    lastChange.put(scriptId, ++changes);
  }

  private void endChange(String scriptId) {
    changing.computeIfPresent(scriptId, (id, count) -> count == 1 ? null : count - 1);
  }

  private ScriptSpec valid(JsonObject definition) {
    ScriptSpec.Parsed parsed = ScriptSpec.parse(definition, runSettings.defaultTimeoutSeconds(), defaultLimits);
    if (!parsed.valid()) {
      StringBuilder detail = new StringBuilder("the script has invalid fields: ");
      JsonArray errors = parsed.errors();
      for (int i = 0; i < errors.size(); i++) {
        JsonObject error = errors.getJsonObject(i);
        detail.append(i == 0 ? "" : "; ").append(error.getString("field")).append(' ')
            .append(error.getString("message"));
      }
      throw new BusFailure(ReplyCodes.BAD_REQUEST, detail.toString());
    }
    return parsed.spec();
  }

  /** Kills its runs, drops its queue, then deletes the script with its runs and logs. */
  private Future<JsonObject> delete(JsonObject body) {
    return resolve(body).compose(entry -> {
      String id = entry.script().id();
      beginChange(id);
      ScriptState state = state(id);
      for (String queued : state.queue) {
        queuedScript.remove(queued);
      }
      state.queue.clear();
      return killAndWait(new ArrayList<>(state.active))
          .compose(v -> vertx.eventBus().request(ns.of(Addresses.DB_DELETE_SCRIPT), id))
          .map(v -> {
            states.remove(id);
            vertx.eventBus().publish(ns.of(Addresses.SCRIPTS_CHANGED),
                new JsonObject().put("script_id", id).put("action", "deleted").putNull("script"));
            return new JsonObject().put("script_id", id);
          })
          .andThen(ar -> endChange(id));
    });
  }

  private Future<ScriptEntry> resolve(JsonObject body) {
    Object id = body.getValue("script_id");
    if (!(id instanceof String text) || text.isBlank()) {
      return Future.failedFuture(new BusFailure(ReplyCodes.BAD_REQUEST, "script_id is required"));
    }
    return vertx.eventBus().<ScriptEntry>request(ns.of(Addresses.DB_GET_SCRIPT), text).map(Message::body);
  }

  // ---- runs

  private Future<JsonObject> run(JsonObject body) {
    Map<String, String> env = env(body.getValue("env"));
    String trigger = body.getValue("trigger") instanceof String text && !text.isBlank() ? text : "api";
    Extra extra = Extra.of(body);
    // a scheduler fire: trigger cron with the script version it was armed for
    boolean fire = CRON.equals(trigger) && body.getValue("version") instanceof Number;
    String requested = body.getValue("script_id") instanceof String text ? text : "";
    Long changeSeen = lastChange.get(requested);
    if (fire && changing.containsKey(requested)) {
      return Future.failedFuture(scheduleChanged(requested));
    }
    return resolve(body).compose(entry -> {
      Script script = entry.script();
      if (fire && !stillScheduled(script, body.getLong("version"), changeSeen)) {
        return Future.failedFuture(scheduleChanged(script.name()));
      }
      ScriptState state = state(script.id());
      return switch (script.concurrency()) {
        case Script.FORBID -> state.busy()
            ? Future.failedFuture(new BusFailure(ReplyCodes.CONFLICT, "script " + script.name()
                + " already has an active run " + describeActive(state) + "; wait for it or kill it"))
            : start(script, env, trigger, extra);
        case Script.QUEUE -> state.busy() || !state.queue.isEmpty()
            ? enqueue(script, env, trigger)
            : start(script, env, trigger, extra);
        case Script.REPLACE -> killAndWait(new ArrayList<>(state.active))
            .compose(v -> start(script, env, trigger, extra));
        default -> start(script, env, trigger, extra);
      };
    });
  }

  /**
   * A cron fire (from the scheduler, carrying the script version it was armed for) only runs when no
   * change of the script began since it arrived and the stored definition is still that version,
   * enabled and scheduled: so no fire of an old schedule starts a run once an update or delete has
   * answered.
   */
  private boolean stillScheduled(Script script, long version, Long changeSeen) {
    return !changing.containsKey(script.id())
        && Objects.equals(lastChange.get(script.id()), changeSeen)
        && version == script.version()
        && script.enabled() && script.schedule() != null;
  }

  private static BusFailure scheduleChanged(String script) {
    return new BusFailure(ReplyCodes.CONFLICT, "the schedule of script " + script
        + " changed; this cron fire is dropped");
  }

  private static String describeActive(ScriptState state) {
    return state.active.isEmpty() ? "(starting)" : String.join(", ", state.active);
  }

  /**
   * What an endpoint call adds to a run: the request body for a shell script's stdin, the request
   * object for a js script, and whether the reply waits for a js run's end.
   */
  private record Extra(String stdin, JsonObject request, boolean await) {
    static final Extra NONE = new Extra(null, null, false);

    static Extra of(JsonObject body) {
      return new Extra(body.getValue("stdin") instanceof String text ? text : null,
          body.getValue("request") instanceof JsonObject request ? request : null,
          Boolean.TRUE.equals(body.getValue("wait")));
    }
  }

  private Future<JsonObject> start(Script script, Map<String, String> extraEnv, String trigger, Extra extra) {
    Map<String, String> env = new HashMap<>(script.env());
    env.putAll(extraEnv);
    JsonObject envJson = new JsonObject();
    env.forEach(envJson::put);
    if (Run.KIND_JS.equals(script.kind())) {
      JsonObject start = new JsonObject()
          .put("program", script.program())
          .put("script_id", script.id())
          .put("version", script.version())
          .put("name", script.name())
          .put("timeout", script.timeoutSeconds())
          .put("trigger", trigger)
          .put("limits", script.limits().toJson())
          .put("env", envJson) // its secret values are masked in the run's output
          .put("wait", extra.await());
      if (extra.request() != null) {
        start.put("request", extra.request());
      }
      DeliveryOptions options = new DeliveryOptions().setSendTimeout(script.timeoutSeconds() * 1000 + 30_000);
      return tracked(script.id(), vertx.eventBus().<JsonObject>request(ns.of(Addresses.JS_START), start, options)
          .map(Message::body));
    }
    JsonObject start = new JsonObject()
        .put("command", script.command())
        .put("timeout", script.timeoutSeconds())
        .put("env", envJson)
        .put("script_id", script.id())
        .put("trigger", trigger)
        .put("limits", script.limits().toJson());
    if (script.cwd() != null) {
      start.put("cwd", script.cwd());
    }
    if (extra.stdin() != null) {
      start.put("stdin", extra.stdin());
    }
    return tracked(script.id(), vertx.eventBus().<JsonObject>request(ns.of(Addresses.RUNS_START), start).map(Message::body));
  }

  /** Counts a start in flight until its reply, then records the run as active unless it already ended. */
  private Future<JsonObject> tracked(String scriptId, Future<JsonObject> started) {
    ScriptState state = state(scriptId);
    state.starting++;
    return started.andThen(ar -> {
      state.starting--;
      if (ar.succeeded()) {
        String id = ar.result().getString("id");
        boolean ended = RunStatus.fromWire(ar.result().getString("status")).isFinal();
        if (!ended && !finished.containsKey(id)) {
          state.active.add(id);
        }
      }
      drain(scriptId);
    });
  }

  private Future<JsonObject> enqueue(Script script, Map<String, String> extraEnv, String trigger) {
    Map<String, String> env = new HashMap<>(script.env());
    env.putAll(extraEnv);
    boolean js = Run.KIND_JS.equals(script.kind());
    Run pending = Run.pending(UUID.randomUUID().toString(), script.id(), script.kind(), js ? null : script.command(), trigger,
        script.timeoutSeconds(), env, script.cwd(), null, Instant.now(), script.limits());
    ScriptState state = state(script.id());
    state.queue.add(pending.id());
    state.saving.add(pending.id());
    queuedScript.put(pending.id(), script.id());
    return vertx.eventBus().<Run>request(ns.of(Addresses.DB_QUEUE_RUN), pending)
        .map(saved -> {
          vertx.eventBus().publish(ns.of(Addresses.RUNS_STATUS), pending.toJson());
          return pending.toJson();
        })
        .onFailure(e -> {
          state.queue.remove(pending.id());
          queuedScript.remove(pending.id());
        })
        .andThen(ar -> {
          state.saving.remove(pending.id());
          drain(script.id());
        });
  }

  /** Starts the head of the queue once nothing of the script is active or starting. */
  private void drain(String scriptId) {
    ScriptState state = states.get(scriptId);
    if (state == null || state.busy() || state.queue.isEmpty() || state.saving.contains(state.queue.peek())) {
      return;
    }
    String runId = state.queue.poll();
    queuedScript.remove(runId);
    Future<JsonObject> started = tracked(scriptId, vertx.eventBus()
        .<JsonObject>request(ns.of(Addresses.RUNS_START), new JsonObject().put("run_id", runId)).map(Message::body));
    dispatching.put(runId, started);
    started.onComplete(ar -> dispatching.remove(runId))
        .onFailure(e -> LOG.warn("queued run {} did not start: {}", runId, e.getMessage()));
  }

  private void onStatus(JsonObject run) {
    String id = run.getString("id");
    String scriptId = run.getString("script_id");
    RunStatus status;
    try {
      status = RunStatus.fromWire(run.getString("status"));
    } catch (IllegalArgumentException e) {
      return;
    }
    if (status.isFinal()) {
      finished.put(id, Boolean.TRUE);
      List<Promise<Void>> waiters = endWaiters.remove(id);
      if (waiters != null) {
        waiters.forEach(Promise::tryComplete);
      }
    }
    if (scriptId == null) {
      return;
    }
    ScriptState state = state(scriptId);
    if (status.isFinal()) {
      state.active.remove(id);
      if (state.queue.remove(id)) {
        queuedScript.remove(id);
      }
      drain(scriptId);
      if (state.active.isEmpty() && state.queue.isEmpty() && state.starting == 0) {
        states.remove(scriptId); // idle scripts hold no state
      }
    } else if (!queuedScript.containsKey(id) && !finished.containsKey(id)) {
      state.active.add(id);
    }
  }

  /** Kills the runs and completes once each one ended (or the grace plus a margin passed). */
  private Future<Void> killAndWait(List<String> runIds) {
    List<Future<Void>> ends = new ArrayList<>();
    for (String id : runIds) {
      Promise<Void> ended = Promise.promise();
      endWaiters.computeIfAbsent(id, k -> new ArrayList<>()).add(ended);
      if (finished.containsKey(id)) {
        ended.tryComplete();
      }
      vertx.eventBus().request(ns.of(Addresses.RUNS_KILL), new JsonObject().put("run_id", id))
          .onFailure(e -> ended.tryComplete()); // already ended or unknown: nothing to wait for
      ends.add(ended.future());
    }
    return Future.join(ends)
        .timeout(runSettings.killGraceMs() + 10_000, TimeUnit.MILLISECONDS)
        .recover(e -> {
          LOG.warn("runs {} did not end in time after kill", runIds);
          return Future.succeededFuture();
        })
        .mapEmpty();
  }

  /** A queued run ends killed without a process; one being dispatched is killed once started. */
  private Future<JsonObject> cancel(JsonObject body) {
    String runId = body.getString("run_id");
    String scriptId = runId == null ? null : queuedScript.get(runId);
    if (scriptId != null) {
      ScriptState state = state(scriptId);
      state.queue.remove(runId);
      queuedScript.remove(runId);
      return vertx.eventBus().<Run>request(ns.of(Addresses.DB_GET_RUN), runId).map(Message::body)
          .compose(run -> {
            Run killed = run.ended(RunStatus.KILLED, null, null, "killed while waiting in the queue", Instant.now());
            return vertx.eventBus().<Run>request(ns.of(Addresses.DB_SAVE_RUN), killed).map(saved -> killed);
          })
          .map(killed -> {
            vertx.eventBus().publish(ns.of(Addresses.RUNS_STATUS), killed.toJson());
            return killed.toJson();
          });
    }
    Future<JsonObject> starting = runId == null ? null : dispatching.get(runId);
    if (starting != null) {
      return starting.compose(run -> vertx.eventBus()
          .<JsonObject>request(ns.of(Addresses.RUNS_KILL), new JsonObject().put("run_id", runId)).map(Message::body));
    }
    return Future.failedFuture(new BusFailure(ReplyCodes.CONFLICT,
        "run " + runId + " is pending but not waiting in a queue of this server"));
  }

  /** Kills the active runs and cancels the queued ones; replies with the runs as they were asked to end. */
  private Future<JsonObject> kill(JsonObject body) {
    return resolve(body).compose(entry -> killAll(entry.script().id()))
        .map(killed -> new JsonObject().put("script_id", body.getString("script_id")).put("killed", killed));
  }

  private Future<JsonArray> killAll(String scriptId) {
    ScriptState state = state(scriptId);
    List<Future<JsonObject>> replies = new ArrayList<>();
    for (String queued : new ArrayList<>(state.queue)) {
      replies.add(cancel(new JsonObject().put("run_id", queued)));
    }
    for (String active : new ArrayList<>(state.active)) {
      replies.add(vertx.eventBus().<JsonObject>request(ns.of(Addresses.RUNS_KILL), new JsonObject().put("run_id", active))
          .map(Message::body));
    }
    return Future.join(replies).transform(ar -> {
      JsonArray killed = new JsonArray();
      replies.stream().filter(Future::succeeded).forEach(reply -> killed.add(reply.result()));
      return Future.succeededFuture(killed);
    });
  }

  private Future<JsonObject> restart(JsonObject body) {
    return resolve(body).compose(entry -> {
      Script script = entry.script();
      ScriptState state = state(script.id());
      List<String> active = new ArrayList<>(state.active);
      return killAll(script.id())
          .compose(killed -> killAndWait(active))
          .compose(v -> start(script, Map.of(), "restart", Extra.NONE));
    });
  }

  private Future<JsonObject> cleanup(JsonObject body) {
    Object days = body.getValue("days");
    int value = days instanceof Number number ? number.intValue() : -1;
    if (days != null && (!(days instanceof Number number) || number.doubleValue() != value || value < 1
        || value > 36_500)) {
      return Future.failedFuture(new BusFailure(ReplyCodes.BAD_REQUEST, "days must be a whole number 1..36500"));
    }
    return retention.run(days == null ? ScriptdConfig.fromJson(config()).retention().days() : value)
        .map(stats -> stats.toJson());
  }

  private static Map<String, String> env(Object raw) {
    Map<String, String> env = new HashMap<>();
    if (raw == null) {
      return env;
    }
    if (!(raw instanceof JsonObject object)) {
      throw new BusFailure(ReplyCodes.BAD_REQUEST, "env must be an object of strings");
    }
    for (Map.Entry<String, Object> entry : object) {
      if (!entry.getKey().matches("[A-Za-z_][A-Za-z0-9_]{0,127}") || !(entry.getValue() instanceof String text)) {
        throw new BusFailure(ReplyCodes.BAD_REQUEST, "env." + entry.getKey()
            + " must be a string under a valid variable name ([A-Za-z_][A-Za-z0-9_]*)");
      }
      env.put(entry.getKey(), text);
    }
    return env;
  }
}
