package dev.scriptd.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The HTTP side of the command line: the JDK client against {@code SCRIPTD_URL} with
 * {@code SCRIPTD_TOKEN} as a bearer token. A problem+json answer becomes a {@link CliException}
 * carrying its detail.
 */
final class ScriptdClient {
  static final String DEFAULT_URL = "http://127.0.0.1:8080";

  private final String base;
  private final String token;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  ScriptdClient(String base, String token) {
    String url = base == null || base.isBlank() ? DEFAULT_URL : base.trim();
    this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.token = token == null || token.isBlank() ? null : token.trim();
  }

  String base() {
    return base;
  }

  JsonObject get(String path) {
    return send(request(path).GET());
  }

  /** The body of a GET as text, asking for {@code accept} (e.g. YAML). */
  String text(String path, String accept) {
    HttpResponse<String> response = exchange(request(path).setHeader("Accept", accept).GET()
        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 400) {
      throw problem(response.statusCode(), response.body());
    }
    return response.body();
  }

  JsonObject post(String path, JsonObject body) {
    return send(request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())));
  }

  /** The run's SSE stream from {@code since}; the caller reads and closes it. */
  InputStream events(String runId, long since) throws IOException {
    HttpRequest request = request("/api/runs/" + segment(runId) + "/logs?since=" + since)
        .setHeader("Accept", "text/event-stream").GET().build();
    HttpResponse<InputStream> response = exchange(request, HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() != 200) {
      try (InputStream body = response.body()) {
        throw problem(response.statusCode(), new String(body.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    return response.body();
  }

  static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).header("Accept", "application/json");
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    return builder;
  }

  private URI uri(String path) {
    try {
      return URI.create(base + path);
    } catch (IllegalArgumentException e) {
      throw new CliException("SCRIPTD_URL '" + base + "' is not a valid URL (e.g. " + DEFAULT_URL + ")");
    }
  }

  private JsonObject send(HttpRequest.Builder request) {
    HttpResponse<String> response = exchange(request.timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 400) {
      throw problem(response.statusCode(), response.body());
    }
    if (response.body() == null || response.body().isBlank()) {
      return new JsonObject();
    }
    try {
      return new JsonObject(response.body());
    } catch (DecodeException e) {
      throw new CliException(base + " answered " + response.statusCode() + " with a body that is not JSON;"
          + " is SCRIPTD_URL the address of a scriptd server?");
    }
  }

  private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    try {
      return http.send(request, handler);
    } catch (IOException e) {
      throw new CliException("cannot reach scriptd at " + base + " (" + describe(e) + "); is it running?"
          + " Set SCRIPTD_URL to its address");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? "connection failed" : message;
  }

  /** The problem's detail (and its errors[]) when the body is problem+json, else the status line. */
  static CliException problem(int status, String body) {
    try {
      JsonObject problem = new JsonObject(body);
      String detail = problem.getString("detail");
      if (detail != null && !detail.isBlank()) {
        Object errors = problem.getValue("errors");
        return new CliException(detail, errors instanceof JsonArray list ? list : new JsonArray());
      }
    } catch (DecodeException | ClassCastException notProblem) {
      // fall through to the status
    }
    return new CliException("the server answered HTTP " + status);
  }
}
