package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of randomly malformed requests on loopback (bounded, seeded): random methods, paths,
 * query strings, headers, tokens and JSON fragments, plus raw garbage on the socket. None may get a
 * 5xx, and the server must still work afterwards. Ad-hoc runs are limited to an allowlist nothing
 * random matches, so no random command is ever executed.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Fuzzing the HTTP API")
class FuzzTest {
  private static final int REQUESTS = 3000;
  private static final int RAW_REQUESTS = 200;
  private static final String[] METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "FOO"};
  private static final String[] PATHS = {"/api/runs", "/api/runs/{id}", "/api/runs/{id}/logs", "/api/runs/{id}/log.txt",
      "/api/runs/{id}/kill", "/api/runs/{id}/restart", "/api/runs/stats", "/api/runs/cleanup", "/api/tokens",
      "/api/tokens/{id}", "/api/login", "/api/logout", "/api/me", "/api/scripts", "/api/scripts/{id}/run",
      "/api/execute", "/api/audit", "/api/audit/verify", "/health", "/metrics", "/hooks/{id}", "/", "/index.html", "/webjars/x", "/api", "/api/"};
  private static final String[] FIELDS = {"command", "timeout", "env", "cwd", "trigger", "name", "role", "token",
      "days", "program", "since", "limit", "script_id", "status", "from", "to", "cursor", "ansi", "actor", "action",
      "result", "created_by"};
  private static final String[] WEIRD = {"", " ", "..", "../..", "%00", "%ff%fe", "\u00e9\u00e8", "\ud83d\ude00",
      "99999999999999999999999999", "-1", "1e400", "NaN", "null", "true", "[]", "{}", "%2e%2e%2f", "a".repeat(3000),
      "\u202e", "\\", "'", "\"", "<script>", "0x10", "00000000-0000-0000-0000-000000000000"};

  @TempDir
  Path dataDir;
  TestServer server;
  Api api;
  Random random;
  long seed;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    JsonObject config = TestServer.config(dataDir, TestServer.freePort()).put("rate_limit", 0)
        .put("adhoc", new JsonObject().put("allow", new JsonArray().add("^echo fuzz-survived$")))
        .put("http", new JsonObject().put("instances", 2).put("max_body_bytes", 65_536));
    server = TestServer.start(vertx, config);
    api = server.api;
    seed = System.nanoTime();
    random = new Random(seed);
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  @DisplayName("a few thousand malformed requests: no 5xx, and the server still runs commands afterwards")
  void noServerErrors() throws Exception {
    Map<Integer, Integer> statuses = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      String method = pick(METHODS);
      String path = path();
      String body = random.nextInt(3) == 0 ? null : json(0);
      HttpRequest.Builder request;
      try {
        request = HttpRequest.newBuilder(URI.create(api.base + path)).timeout(Duration.ofSeconds(10))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      } catch (IllegalArgumentException notAUri) {
        continue;
      }
      headers(request);
      HttpResponse<String> response;
      try {
        response = api.client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      } catch (java.net.http.HttpTimeoutException stream) {
        continue; // an SSE stream that was allowed to open
      }
      statuses.merge(response.statusCode(), 1, Integer::sum);
      if (response.statusCode() >= 500 && failures.size() < 20) {
        failures.add(method + " " + path + " body=" + abbreviate(body) + " -> " + response.statusCode() + " "
            + abbreviate(response.body()));
      }
    }
    for (int i = 0; i < RAW_REQUESTS; i++) {
      String reply = raw(garbage());
      if (reply.startsWith("HTTP/1.1 5") && failures.size() < 20) {
        failures.add("raw request -> " + abbreviate(reply));
      }
    }
    assertTrue(failures.isEmpty(), "seed " + seed + ": 5xx answers:\n" + String.join("\n", failures));
    assertTrue(statuses.keySet().stream().anyMatch(s -> s == 200), "some requests got through: " + statuses);
    assertTrue(statuses.keySet().stream().anyMatch(s -> s == 400), "some reached validation: " + statuses);

    assertEquals(200, api.get("/health").statusCode());
    JsonObject run = api.awaitEnd(api.startRun("echo fuzz-survived").getString("id"));
    assertEquals("completed", run.getString("status"));
    assertEquals("fuzz-survived", api.allLines(run.getString("id")).get(0).getString("line"));
  }

  @Test
  @DisplayName("an invalid percent escape in the path is a 400 problem, with or without a token, never a 500")
  void invalidEscapeInThePath() throws Exception {
    for (String path : new String[] {"/%zz", "/api/runs/%zz", "/api/scripts/%zz/runs", "/hooks/%zz", "/health/%",
        "/api/result/%zz"}) {
      for (String auth : new String[] {"", "Authorization: Bearer " + TestServer.ADMIN_TOKEN + "\r\n"}) {
        String reply = raw("GET " + path + " HTTP/1.1\r\nHost: x\r\n" + auth + "Connection: close\r\n\r\n");
        assertTrue(reply.startsWith("HTTP/1.1 400"), path + " -> " + abbreviate(reply));
      }
    }
  }

  private String path() {
    String path = pick(PATHS).replace("{id}", random.nextBoolean() ? java.util.UUID.randomUUID().toString()
        : URLEncoder.encode(pick(WEIRD), StandardCharsets.UTF_8));
    if (random.nextInt(4) == 0) {
      path += "/" + URLEncoder.encode(pick(WEIRD), StandardCharsets.UTF_8);
    }
    if (random.nextBoolean()) {
      StringBuilder query = new StringBuilder("?");
      for (int i = random.nextInt(4); i >= 0; i--) {
        query.append(pick(FIELDS)).append('=').append(URLEncoder.encode(pick(WEIRD), StandardCharsets.UTF_8)).append('&');
      }
      path += query;
    }
    return path;
  }

  private void headers(HttpRequest.Builder request) {
    switch (random.nextInt(5)) {
      case 0 -> { } // anonymous
      case 1 -> header(request, "Authorization", "Bearer " + pick(WEIRD));
      case 2 -> header(request, "Cookie", "scriptd_token=" + URLEncoder.encode(pick(WEIRD), StandardCharsets.UTF_8));
      default -> header(request, "Authorization", "Bearer " + TestServer.ADMIN_TOKEN);
    }
    if (random.nextBoolean()) {
      header(request, "Content-Type", random.nextBoolean() ? "application/json" : pick(new String[] {"text/plain",
          "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=latin1"}));
    }
    if (random.nextInt(4) == 0) {
      header(request, "Accept", pick(new String[] {"text/event-stream", "*/*", "application/xml", "\u00e9"}));
    }
    if (random.nextInt(5) == 0) {
      header(request, "Last-Event-ID", URLEncoder.encode(pick(WEIRD), StandardCharsets.UTF_8));
    }
  }

  /** The JDK client refuses some values (control characters, non-Latin-1): those are sent raw instead. */
  private static void header(HttpRequest.Builder request, String name, String value) {
    try {
      request.header(name, value);
    } catch (IllegalArgumentException refusedByTheClient) {
      // covered by the raw socket part
    }
  }

  /** A random JSON-ish text: valid objects with wrong types, truncated documents, huge numbers, unicode. */
  private String json(int depth) {
    return switch (random.nextInt(depth > 2 ? 4 : 8)) {
      case 0 -> "\"" + pick(WEIRD).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
      case 1 -> pick(new String[] {"1", "-1", "0.5", "1e308", "-1e400", "123456789012345678901234567890", "true", "null"});
      case 2 -> pick(new String[] {"{", "}", "[", "{\"a\":", "{\"command\"", "\u0000", "{'x': 1}", "NaN", ",,", "\"\\u12"});
      case 3 -> "";
      default -> {
        StringBuilder object = new StringBuilder("{");
        for (int i = random.nextInt(5); i > 0; i--) {
          object.append('"').append(pick(FIELDS)).append("\":").append(json(depth + 1)).append(i > 1 ? "," : "");
        }
        String text = object.append('}').toString();
        yield random.nextInt(10) == 0 ? text.substring(0, random.nextInt(text.length())) : text;
      }
    };
  }

  private String garbage() {
    return switch (random.nextInt(6)) {
      case 0 -> pick(METHODS) + " " + pick(WEIRD) + " HTTP/1.1\r\nHost: x\r\n\r\n";
      case 1 -> "GET /api/runs HTTP/9.9\r\n\r\n";
      case 2 -> "POST /api/runs HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\nAuthorization: Bearer "
          + TestServer.ADMIN_TOKEN + "\r\n\r\n{}";
      case 3 -> "POST /api/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n";
      case 4 -> "GET /" + "a".repeat(20_000 + random.nextInt(20_000)) + " HTTP/1.1\r\nHost: x\r\n\r\n";
      default -> "\u0016\u0003\u0001garbage\r\n\r\n";
    };
  }

  private String raw(String request) throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", server.port), 2000);
      socket.setSoTimeout(2000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] head = new byte[64];
      int read = in.read(head);
      return read <= 0 ? "" : new String(head, 0, read, StandardCharsets.ISO_8859_1);
    } catch (SocketTimeoutException | java.net.SocketException closed) {
      return "";
    }
  }

  private String pick(String[] options) {
    return options[random.nextInt(options.length)];
  }

  private static String abbreviate(String text) {
    return text == null ? "null" : text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }
}
