package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Endpoint limits: rate_limit, max_concurrent, the endpoints' share of the run queue, and role")
class EndpointLimitsTest {
  @TempDir
  Path dataDir;
  TestServer server;
  Api admin;
  /** HTTP/1.1: one connection per call in flight, as a crowd of anonymous callers would come. */
  final HttpClient crowd = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  void start(Vertx vertx, JsonObject extra) throws Exception {
    JsonObject config = TestServer.config(dataDir, TestServer.freePort()).put("rate_limit", 0);
    config.mergeIn(extra, true);
    server = TestServer.start(vertx, config);
    admin = server.api;
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private void createScript(JsonObject script) {
    HttpResponse<String> created = admin.post("/api/scripts", script);
    assertEquals(201, created.statusCode(), created.body());
  }

  private static JsonObject shellEndpoint(String name, String command, JsonObject endpoint) {
    return new JsonObject().put("name", name).put("command", command).put("endpoint", endpoint);
  }

  private String createToken(String name, String role) {
    HttpResponse<String> created = admin.post("/api/tokens", new JsonObject().put("name", name).put("role", role));
    assertEquals(201, created.statusCode(), created.body());
    return new JsonObject(created.body()).getString("token");
  }

  private static void assertTooMany(HttpResponse<String> response) {
    assertEquals(429, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
        response.headers().toString());
    long retryAfter = Long.parseLong(response.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retryAfter >= 1, "Retry-After " + retryAfter);
    assertEquals(429, new JsonObject(response.body()).getInteger("status"));
  }

  private CompletableFuture<HttpResponse<String>> callAsync(String method, String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(admin.base + path)).timeout(Duration.ofSeconds(60))
        .method(method, HttpRequest.BodyPublishers.noBody()).build();
    return crowd.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("a public shell endpoint flooded far past its limits answers 429 with Retry-After; the admin's POST /api/runs still gets 201")
  void floodedPublicEndpoint(Vertx vertx) throws Exception {
    // a small run queue, so that the flood would fill it without the endpoint's own limits
    start(vertx, new JsonObject().put("limits", new JsonObject().put("max_concurrent_runs", 2)
        .put("max_pending_runs", 20)));
    createScript(shellEndpoint("flooded", "sleep 30", new JsonObject().put("method", "POST").put("path", "flood")
        .put("auth", "public")));
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      calls.add(callAsync("POST", "/hooks/flood"));
    }
    int accepted = 0;
    for (CompletableFuture<HttpResponse<String>> call : calls) {
      HttpResponse<String> response = call.get(60, TimeUnit.SECONDS);
      if (response.statusCode() == 202) {
        accepted++;
      } else {
        assertTooMany(response);
      }
    }
    assertTrue(accepted >= 1 && accepted <= 4, "public endpoints run at most 4 at once by default; accepted " + accepted);
    admin.startRun("true");
    admin.startRun(new JsonObject().put("command", "true").put("trigger", "ui"));
  }

  @Test
  @DisplayName("with max_concurrent 1, a second call while the first shell run is active gets 429; once it ended, calls get in again")
  void maxConcurrentOneShell(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    createScript(shellEndpoint("single", "sleep 30", new JsonObject().put("method", "POST").put("path", "single")
        .put("auth", "public").put("max_concurrent", 1)));
    HttpResponse<String> first = admin.as(null).send("POST", "/hooks/single", null);
    assertEquals(202, first.statusCode(), first.body());
    assertTooMany(admin.as(null).send("POST", "/hooks/single", null));
    String runId = new JsonObject(first.body()).getString("run_id");
    assertEquals(202, admin.post("/api/runs/" + runId + "/kill", null).statusCode());
    admin.awaitEnd(runId);
    Instant deadline = Instant.now().plusSeconds(10);
    HttpResponse<String> again = admin.as(null).send("POST", "/hooks/single", null);
    while (again.statusCode() == 429 && Instant.now().isBefore(deadline)) {
      LockSupport.parkNanos(50_000_000L);
      again = admin.as(null).send("POST", "/hooks/single", null);
    }
    assertEquals(202, again.statusCode(), again.body());
  }

