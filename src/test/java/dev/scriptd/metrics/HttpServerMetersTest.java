package dev.scriptd.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("HttpServerMeters: vertx-micrometer's HTTP server meters, each looked up once")
class HttpServerMetersTest {
  private final List<Vertx> started = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (Vertx vertx : started) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("the same requests leave the same vertx_http_server series, labels, counts and sizes as vertx-micrometer's own meters")
  void scrapesAsVertxMicrometer() throws Exception {
    PrometheusMeterRegistry theirs = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    PrometheusMeterRegistry ours = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    int theirPort = serve(vertx(theirs, "http-meters-theirs", new MicrometerMetricsFactory(theirs)));
    int ourPort = serve(vertx(ours, "http-meters-ours", new KeptMetersFactory(ours)));
    for (int port : new int[] {theirPort, ourPort}) {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      for (int i = 0; i < 3; i++) {
        assertEquals(200, send(client, port, "GET", "/api/runs/" + i, null));
      }
      assertEquals(200, send(client, port, "GET", "/chain", null));
      assertEquals(201, send(client, port, "POST", "/api/runs/1", "{\"command\":\"true\"}"));
      assertEquals(404, send(client, port, "GET", "/nowhere", null));
      assertEquals(405, send(client, port, "DELETE", "/chain", null));
      assertEquals(200, send(client, port, "PATCH", "/api/runs/7", "x"));
      webSocketGreeting(client, port);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String expected = requestSeries(theirs);
    String actual = requestSeries(ours);
    // the last response's meters are written when its bytes are out, possibly after the client has them
    while (!expected.equals(actual) && System.nanoTime() < deadline) {
      LockSupport.parkNanos(20_000_000L);
      expected = requestSeries(theirs);
      actual = requestSeries(ours);
    }
    assertTrue(expected.contains("route=\"/chain>/chain\""), expected);
    assertTrue(expected.contains("vertx_http_server_active_ws_connections"), expected);
    assertTrue(expected.contains("vertx_http_server_active_requests{method=\"GET\"} 0.0"), expected);
    assertEquals(expected, actual);
  }

  @Test
  @DisplayName("a method, route and status code keep their meters: the second request finds the first one's")
  void metersAreKept() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    HttpServerMeters.Shared shared = new HttpServerMeters.Shared(registry, options("kept"));
    HttpServerMeters.MethodMeters get = shared.method(HttpMethod.GET);
    assertSame(get, shared.method(HttpMethod.GET));
    HttpServerMeters.ResponseMeters ok = get.response("/api/runs/:id", 200);
    assertSame(ok, get.response("/api/runs/:id", 200));
    assertNotSame(ok, get.response("/api/runs/:id", 404));
    assertSame(get.response("/api/runs/:id", 404), get.response("/api/runs/:id", 404));
    assertNotSame(ok, get.response("/api/runs", 200));
    assertNotSame(ok, shared.method(HttpMethod.POST).response("/api/runs/:id", 200));
  }

  @Test
  @DisplayName("past the kept methods, requests of a new method get no kept meters (vertx-micrometer counts them)")
  void methodsAreBounded() {
    HttpServerMeters.Shared shared = new HttpServerMeters.Shared(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        options("bounded"));
    for (int i = 0; i < HttpServerMeters.MAX_METHODS; i++) {
      assertNotNull(shared.method(HttpMethod.valueOf("M" + i)));
    }
    assertNull(shared.method(HttpMethod.valueOf("ONE-MORE")));
    assertNotNull(shared.method(HttpMethod.valueOf("M0")));
  }

  @Test
  @DisplayName("labels it does not write (address, path) or custom request tags leave vertx-micrometer's meters in place")
  void coversOnlyItsLabels() {
    assertTrue(HttpServerMeters.covers(options("plain")));
    assertFalse(HttpServerMeters.covers(options("remote").addLabels(Label.REMOTE)));
    assertFalse(HttpServerMeters.covers(options("path").addLabels(Label.HTTP_PATH)));
    assertFalse(HttpServerMeters.covers(options("custom").setServerRequestTagsProvider(request -> List.of())));
  }

  /** The labels scriptd's Main uses: vertx-micrometer's defaults and the route. */
  private static MicrometerMetricsOptions options(String registryName) {
    return new MicrometerMetricsOptions().setEnabled(true).setRegistryName(registryName).addLabels(Label.HTTP_ROUTE);
  }

  private Vertx vertx(MeterRegistry registry, String registryName, VertxMetricsFactory factory) {
    Vertx vertx = Vertx.builder().with(new VertxOptions().setMetricsOptions(options(registryName)))
        .withMetrics(factory).build();
    started.add(vertx);
    return vertx;
  }

  private static int serve(Vertx vertx) throws Exception {
    Router router = Router.router(vertx);
    router.get("/api/runs/:id").handler(ctx -> ctx.response().end("run " + ctx.pathParam("id")));
    router.post("/api/runs/:id").handler(ctx -> ctx.request().body()
        .onSuccess(body -> ctx.response().setStatusCode(201).end(body)));
    router.patch("/api/runs/:id").handler(ctx -> ctx.request().body().onSuccess(body -> ctx.response().end()));
    router.get("/chain").handler(ctx -> ctx.next());
    router.get("/chain").handler(ctx -> ctx.response().end("chained"));
    router.get("/ws").handler(ctx -> ctx.request().toWebSocket().onSuccess(ws -> ws.writeTextMessage("hi")));
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .await(10, TimeUnit.SECONDS);
    return server.actualPort();
  }

  private static int send(HttpClient client, int port, String method, String path, String body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build();
    return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** Opens a WebSocket, waits for the server's greeting, and closes it. */
  private static void webSocketGreeting(HttpClient client, int port) throws Exception {
    CompletableFuture<String> greeting = new CompletableFuture<>();
    WebSocket socket = client.newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            greeting.complete(data.toString());
            return null;
          }
        }).get(10, TimeUnit.SECONDS);
    assertEquals("hi", greeting.get(10, TimeUnit.SECONDS));
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
  }

  /**
   * The request meters' lines, without the measured times (which differ from run to run) and the
   * connection meters (vertx-micrometer's in both; the client may not have closed yet).
   */
  private static String requestSeries(PrometheusMeterRegistry registry) {
    return registry.scrape().lines()
        .filter(line -> line.replaceFirst("^# (HELP|TYPE) ", "").startsWith("vertx_http_server_"))
        .filter(line -> !line.contains("vertx_http_server_active_connections")
            && !line.contains("vertx_http_server_bytes_")
            && !line.startsWith("vertx_http_server_response_time_seconds_sum")
            && !line.startsWith("vertx_http_server_response_time_seconds_max"))
        .sorted()
        .collect(Collectors.joining("\n"));
  }
}
