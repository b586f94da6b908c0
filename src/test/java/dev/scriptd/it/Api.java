package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/** A plain JDK HTTP client against a running scriptd, as any outside client would use it. */
final class Api {
  final String base;
  /** Sent as {@code Authorization: Bearer} unless null or the call sets its own Authorization. */
  final String token;
  final HttpClient client;

  Api(String base) {
    this(base, null);
  }

  Api(String base, String token) {
    this(base, token, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
  }

  private Api(String base, String token, HttpClient client) {
    this.base = base;
    this.token = token;
    this.client = client;
  }

  /** The same server with another token (null: none), sharing the connection pool. */
  Api as(String otherToken) {
    return new Api(base, otherToken, client);
  }

  HttpResponse<String> send(String method, String path, String body, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    boolean ownAuthorization = false;
    boolean ownType = false;
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
      ownAuthorization |= headers[i].equalsIgnoreCase("Authorization");
      ownType |= headers[i].equalsIgnoreCase("Content-Type");
    }
    if (body != null && !ownType) {
      request.header("Content-Type", "application/json");
    }
    if (token != null && !ownAuthorization) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(method + " " + path + " failed: " + e, e);
    }
    conforms(method, path, response);
    return response;
  }

  /** Every JSON answer must match the OpenAPI document's schema for its operation and status. */
  private static void conforms(String method, String path, HttpResponse<String> response) {
    int query = path.indexOf('?');
    String mismatch = OpenApi.shared().check(method, query >= 0 ? path.substring(0, query) : path,
        response.statusCode(), response.headers().firstValue("Content-Type").orElse(null), response.body());
    if (mismatch != null) {
      throw new AssertionError(mismatch);
    }
  }

  HttpResponse<String> get(String path) {
    return send("GET", path, null);
  }

  HttpResponse<String> post(String path, JsonObject body) {
    return send("POST", path, body == null ? null : body.encode());
  }

  /** Starts an ad-hoc run and returns the run object (201 expected). */
  JsonObject startRun(String command) {
    return startRun(new JsonObject().put("command", command));
  }

  JsonObject startRun(JsonObject body) {
    HttpResponse<String> response = post("/api/runs", body);
    assertEquals(201, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  JsonObject run(String id) {
    HttpResponse<String> response = get("/api/runs/" + id);
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  /** Polls the run until the predicate holds; fails after the deadline. */
  JsonObject awaitRun(String id, Predicate<JsonObject> until, Duration deadline) {
    Instant end = Instant.now().plus(deadline);
    JsonObject run = run(id);
    while (!until.test(run)) {
      if (Instant.now().isAfter(end)) {
        fail("run " + id + " did not reach the expected state within " + deadline + ": " + run.encode());
      }
      LockSupport.parkNanos(20_000_000L);
      run = run(id);
    }
    return run;
  }

  JsonObject awaitEnd(String id) {
    return awaitRun(id, run -> !run.getString("status").equals("running") && !run.getString("status").equals("pending"),
        Duration.ofSeconds(30));
  }

  /** Every stored line of a run, read through the JSON pages. */
  List<JsonObject> allLines(String id) {
    List<JsonObject> lines = new ArrayList<>();
    long since = 0;
    while (true) {
      HttpResponse<String> response = get("/api/runs/" + id + "/logs?since=" + since + "&limit=10000");
      assertEquals(200, response.statusCode(), response.body());
      JsonObject page = new JsonObject(response.body());
      JsonArray batch = page.getJsonArray("lines");
      if (batch.isEmpty()) {
        return lines;
      }
      batch.forEach(line -> lines.add((JsonObject) line));
      since = page.getLong("next_since");
    }
  }
}
