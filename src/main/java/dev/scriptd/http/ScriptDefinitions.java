package dev.scriptd.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The rules of a script definition, as the script routes need them to answer a bad POST or PUT
 * with every wrong field at once. HTTP does not import the scripts package: the composition root
 * ({@code Scriptd}) hands over an implementation backed by the same rules the scripts verticle
 * applies when it saves.
 */
public interface ScriptDefinitions {
  /** The definition in the JSON form the scripts verticle takes, or the {field, message} problems. */
  Checked check(JsonObject body);

  /** True when {@code id} is well formed as a script name (ids are UUIDs, checked apart). */
  boolean isName(String id);

  /** A checked definition: {@code definition} is null unless {@code errors} is empty. */
  record Checked(JsonObject definition, JsonArray errors) {
    public boolean valid() {
      return errors.isEmpty();
    }
  }
}
