package dev.scriptd.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ScriptAutomation: the rules of then, retry and notify")
class ScriptAutomationTest {
  private final List<String> errors = new ArrayList<>();

  private ScriptAutomation parse(JsonObject definition) {
    return ScriptAutomation.parse(definition, (field, message) -> errors.add(field));
  }

  @Test
  @DisplayName("defaults are filled in: then on completed, retry 3 attempts of 1 s doubling on failed and timed_out, notify json on failed, timed_out, lost")
  void defaultsAreFilledIn() {
    ScriptAutomation automation = parse(new JsonObject()
        .put("then", new JsonArray().add(new JsonObject().put("script", "next")))
        .put("retry", new JsonObject())
        .put("notify", new JsonArray().add(new JsonObject().put("url", "https://example.com/hook"))));
    assertEquals(List.of(), errors);
    assertEquals(new JsonObject().put("on", new JsonArray().add("completed")).put("script", "next")
        .put("params", new JsonObject()), automation.then().getJsonObject(0));
    assertEquals(new JsonObject().put("max_attempts", 3L).put("delay_ms", 1000L).put("backoff", 2.0)
        .put("max_delay_ms", 300_000L).put("on", new JsonArray().add("failed").add("timed_out")), automation.retry());
    JsonObject notify = automation.notifications().getJsonObject(0);
    assertEquals("json", notify.getString("format"));
    assertEquals(new JsonArray().add("failed").add("timed_out").add("lost"), notify.getJsonArray("on"));
  }

  @Test
  @DisplayName("each bad field is named: too many entries, a missing script, bounds of retry, killed in retry.on, a reserved header")
  void badFieldsAreNamed() {
    JsonArray eleven = new JsonArray();
    for (int i = 0; i < 11; i++) {
      eleven.add(new JsonObject().put("script", "s" + i));
    }
    parse(new JsonObject().put("then", eleven));
    parse(new JsonObject().put("then", new JsonArray().add(new JsonObject().put("params", new JsonObject()))));
    parse(new JsonObject().put("retry", new JsonObject().put("max_attempts", 101).put("delay_ms", -1)
        .put("backoff", 0.5).put("on", new JsonArray().add("killed"))));
    parse(new JsonObject().put("notify", new JsonArray().add(new JsonObject().put("url", "http://x.example")
        .put("headers", new JsonObject().put("X-Scriptd-Signature", "forged")))));
    assertEquals(List.of("then", "then[0].script", "retry.max_attempts", "retry.delay_ms", "retry.backoff",
        "retry.on", "notify[0].headers.X-Scriptd-Signature"), errors);
  }

  @Test
  @DisplayName("the API shows a notify secret as ***, and *** sent back keeps the stored secret of the same url")
  void secretsAreWriteOnly() {
    ScriptAutomation stored = parse(new JsonObject().put("notify", new JsonArray()
        .add(new JsonObject().put("url", "http://a.example").put("secret", "one"))
        .add(new JsonObject().put("url", "http://b.example").put("secret", "two"))));
    assertEquals("***", stored.toApiJson().getJsonArray("notify").getJsonObject(0).getString("secret"));
    ScriptAutomation sentBack = parse(new JsonObject().put("notify", new JsonArray()
        .add(new JsonObject().put("url", "http://b.example").put("secret", "***"))
        .add(new JsonObject().put("url", "http://c.example").put("secret", "new"))));
    JsonArray kept = sentBack.keepMasked(stored).notifications();
    assertEquals("two", kept.getJsonObject(0).getString("secret"), "matched by url, not position");
    assertEquals("new", kept.getJsonObject(1).getString("secret"));
    ScriptAutomation nothingStored = sentBack.keepMasked(ScriptAutomation.NONE);
    assertNull(nothingStored.notifications().getJsonObject(0).getString("secret"), "no stored secret: none, never ***");
  }

  @Test
  @DisplayName("the n-th retry waits delay × backoff^(n-1), capped at max_delay_ms")
  void retryDelays() {
    JsonObject retry = parse(new JsonObject().put("retry", new JsonObject().put("delay_ms", 1000).put("backoff", 3)
        .put("max_delay_ms", 20_000))).retry();
    assertEquals(1000, ScriptAutomation.retryDelayMs(retry, 2));
    assertEquals(3000, ScriptAutomation.retryDelayMs(retry, 3));
    assertEquals(9000, ScriptAutomation.retryDelayMs(retry, 4));
    assertEquals(20_000, ScriptAutomation.retryDelayMs(retry, 5));
    assertTrue(errors.isEmpty(), errors.toString());
  }
}
