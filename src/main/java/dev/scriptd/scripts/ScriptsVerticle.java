package dev.scriptd.scripts;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.BusReplies;
import dev.scriptd.bus.Namespace;
import dev.scriptd.bus.Codecs;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.bus.ScriptEntry;
import dev.scriptd.bus.ScriptRunsCommand;
import dev.scriptd.bus.StartScript;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.config.SecurityConfig;
import dev.scriptd.cron.Schedules;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunLimits;
import dev.scriptd.domain.Script;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Owns script definitions: validated here, stored by persistence, announced by SCRIPTS_CHANGED
 * (the scheduler, the endpoint tables, the JS source cache and the run owner's definition cache
 * follow it), and the retention job. For a run it resolves the script (and, for a cron fire, checks
 * that the fire is still of the stored definition) and hands the run owner a typed StartScript; it
 * never saves nor publishes runs, and keeps no run state.
 */
public final class ScriptsVerticle extends VerticleBase {
  private static final String CRON = "cron";

  private Namespace ns;
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
    on(ns.of(Addresses.SCRIPTS_RUN), this::run);
    on(ns.of(Addresses.SCRIPTS_CREATE), this::create);
    on(ns.of(Addresses.SCRIPTS_UPDATE), this::update);
    on(ns.of(Addresses.SCRIPTS_DELETE), this::delete);
    on(ns.of(Addresses.SCRIPTS_CLEANUP), this::cleanup);
    on(ns.of(Addresses.SCRIPTS_CLEANUP_STATUS), body -> retention.status());
    ScriptApply files = new ScriptApply(vertx, ns, runSettings.defaultTimeoutSeconds(), defaultLimits);
    on(ns.of(Addresses.SCRIPTS_APPLY), files::apply);
    on(ns.of(Addresses.SCRIPTS_EXPORT), body -> files.export());
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
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

  // ---- definitions

  private Future<JsonObject> create(JsonObject body) {
    ScriptSpec spec = valid(body);
    Instant now = Instant.now();
    Script script = spec.toScript(UUID.randomUUID().toString(), 1, now, now);
    return chainedScriptsExist(script).compose(v -> vertx.eventBus().<Script>request(ns.of(Addresses.DB_SAVE_SCRIPT), script))
        .map(saved -> changed(saved.body(), "created",
            saved.body().toJson(null, Schedules.nextRunAt(saved.body(), Instant.now()))));
  }

