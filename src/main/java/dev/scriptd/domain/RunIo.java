package dev.scriptd.domain;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What goes into a run and what comes out: its parameter values after defaults ({@code params},
 * the real values: a restart or a queued start needs them), the names of the secret ones, and the
 * {@code outputs} it declared. Immutable; the JSON values are copied in and out.
 */
public record RunIo(JsonObject params, Set<String> secretParams, JsonObject outputs) {
  public static final RunIo NONE = new RunIo(null, null, null);

  public RunIo {
    params = params == null ? new JsonObject() : params.copy();
    secretParams = secretParams == null ? Set.of() : Set.copyOf(new LinkedHashSet<>(secretParams));
    outputs = outputs == null ? new JsonObject() : outputs.copy();
  }

  @Override
  public JsonObject params() {
    return params.copy();
  }

  @Override
  public JsonObject outputs() {
    return outputs.copy();
  }

  public RunIo withOutputs(JsonObject declared) {
    return new RunIo(params, secretParams, declared);
  }

  /** The params as every answer, event and export shows them: secret values as {@link SecretEnv#MASK}. */
  public JsonObject paramsForApi() {
    JsonObject shown = new JsonObject();
    params.forEach(entry -> shown.put(entry.getKey(),
        secretParams.contains(entry.getKey()) ? SecretEnv.MASK : entry.getValue()));
    return shown;
  }

  /**
   * The text forms of the secret values, as a run's log lines must not show them: a string as it
   * is, anything else as JSON, each item of a list too. Empty strings are left out.
   */
  public List<String> secretTexts() {
    List<String> texts = new ArrayList<>();
    for (String name : secretParams) {
      Object value = params.getValue(name);
      if (value instanceof JsonArray list) {
        list.forEach(item -> addText(texts, item));
      }
      addText(texts, value);
    }
    return texts;
  }

  private static void addText(List<String> texts, Object value) {
    if (value == null) {
      return;
    }
    String text = value instanceof String string ? string : Json.encode(value);
    if (!text.isEmpty() && !texts.contains(text)) {
      texts.add(text);
    }
  }

  /** For storage: the secret names as a JSON list. */
  public String secretsStored() {
    return secretParams.isEmpty() ? null : new JsonArray(new ArrayList<>(secretParams)).encode();
  }

  /** From storage (each column may be null: a run saved before parameters existed). */
  public static RunIo fromStored(String params, String secrets, String outputs) {
    Set<String> names = new LinkedHashSet<>();
    if (secrets != null && !secrets.isEmpty()) {
      new JsonArray(secrets).forEach(name -> names.add(String.valueOf(name)));
    }
    return new RunIo(params == null || params.isEmpty() ? null : new JsonObject(params), names,
        outputs == null || outputs.isEmpty() ? null : new JsonObject(outputs));
  }
}