  @Test
  @DisplayName("with max_concurrent 1, a second call while the first js run is active gets 429")
  void maxConcurrentOneJs(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("js", new JsonObject().put("max_statements", 2_000_000_000L)));
    createScript(new JsonObject().put("name", "slowjs").put("kind", "js")
        .put("program", "let t = Date.now(); while (Date.now() - t < 3000) {} 'done'")
        .put("endpoint", new JsonObject().put("method", "GET").put("path", "slowjs").put("auth", "public")
            .put("max_concurrent", 1)));
    CompletableFuture<HttpResponse<String>> first = callAsync("GET", "/hooks/slowjs");
    Instant deadline = Instant.now().plusSeconds(10);
    while (new JsonObject(admin.get("/api/runs?status=running").body()).getJsonArray("items").isEmpty()) {
      assertTrue(Instant.now().isBefore(deadline), "the first call's run did not start");
      LockSupport.parkNanos(20_000_000L);
    }
    assertTooMany(admin.as(null).get("/hooks/slowjs"));
    HttpResponse<String> done = first.get(30, TimeUnit.SECONDS);
    assertEquals(200, done.statusCode(), done.body());
    assertEquals("done", done.body());
  }

  @Test
  @DisplayName("endpoint runs take at most their share of the run queue: the API's callers still find room")
  void endpointShareKeepsRoomForTheApi(Vertx vertx) throws Exception {
    // 2 slots + 2 waiting places; endpoint runs may hold half: 2 of the 4
    start(vertx, new JsonObject().put("limits", new JsonObject().put("max_concurrent_runs", 2)
        .put("max_pending_runs", 2)));
    createScript(shellEndpoint("greedy", "sleep 30", new JsonObject().put("method", "POST").put("path", "greedy")
        .put("auth", "public").put("rate_limit", 1000).put("max_concurrent", 100)));
    assertEquals(202, admin.as(null).send("POST", "/hooks/greedy", null).statusCode());
    assertEquals(202, admin.as(null).send("POST", "/hooks/greedy", null).statusCode());
    assertTooMany(admin.as(null).send("POST", "/hooks/greedy", null));
    JsonObject running = admin.startRun("sleep 30");
    assertEquals("running", running.getString("status"), "the endpoints' runs hold one slot, the API's run the other");
    admin.startRun("sleep 30");
  }

  @Test
  @DisplayName("endpoint.role: a token below it gets 403 (operator by default); a viewer endpoint takes a viewer")
  void role(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    createScript(shellEndpoint("default-role", "echo hi", new JsonObject().put("method", "GET").put("path", "op")));
    createScript(shellEndpoint("viewer-role", "echo hi", new JsonObject().put("method", "GET").put("path", "view")
        .put("role", "viewer")));
    createScript(shellEndpoint("admin-role", "echo hi", new JsonObject().put("method", "GET").put("path", "adm")
        .put("role", "admin")));
    Api viewer = admin.as(createToken("viewer", "viewer"));
    Api operator = admin.as(createToken("operator", "operator"));
    HttpResponse<String> refused = viewer.get("/hooks/op?wait=true");
    assertEquals(403, refused.statusCode(), refused.body());
    assertTrue(refused.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
    assertTrue(new JsonObject(refused.body()).getString("detail").contains("operator"), refused.body());
    assertEquals(200, operator.get("/hooks/op?wait=true").statusCode());
    assertEquals(200, viewer.get("/hooks/view?wait=true").statusCode());
    assertEquals(403, operator.get("/hooks/adm?wait=true").statusCode());
    assertEquals(200, admin.get("/hooks/adm?wait=true").statusCode());
    assertEquals(401, admin.as(null).get("/hooks/op?wait=true").statusCode());
  }

  @Test
  @DisplayName("role, rate_limit and max_concurrent are validated on save: 400 naming each field")
  void validated(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    HttpResponse<String> response = admin.post("/api/scripts", shellEndpoint("bad", "true", new JsonObject()
        .put("path", "bad").put("role", "root").put("rate_limit", 0).put("max_concurrent", "many")));
    assertEquals(400, response.statusCode(), response.body());
    JsonArray errors = new JsonObject(response.body()).getJsonArray("errors");
    Set<String> fields = errors.stream().map(JsonObject.class::cast).map(e -> e.getString("field"))
        .collect(Collectors.toSet());
    assertEquals(Set.of("endpoint.role", "endpoint.rate_limit", "endpoint.max_concurrent"), fields);
  }
}