  private Future<JsonObject> update(JsonObject body) {
    Object definition = body.getValue("definition");
    ScriptSpec spec = valid(definition instanceof JsonObject object ? object : new JsonObject());
    return resolve(body).compose(entry -> {
      Script old = entry.script();
      Script script = spec.keepingSecrets(old)
          .toScript(old.id(), old.version() + 1, old.createdAt(), Instant.now());
      beginChange(old.id());
      return chainedScriptsExist(script)
          .compose(v -> old.name().equals(script.name()) ? Future.<Void>succeededFuture() : notChainedByName(old))
          .compose(v -> vertx.eventBus().<Script>request(ns.of(Addresses.DB_SAVE_SCRIPT), script))
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

  /**
   * Each {@code then} entry names an existing script (or the script itself): 400 naming the first
   * that does not.
   */
  private Future<Void> chainedScriptsExist(Script script) {
    List<String> chained = script.automation().chainedScripts();
    List<Future<Void>> checks = new ArrayList<>();
    for (int i = 0; i < chained.size(); i++) {
      String ref = chained.get(i);
      if (ref.equals(script.name()) || ref.equals(script.id())) {
        continue;
      }
      String field = "then[" + i + "].script";
      checks.add(vertx.eventBus().request(ns.of(Addresses.DB_GET_SCRIPT), ref).<Void>mapEmpty()
          .recover(e -> Future.failedFuture(BusFailure.is(e, ReplyCodes.NOT_FOUND)
              ? new BusFailure(ReplyCodes.BAD_REQUEST, "the script has invalid fields: " + field
                  + " names no script ('" + ref + "'); create it first")
              : e)));
    }
    return Future.all(checks).mapEmpty();
  }

  /**
   * A rename would leave another script's {@code then} naming nobody: 409 while one names this
   * script by its old name (naming it by id keeps working across a rename).
   */
  private Future<Void> notChainedByName(Script old) {
    return vertx.eventBus().<JsonArray>request(ns.of(Addresses.DB_CHAINED_FROM),
            new JsonObject().put("script_id", old.id()).put("name", old.name()))
        .map(Message::body)
        .compose(names -> {
          List<Future<Script>> callers = new ArrayList<>();
          for (int i = 0; i < names.size(); i++) {
            callers.add(vertx.eventBus().<ScriptEntry>request(ns.of(Addresses.DB_GET_SCRIPT), names.getString(i))
                .map(message -> message.body().script()));
          }
          return Future.all(callers);
        })
        .map(found -> {
          List<String> byName = new ArrayList<>();
          for (int i = 0; i < found.size(); i++) {
            Script caller = found.resultAt(i);
            if (caller.automation().chainedScripts().contains(old.name())) {
              byName.add(caller.name());
            }
          }
          if (!byName.isEmpty()) {
            throw new BusFailure(ReplyCodes.CONFLICT, "script " + old.name() + " cannot be renamed: the then of "
                + new JsonArray(byName).encode() + " names it by its name; name it by id ("
                + old.id() + ") or change their then first");
          }
          return null;
        });
  }

  /**
   * The run owner ends its runs and drops its queue, then the script is deleted with its runs and
   * logs; 409 while another script's {@code then} names it.
   */
  private Future<JsonObject> delete(JsonObject body) {
    return resolve(body).compose(entry -> vertx.eventBus().<JsonArray>request(ns.of(Addresses.DB_CHAINED_FROM),
        new JsonObject().put("script_id", entry.script().id()).put("name", entry.script().name()))
        .map(Message::body).map(names -> {
          if (!names.isEmpty()) {
            throw new BusFailure(ReplyCodes.CONFLICT, "script " + entry.script().name()
                + " is named by the then of " + names.encode() + "; remove it from their then first");
          }
          return entry;
        })).compose(entry -> {
      String id = entry.script().id();
      beginChange(id);
      return vertx.eventBus().request(ns.of(Addresses.RUNS_SCRIPT_RUNS),
              new ScriptRunsCommand(id, ScriptRunsCommand.Action.END_ALL),
              new DeliveryOptions().setSendTimeout(runSettings.killGraceMs() + 20_000))
          .compose(v -> vertx.eventBus().request(ns.of(Addresses.DB_DELETE_SCRIPT), id))
          .map(v -> {
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

  // ---- runs: resolved here, started by the run owner

  private Future<Object> run(JsonObject body) {
    Map<String, String> env = env(body.getValue("env"));
    String trigger = body.getValue("trigger") instanceof String text && !text.isBlank() ? text : "api";
    // a scheduler fire: trigger cron with the script version it was armed for
    boolean fire = CRON.equals(trigger) && body.getValue("version") instanceof Number;
    String requested = body.getValue("script_id") instanceof String text ? text : "";
    Long changeSeen = lastChange.get(requested);
    if (fire && changing.containsKey(requested)) {
      return Future.failedFuture(scheduleChanged(requested));
    }
    String stdin = body.getValue("stdin") instanceof String text ? text : null;
    JsonObject request = body.getValue("request") instanceof JsonObject object ? object : null;
    boolean waitForEnd = Boolean.TRUE.equals(body.getValue("wait"));
    String createdBy = body.getValue("created_by") instanceof String text ? text : null;
    return resolve(body).compose(entry -> {
      Script script = entry.script();
      if (fire && !stillScheduled(script, body.getLong("version"), changeSeen)) {
        return Future.failedFuture(scheduleChanged(script.name()));
      }
      DeliveryOptions options = new DeliveryOptions();
      if (waitForEnd) {
        options.setSendTimeout(TimeUnit.SECONDS.toMillis(script.timeoutSeconds()) + 30_000);
      }
      return vertx.eventBus().<Run>request(ns.of(Addresses.RUNS_START_SCRIPT),
              new StartScript(script.id(), script, env, trigger, stdin, request, waitForEnd, createdBy, null), options)
          .map(reply -> (Object) reply.body().toJson());
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

  private Future<JsonObject> cleanup(JsonObject body) {
    Object days = body.getValue("days");
    int value = days instanceof Number number ? number.intValue() : -1;
    if (days != null && (!(days instanceof Number number) || number.doubleValue() != value || value < 0
        || value > 36_500)) {
      return Future.failedFuture(new BusFailure(ReplyCodes.BAD_REQUEST, "days must be a whole number 0..36500"));
    }
    return retention.run(days == null ? ScriptdConfig.fromJson(config()).retention().days() : value,
            Boolean.TRUE.equals(body.getValue("dry_run")), days == null)
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
