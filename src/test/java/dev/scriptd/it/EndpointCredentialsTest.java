package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A logged-in caller (token in Authorization, a session cookie, a ?token=) calls public endpoints;
 * nothing of those credentials may reach the program, its log or its answer.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Endpoint programs never see the caller's credentials")
class EndpointCredentialsTest {
  private static final String COOKIE_SECRET = "sd_cookie-secret-9f8e7d6c5b4a39281706";

  @TempDir
  Path dataDir;
  TestServer server;
  Api api;
  String viewerToken;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    server = TestServer.start(vertx, TestServer.config(dataDir, TestServer.freePort())
        .put("endpoints", new JsonObject().put("drop_headers", new JsonArray().add("X-Api-Key"))
            .put("drop_query", new JsonArray().add("sig"))));
    api = server.api;
    HttpResponse<String> created = api.post("/api/tokens", new JsonObject().put("name", "v").put("role", "viewer"));
    assertEquals(201, created.statusCode(), created.body());
    viewerToken = new JsonObject(created.body()).getString("token");
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private void create(JsonObject script) {
    HttpResponse<String> response = api.post("/api/scripts", script);
    assertEquals(201, response.statusCode(), response.body());
  }

  private static JsonObject publicEndpoint(String method, String path) {
    return new JsonObject().put("method", method).put("path", path).put("auth", "public");
  }

  @Test
  @DisplayName("a shell endpoint running env gets no Authorization, Cookie, token or configured names; of X-A.B and X_A_B the first sent wins")
  void shellEndpoint() throws Exception {
    create(new JsonObject().put("name", "envdump").put("command", "env | sort")
        .put("endpoint", publicEndpoint("GET", "envdump")));
    // a raw request: the JDK client sorts header names, and the order is what this test is about
    String response = raw("GET /hooks/envdump?wait=true&token=" + viewerToken + "&keep=kept-q&TOKEN=" + viewerToken
        + "&sig=sig-value HTTP/1.1\r\n"
        + "Host: 127.0.0.1\r\n"
        + "Authorization: Bearer " + TestServer.ADMIN_TOKEN + "\r\n"
        + "Proxy-Authorization: Basic cHJveHk6c2VjcmV0LXByb3h5\r\n"
        + "Cookie: scriptd_token=" + COOKIE_SECRET + "; other=1\r\n"
        + "X-A.B: dotted-first\r\n"
        + "X_A_B: underscore-second\r\n"
        + "X-Api-Key: api-key-value\r\n"
        + "X-Visible: seen\r\n"
        + "Connection: close\r\n\r\n");
    assertTrue(response.startsWith("HTTP/1.1 200"), response);
    String runId = response.lines().filter(line -> line.regionMatches(true, 0, "X-Scriptd-Run-Id:", 0, 17))
        .map(line -> line.substring(17).trim()).findFirst().orElse(null);
    assertNotNull(runId, response);
    String log = api.allLines(runId).stream().map(line -> line.getString("line")).collect(Collectors.joining("\n"));

    for (String text : new String[] {log, response}) {
      for (String secret : new String[] {TestServer.ADMIN_TOKEN, viewerToken, COOKIE_SECRET, "cHJveHk6c2VjcmV0LXByb3h5",
          "SCRIPTD_HEADER_AUTHORIZATION", "SCRIPTD_HEADER_PROXY_AUTHORIZATION", "SCRIPTD_HEADER_COOKIE",
          "SCRIPTD_QUERY_TOKEN", "api-key-value", "SCRIPTD_HEADER_X_API_KEY", "sig-value", "SCRIPTD_QUERY_SIG"}) {
        assertFalse(text.contains(secret), secret + " reached the endpoint's program:\n" + text);
      }
    }
    assertTrue(log.contains("SCRIPTD_HEADER_X_A_B=dotted-first"), log);
    assertFalse(log.contains("underscore-second"), log);
    assertTrue(log.contains("SCRIPTD_HEADER_X_VISIBLE=seen"), log);
    assertTrue(log.contains("SCRIPTD_QUERY_KEEP=kept-q"), log);
    assertTrue(log.contains("SCRIPTD_REQUEST_PATH=/hooks/envdump"), log);
  }

  @Test
  @DisplayName("a JS endpoint's request.headers and request.query carry no Authorization, Cookie or token")
  void jsEndpoint() {
    create(new JsonObject().put("name", "reqdump").put("kind", "js")
        .put("program", "console.log(JSON.stringify(request)); ({body: {headers: request.headers, query: request.query}})")
        .put("endpoint", publicEndpoint("GET", "reqdump")));
    HttpResponse<String> response = api.send("GET", "/hooks/reqdump?token=" + viewerToken + "&q=1&sig=sig-value", null,
        "Authorization", "Bearer " + TestServer.ADMIN_TOKEN,
        "Cookie", "scriptd_token=" + COOKIE_SECRET,
        "X-Api-Key", "api-key-value",
        "X-Visible", "seen");
    assertEquals(200, response.statusCode(), response.body());
    JsonObject body = new JsonObject(response.body());
    JsonObject headers = body.getJsonObject("headers");
    JsonObject query = body.getJsonObject("query");
    assertEquals("seen", headers.getString("x-visible"), headers.encode());
    assertFalse(headers.containsKey("authorization"), headers.encode());
    assertFalse(headers.containsKey("cookie"), headers.encode());
    assertFalse(headers.containsKey("x-api-key"), headers.encode());
    assertEquals(new JsonObject().put("q", "1"), query);

    JsonObject run = new JsonObject(api.get("/api/runs?limit=1").body()).getJsonArray("items").getJsonObject(0);
    String log = api.allLines(run.getString("id")).stream().map(line -> line.getString("line"))
        .collect(Collectors.joining("\n"));
    assertTrue(log.contains("x-visible"), log);
    for (String secret : new String[] {TestServer.ADMIN_TOKEN, viewerToken, COOKIE_SECRET, "api-key-value", "sig-value"}) {
      assertFalse(log.contains(secret), secret + " reached the program's log:\n" + log);
      assertFalse(response.body().contains(secret), response.body());
    }
  }

  /** Sends {@code request} as is and reads the whole answer (the request asks to close). */
  private String raw(String request) throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", server.port), 2000);
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
