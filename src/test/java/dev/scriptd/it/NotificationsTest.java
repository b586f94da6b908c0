package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Notifications: signed webhook deliveries from a durable outbox")
class NotificationsTest {
  /** The database the servers of a test use: null for SQLite in the data dir; PostgreSQL variants override it. */
  String databaseUrl() {
    return null;
  }

  private static final String SECRET = "receiver-shared-secret";
  private static final String TOKEN = "hunter2-database-password";

  @TempDir
  Path dataDir;

  @Test
  @DisplayName("a failed run's notification is signed, retried after two 500 answers across a server restart, then delivered, with the run's secret masked")
  void signedRetriedAcrossRestartAndMasked(Vertx vertx) throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver(500, 500)) {
      JsonObject config = TestServer.config(dataDir, TestServer.freePort(), databaseUrl());
      TestServer first = TestServer.start(vertx, config);
      JsonObject definition = new JsonObject().put("name", "nightly")
          .put("command", "echo \"connecting with $DB_TOKEN\"; echo done; exit 3")
          .put("env", new JsonObject().put("DB_TOKEN", new JsonObject().put("value", TOKEN).put("secret", true)))
          .put("notify", new JsonArray().add(new JsonObject().put("url", receiver.url("/hook?key=abc"))
              .put("secret", SECRET).put("on", new JsonArray().add("failed"))
              .put("headers", new JsonObject().put("X-Team", "ops"))));
      HttpResponse<String> created = first.api.post("/api/scripts", definition);
      assertEquals(201, created.statusCode(), created.body());
      JsonObject shown = new JsonObject(created.body());
      assertEquals("***", shown.getJsonArray("notify").getJsonObject(0).getString("secret"), "write-only");

      String runId = new JsonObject(first.api.post("/api/scripts/nightly/run", new JsonObject()).body()).getString("id");
      assertEquals("failed", first.api.awaitEnd(runId).getString("status"));

      WebhookReceiver.Received one = receiver.next(Duration.ofSeconds(20));
      WebhookReceiver.Received two = receiver.next(Duration.ofSeconds(20));
      long gap = Duration.between(one.at(), two.at()).toMillis();
      assertTrue(gap >= 900 && gap < 4000, "the second attempt about 1 s after the first, was " + gap + " ms");
      first.close();

      TestServer second = TestServer.start(vertx, config);
      try {
        WebhookReceiver.Received three = receiver.next(Duration.ofSeconds(20));
        long secondGap = Duration.between(two.at(), three.at()).toMillis();
        assertTrue(secondGap >= 1900, "the third attempt 2 s (doubled) after the second, was " + secondGap + " ms");
        assertEquals(200, three.answered());

        for (WebhookReceiver.Received attempt : List.of(one, two, three)) {
          assertEquals("/hook?key=abc", attempt.path());
          assertEquals(WebhookReceiver.expectedSignature(SECRET, attempt.body()), attempt.header("X-Scriptd-Signature"),
              "the receiver verifies the signature over the raw body");
          assertEquals("run.failed", attempt.header("X-Scriptd-Event"));
          assertEquals("ops", attempt.header("X-Team"));
          assertEquals(one.text(), attempt.text(), "every attempt sends the same bytes");
          assertFalse(attempt.text().contains(TOKEN), "the secret is masked: " + attempt.text());
        }
        JsonObject body = new JsonObject(three.text());
        assertEquals("run.failed", body.getString("event"));
        assertEquals(three.header("X-Scriptd-Delivery"), body.getString("delivery_id"));
        assertEquals(runId, body.getJsonObject("run").getString("id"));
        assertEquals(3, body.getJsonObject("run").getInteger("exit_code"));
        assertEquals("nightly", body.getJsonObject("script").getString("name"));
        assertEquals(List.of("connecting with ***", "done"), body.getJsonArray("log_tail").stream()
            .map(line -> ((JsonObject) line).getString("line")).toList());
        assertTrue(body.getString("url").endsWith("/#/runs/" + runId), body.getString("url"));

        JsonObject delivery = awaitDelivery(second.api, runId, "delivered");
        assertEquals(3, delivery.getInteger("attempts"));
        assertEquals(200, delivery.getInteger("last_status_code"));
        assertEquals(receiver.url("/hook"), delivery.getString("url"), "the query string is not shown");
        assertEquals(body.getString("delivery_id"), delivery.getString("id"));
        assertTrue(receiver.rest().isEmpty(), "delivered once");

        HttpResponse<String> put = second.api.send("PUT", "/api/scripts/nightly", shown.encode());
        assertEquals(200, put.statusCode(), put.body());
        String again = new JsonObject(second.api.post("/api/scripts/nightly/run", new JsonObject()).body()).getString("id");
        second.api.awaitEnd(again);
        WebhookReceiver.Received kept = receiver.next(Duration.ofSeconds(20));
        assertEquals(WebhookReceiver.expectedSignature(SECRET, kept.body()), kept.header("X-Scriptd-Signature"),
            "a PUT sending \"***\" keeps the stored secret");
      } finally {
        second.close();
      }
    }
  }

  @Test
  @DisplayName("notify.default reaches the receiver for an ad-hoc run, in the slack format, and only for its listed statuses")
  void serverDefaultCoversAdHocRuns(Vertx vertx) throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver()) {
      JsonObject config = TestServer.config(dataDir, TestServer.freePort(), databaseUrl())
          .put("notify", new JsonObject().put("default", new JsonArray().add(new JsonObject()
              .put("url", receiver.url("/chat")).put("format", "slack").put("on", new JsonArray().add("completed")))));
      TestServer server = TestServer.start(vertx, config);
      try {
        String failed = server.api.startRun("exit 1").getString("id");
        server.api.awaitEnd(failed);
        String ok = server.api.startRun("echo hello from ad-hoc").getString("id");
        server.api.awaitEnd(ok);
        WebhookReceiver.Received chat = receiver.next(Duration.ofSeconds(20));
        JsonObject body = new JsonObject(chat.text());
        assertEquals(List.of("text"), List.copyOf(body.fieldNames()));
        assertTrue(body.getString("text").contains("completed") && body.getString("text").contains("hello from ad-hoc")
            && body.getString("text").contains(ok.substring(0, 8)), body.getString("text"));
        assertNull(chat.header("X-Scriptd-Signature"), "no secret, no signature");
        awaitDelivery(server.api, ok, "delivered");
        assertTrue(server.api.get("/metrics").body().contains("scriptd_notifications_total{outcome=\"delivered\"} 1.0"));
        HttpResponse<String> none = server.api.get("/api/notifications?run_id=" + failed);
        assertEquals(0, new JsonObject(none.body()).getJsonArray("items").size(), "failed is not listed");
        assertEquals(400, server.api.get("/api/notifications?status=nope").statusCode());
        assertEquals(400, server.api.get("/api/notifications?cursor=not-a-cursor").statusCode());
        assertEquals(204, server.api.send("DELETE", "/api/runs/" + ok, null).statusCode());
        assertEquals(0, new JsonObject(server.api.get("/api/notifications?run_id=" + ok).body()).getJsonArray("items").size(),
            "a run's deliveries are deleted with it");
      } finally {
        server.close();
      }
    }
  }

  @Test
  @DisplayName("an x-secret parameter's value is masked in the notification: params, log tail and slack text")
  void secretParameterIsMasked(Vertx vertx) throws Exception {
    String value = "tok-5f2a9c-very-secret";
    try (WebhookReceiver receiver = new WebhookReceiver()) {
      TestServer server = TestServer.start(vertx, dataDir, databaseUrl());
      try {
        HttpResponse<String> created = server.api.post("/api/scripts", new JsonObject().put("name", "uses-token")
            .put("command", "echo \"calling with $SCRIPTD_PARAM_TOKEN\"")
            .put("parameters", new JsonObject().put("type", "object").put("properties", new JsonObject()
                .put("token", new JsonObject().put("type", "string").put("x-secret", true))))
            .put("notify", new JsonArray()
                .add(new JsonObject().put("url", receiver.url("/json")).put("on", new JsonArray().add("completed")))
                .add(new JsonObject().put("url", receiver.url("/slack")).put("format", "slack")
                    .put("on", new JsonArray().add("completed")))));
        assertEquals(201, created.statusCode(), created.body());
        HttpResponse<String> started = server.api.post("/api/scripts/uses-token/run",
            new JsonObject().put("params", new JsonObject().put("token", value)));
        assertEquals(201, started.statusCode(), started.body());
        String runId = new JsonObject(started.body()).getString("id");
        assertEquals("completed", server.api.awaitEnd(runId).getString("status"));
        for (int i = 0; i < 2; i++) {
          WebhookReceiver.Received received = receiver.next(Duration.ofSeconds(20));
          assertFalse(received.text().contains(value), received.path() + ": " + received.text());
          if (received.path().equals("/json")) {
            JsonObject body = new JsonObject(received.text());
            assertEquals("***", body.getJsonObject("run").getJsonObject("params").getString("token"));
            assertEquals("calling with ***", body.getJsonArray("log_tail").getJsonObject(0).getString("line"));
          } else {
            assertTrue(received.text().contains("calling with ***"), received.text());
          }
        }
      } finally {
        server.close();
      }
    }
  }

  @Test
  @DisplayName("a notify entry with a bad url, format or status is a 400 naming each field")
  void badEntriesAreRefused(Vertx vertx) throws Exception {
    TestServer server = TestServer.start(vertx, dataDir, databaseUrl());
    try {
      HttpResponse<String> response = server.api.post("/api/scripts", new JsonObject().put("name", "x").put("command", "true")
          .put("notify", new JsonArray().add(new JsonObject().put("url", "ftp://example.com"))
              .add(new JsonObject().put("url", "http://example.com").put("format", "xml"))
              .add(new JsonObject().put("url", "http://example.com").put("on", new JsonArray().add("done")))));
      assertEquals(400, response.statusCode(), response.body());
      String errors = new JsonObject(response.body()).getJsonArray("errors").encode();
      assertTrue(errors.contains("notify[0].url") && errors.contains("notify[1].format") && errors.contains("notify[2].on"),
          errors);
    } finally {
      server.close();
    }
  }

  private static JsonObject awaitDelivery(Api api, String runId, String status) {
    Instant end = Instant.now().plusSeconds(20);
    while (true) {
      JsonArray items = new JsonObject(api.get("/api/notifications?run_id=" + runId).body()).getJsonArray("items");
      if (!items.isEmpty() && status.equals(items.getJsonObject(0).getString("status"))) {
        return items.getJsonObject(0);
      }
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("no " + status + " delivery for run " + runId + ": " + items.encode());
      }
      LockSupport.parkNanos(50_000_000L);
    }
  }
}
