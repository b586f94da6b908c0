package dev.scriptd.scripts;

import dev.scriptd.bus.ScriptChanges;
import dev.scriptd.domain.RunLimits;
import dev.scriptd.domain.Script;
import dev.scriptd.domain.SecretEnv;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What an apply does, computed without side effects: the desired definitions (as sent) against the
 * stored scripts, matched by name. A listed script that does not exist is created; one whose
 * definition differs from the stored one is replaced (version + 1); one that is the same is
 * unchanged and keeps its version; with {@code prune}, a stored script that is not listed is
 * deleted. A secret env value sent as {@code "***"} keeps the stored value, so an export applied
 * again changes nothing. Any invalid definition makes the whole plan invalid: {@link #errors} lists
 * every problem, with fields as {@code scripts[i].<field>}.
 */
public record ScriptApplyPlan(List<Script> creates, List<Script> updates, List<String> unchanged,
    List<Script> deletes, JsonArray errors) {

  /** Fields of the script object that are not part of a definition. */
  private static final List<String> NOT_DEFINITION = List.of("id", "version", "created_at", "updated_at",
      "next_run_at", "last_run");

  public ScriptApplyPlan {
    creates = List.copyOf(creates);
    updates = List.copyOf(updates);
    unchanged = List.copyOf(unchanged);
    deletes = List.copyOf(deletes);
  }

  public boolean valid() {
    return errors.isEmpty();
  }

  public ScriptChanges changes() {
    return new ScriptChanges(creates, updates, deletes);
  }

  /** The answer of an apply: the names created, updated, unchanged and deleted. */
  public JsonObject summary() {
    return new JsonObject()
        .put("created", names(creates))
        .put("updated", names(updates))
        .put("unchanged", new JsonArray(new ArrayList<>(unchanged)))
        .put("deleted", names(deletes));
  }

  /** One sentence for a 400: every problem, each with the name of the script it is in. */
  public String detail() {
    StringBuilder detail = new StringBuilder("nothing was applied: ");
    for (int i = 0; i < errors.size(); i++) {
      JsonObject error = errors.getJsonObject(i);
      detail.append(i == 0 ? "" : "; ").append(error.getString("field"));
      if (error.getString("script") != null) {
        detail.append(" (script ").append(error.getString("script")).append(')');
      }
      detail.append(' ').append(error.getString("message"));
    }
    return detail.toString();
  }

  private static JsonArray names(List<Script> scripts) {
    JsonArray names = new JsonArray();
    scripts.forEach(script -> names.add(script.name()));
    return names;
  }

  /**
   * The plan for {@code definitions} (JSON values as sent; each should be a definition object)
   * against {@code stored}. New scripts get ids from {@code newId} and {@code now} as their times.
   */
  public static ScriptApplyPlan of(JsonArray definitions, List<Script> stored, boolean prune,
      long defaultTimeoutSeconds, RunLimits defaultLimits, Instant now, Supplier<String> newId) {
    JsonArray errors = new JsonArray();
    Map<String, Script> byName = new HashMap<>();
    stored.forEach(script -> byName.put(script.name(), script));
    Map<String, Integer> seen = new HashMap<>();
    List<Script> creates = new ArrayList<>();
    List<Script> updates = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    for (int i = 0; i < definitions.size(); i++) {
      String at = "scripts[" + i + "]";
      if (!(definitions.getValue(i) instanceof JsonObject definition)) {
        errors.add(error(at, null, "must be an object (a script definition)"));
        continue;
      }
      String label = definition.getValue("name") instanceof String name ? name : null;
      ScriptSpec.Parsed parsed = ScriptSpec.parse(definition, defaultTimeoutSeconds, defaultLimits);
      if (!parsed.valid()) {
        for (int e = 0; e < parsed.errors().size(); e++) {
          JsonObject problem = parsed.errors().getJsonObject(e);
          errors.add(error(at + "." + problem.getString("field"), label, problem.getString("message")));
        }
        continue;
      }
      ScriptSpec spec = parsed.spec();
      Integer first = seen.putIfAbsent(spec.name(), i);
      if (first != null) {
        errors.add(error(at + ".name", spec.name(), "is also the name of scripts[" + first
            + "]; each script may be listed once"));
        continue;
      }
      Script old = byName.get(spec.name());
      Map<String, String> env = old == null ? spec.env() : SecretEnv.keepMasked(spec.env(), old.env());
      boolean masked = false;
      for (String secret : SecretEnv.secretNames(env)) {
        if (SecretEnv.MASK.equals(env.get(secret))) {
          masked = true;
          errors.add(error(at + ".env." + secret, spec.name(), "is \"***\" (a hidden secret) but "
              + (old == null ? "the script does not exist yet" : "the stored script has no secret " + secret)
              + ", so there is no value to keep; send the real value"));
        }
      }
      if (masked) {
        continue;
      }
      ScriptSpec resolved = old == null ? spec : spec.keepingSecrets(old);
      if (old == null) {
        creates.add(resolved.toScript(newId.get(), 1, now, now));
      } else {
        Script same = resolved.toScript(old.id(), old.version(), old.createdAt(), old.updatedAt());
        if (definition(same, false).equals(definition(old, false))) {
          unchanged.add(old.name());
        } else {
          updates.add(resolved.toScript(old.id(), old.version() + 1, old.createdAt(), now));
        }
      }
    }
    List<Script> deletes = new ArrayList<>();
    if (prune) {
      Set<String> listed = new HashSet<>(seen.keySet());
      stored.stream().filter(script -> !listed.contains(script.name()))
          .sorted(Comparator.comparing(Script::name)).forEach(deletes::add);
    }
    // a then entry names a script that exists after the apply: stored and not pruned, or listed
    Set<String> known = new HashSet<>(seen.keySet());
    stored.stream().filter(script -> !deletes.contains(script)).forEach(script -> {
      known.add(script.name());
      known.add(script.id());
    });
    List<Script> listed = new ArrayList<>(creates);
    listed.addAll(updates);
    unchanged.forEach(name -> listed.add(byName.get(name)));
    for (Script script : listed) {
      List<String> chained = script.automation().chainedScripts();
      for (int t = 0; t < chained.size(); t++) {
        if (!known.contains(chained.get(t))) {
          errors.add(error("scripts[" + seen.get(script.name()) + "].then[" + t + "].script", script.name(),
              "names no script ('" + chained.get(t) + "' is neither stored nor in this apply)"));
        }
      }
    }
    return errors.isEmpty() ? new ScriptApplyPlan(creates, updates, unchanged, deletes, errors)
        : new ScriptApplyPlan(List.of(), List.of(), List.of(), List.of(), errors);
  }

  private static JsonObject error(String field, String script, String message) {
    JsonObject error = new JsonObject().put("field", field).put("message", message);
    return script == null ? error : error.put("script", script);
  }

  /**
   * A stored script as a definition (what export writes and apply takes): the script object
   * without id, version, times and last run. {@code masked}: secret env values (and secret
   * {@code schedule.params} values) as {@code "***"}
   * (for clients); otherwise their real values (only to compare definitions).
   */
  public static JsonObject definition(Script script, boolean masked) {
    JsonObject json = script.toJson(null, null);
    NOT_DEFINITION.forEach(json::remove);
    if (!masked) {
      json.put("notify", script.automation().notifications());
    }
    return json.put("env", masked ? SecretEnv.toApiJson(script.env()) : SecretEnv.toInputJson(script.env()))
        .put("schedule", masked ? script.scheduleForApi() : script.schedule());
  }
}
