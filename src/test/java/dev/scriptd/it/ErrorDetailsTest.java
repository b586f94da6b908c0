package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Error details a newcomer meets: malformed JSON, an Authorization header without Bearer")
class ErrorDetailsTest {
  @TempDir
  Path dataDir;
  TestServer server;
  Api api;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    server = TestServer.start(vertx, dataDir);
    api = server.api;
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  @DisplayName("malformed JSON is a 400 that says what and where, without parser internals")
  void malformedJson() {
    HttpResponse<String> response = api.send("POST", "/api/runs", "{\"command\": \"echo hi\",}");
    assertEquals(400, response.statusCode(), response.body());
    String detail = new JsonObject(response.body()).getString("detail");
    assertTrue(detail.startsWith("the request body is not valid JSON: Unexpected character"), detail);
    assertTrue(detail.contains("at line 1, column 23"), detail);
    for (String internal : new String[] {"Source", "REDACTED", "`", "jackson", "Exception", "Failed to decode"}) {
      assertFalse(detail.contains(internal), detail);
    }
  }

  @Test
  @DisplayName("a method the path does not take is a 405 problem whose Allow header lists the methods it takes")
  void methodNotAllowedSaysAllow() {
    HttpResponse<String> runs = api.send("PATCH", "/api/runs", "{}");
    assertEquals(405, runs.statusCode(), runs.body());
    assertEquals("application/problem+json", runs.headers().firstValue("Content-Type").orElse(""));
    assertEquals("GET, POST", runs.headers().firstValue("Allow").orElse(null));
    HttpResponse<String> run = api.send("PUT", "/api/runs/6f1c0e9e-0000-4000-8000-000000000000", "{}");
    assertEquals(405, run.statusCode(), run.body());
    assertEquals("DELETE, GET", run.headers().firstValue("Allow").orElse(null));
  }

  @Test
  @DisplayName("an Authorization header without Bearer is a 401 that says so")
  void authorizationWithoutBearer() {
    HttpResponse<String> basic = api.as(null).send("GET", "/api/runs", null, "Authorization", "Basic dXNlcjpwdw==");
    assertEquals(401, basic.statusCode());
    String detail = new JsonObject(basic.body()).getString("detail");
    assertTrue(detail.contains("the Authorization header uses the Basic scheme; scriptd takes Authorization: Bearer"),
        detail);
    HttpResponse<String> bare = api.as(null).send("GET", "/api/runs", null, "Authorization", TestServer.ADMIN_TOKEN);
    assertEquals(401, bare.statusCode());
    String bareDetail = new JsonObject(bare.body()).getString("detail");
    assertTrue(bareDetail.contains("has no scheme"), bareDetail);
    assertFalse(bareDetail.contains(TestServer.ADMIN_TOKEN), bareDetail);
    assertEquals(200, api.as(null).send("GET", "/api/runs", null, "Authorization", "bearer " + TestServer.ADMIN_TOKEN)
        .statusCode());
  }
}
