package dev.scriptd.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MetricsNaming;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The Vert.x HTTP server request meters (vertx-micrometer's names, descriptions and labels:
 * {@code vertx_http_server_requests_total}, {@code _response_time_seconds}, {@code _request_bytes},
 * {@code _response_bytes}, {@code _active_requests}, {@code _request_resets_total}) with each meter
 * looked up once and kept. vertx-micrometer builds tags and asks the registry for five meters on
 * every request (about a seventh of a cheap API read). Connection, byte and WebSocket meters are
 * still vertx-micrometer's own ({@code inner}).
 *
 * <p>Used only where the labels are ones it reproduces exactly ({@link #covers}): method, route and
 * status code; not the local or remote address, the path, or custom tags. At most
 * {@value #MAX_METHODS} methods and {@value #MAX_RESPONSE_SETS} (method, route, code) sets are kept;
 * requests of a method past that go to {@code inner} as they did, responses past that look their
 * meters up in the registry (which answers with the same meters). Thread-safe: the meters of one
 * Vertx are shared by all its HTTP servers ({@link Shared}).
 */
final class HttpServerMeters implements HttpServerMetrics<HttpServerMeters.Request, Object, Object> {
  static final int MAX_METHODS = 32;
  static final int MAX_RESPONSE_SETS = 4096;

  /** Labels this class never produces: with any of them on, vertx-micrometer's meters are used as they are. */
  private static final Set<Label> FOREIGN = EnumSet.of(Label.LOCAL, Label.REMOTE, Label.HTTP_PATH);

  /** True when these options name only labels this class writes, and no custom request tags. */
  static boolean covers(MicrometerMetricsOptions options) {
    if (options.getServerRequestTagsProvider() != null) {
      return false;
    }
    for (Label label : options.getLabels()) {
      if (FOREIGN.contains(label)) {
        return false;
      }
    }
    return true;
  }

  private final HttpServerMetrics<Object, Object, Object> inner;
  private final Shared shared;

  @SuppressWarnings("unchecked")
  HttpServerMeters(HttpServerMetrics<?, ?, ?> inner, Shared shared) {
    this.inner = (HttpServerMetrics<Object, Object, Object>) inner;
    this.shared = shared;
  }

  // ---- connections, bytes and errors: vertx-micrometer's

  @Override
  public Object connected(SocketAddress remoteAddress, String remoteName) {
    return inner.connected(remoteAddress, remoteName);
  }

  @Override
  public void disconnected(Object socketMetric, SocketAddress remoteAddress) {
    inner.disconnected(socketMetric, remoteAddress);
  }

  @Override
  public void bytesRead(Object socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    inner.bytesRead(socketMetric, remoteAddress, numberOfBytes);
  }

  @Override
  public void bytesWritten(Object socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    inner.bytesWritten(socketMetric, remoteAddress, numberOfBytes);
  }

  @Override
  public void exceptionOccurred(Object socketMetric, SocketAddress remoteAddress, Throwable t) {
    inner.exceptionOccurred(socketMetric, remoteAddress, t);
  }

  @Override
  public Object connected(Object socketMetric, Request requestMetric, ServerWebSocket serverWebSocket) {
    // vertx-micrometer's WebSocket gauge reads only the socket's labels
    return inner.connected(socketMetric, requestMetric == null ? null : requestMetric.innerMetric, serverWebSocket);
  }

  @Override
  public void disconnected(Object webSocketMetric) {
    inner.disconnected(webSocketMetric);
  }

  @Override
  public void close() {
    inner.close();
  }

  // ---- requests: kept meters

  @Override
  public Request requestBegin(Object socketMetric, HttpRequest request) {
    MethodMeters method = shared.method(request.method());
    if (method == null) {
      return new Request(null, inner.requestBegin(socketMetric, request));
    }
    method.active.increment();
    return new Request(method, null);
  }

  @Override
  public Request responsePushed(Object socketMetric, HttpMethod method, String uri, HttpResponse response) {
    MethodMeters meters = shared.method(method);
    if (meters == null) {
      return new Request(null, inner.responsePushed(socketMetric, method, uri, response));
    }
    meters.active.increment();
    return new Request(meters, null);
  }

  @Override
  public void requestEnd(Request request, HttpRequest httpRequest, long bytesRead) {
    if (request.method == null) {
      inner.requestEnd(request.innerMetric, httpRequest, bytesRead);
      return;
    }
    request.method.requestBytes.record(bytesRead);
    request.requestEnded = true;
    if (!request.reset && request.responseEnded) {
      request.method.active.decrement();
    }
  }

  @Override
  public void requestReset(Request request) {
    if (request.method == null) {
      inner.requestReset(request.innerMetric);
      return;
    }
    request.method.resets().increment();
    request.method.active.decrement();
    request.reset = true;
  }

  @Override
  public void requestRouted(Request request, String route) {
    if (request.method == null) {
      inner.requestRouted(request.innerMetric, route);
    } else {
      request.addRoute(route);
    }
  }

  @Override
  public void responseEnd(Request request, HttpResponse response, long bytesWritten) {
    if (request.method == null) {
      inner.responseEnd(request.innerMetric, response, bytesWritten);
      return;
    }
    ResponseMeters meters = request.method.response(request.route(), response.statusCode());
    meters.requests.increment();
    meters.time.record(System.nanoTime() - request.startNanos, TimeUnit.NANOSECONDS);
    meters.bytes.record(bytesWritten);
    request.responseEnded = true;
    if (!request.reset && request.requestEnded) {
      request.method.active.decrement();
    }
  }

  /** One request: its method's meters (null: handled by vertx-micrometer), its start and its routes. */
  static final class Request {
    final MethodMeters method;
    final Object innerMetric;
    final long startNanos = System.nanoTime();
    private String route;
    private StringBuilder routes;
    boolean requestEnded;
    boolean responseEnded;
    boolean reset;

    Request(MethodMeters method, Object innerMetric) {
      this.method = method;
      this.innerMetric = innerMetric;
    }

    /** As vertx-micrometer: every route that handled the request, joined by '>'. */
    void addRoute(String name) {
      if (name == null) {
        return;
      }
      if (route == null && routes == null) {
        route = name;
      } else {
        if (routes == null) {
          routes = new StringBuilder(route);
          route = null;
        }
        routes.append('>').append(name);
      }
    }

    String route() {
      if (routes != null) {
        return routes.toString();
      }
      return route == null ? "" : route;
    }
  }

  /** The meters of one response label set. */
  record ResponseMeters(int code, Counter requests, Timer time, DistributionSummary bytes) {
  }

  /** The meters of one method: active requests, request sizes, resets, and its response sets by route and code. */
  static final class MethodMeters {
    final Shared shared;
    final Tags tags;
    final LongAdder active = new LongAdder();
    final DistributionSummary requestBytes;
    private final ConcurrentHashMap<String, ResponseMeters[]> responses = new ConcurrentHashMap<>();

    MethodMeters(Shared shared, Tags tags) {
      this.shared = shared;
      this.tags = tags;
      MeterRegistry registry = shared.registry;
      Gauge.builder(shared.names.getHttpActiveRequests(), active, LongAdder::doubleValue)
          .description("Number of requests being processed").tags(tags).register(registry);
      requestBytes = DistributionSummary.builder(shared.names.getHttpRequestBytes())
          .description("Size of requests in bytes").tags(tags).register(registry);
    }

    /** Registered at the first reset, as vertx-micrometer does (resets are rare). */
    Counter resets() {
      return Counter.builder(shared.names.getHttpRequestResetsCount())
          .description("Number of request resets").tags(tags).register(shared.registry);
    }

    ResponseMeters response(String route, int code) {
      ResponseMeters[] known = responses.get(route);
      if (known != null) {
        for (ResponseMeters meters : known) {
          if (meters.code() == code) {
            return meters;
          }
        }
      }
      ResponseMeters registered = shared.register(tags, route, code);
      if (shared.responseSets.get() >= MAX_RESPONSE_SETS) {
        return registered;
      }
      synchronized (this) {
        ResponseMeters[] now = responses.get(route);
        if (now != null) {
          for (ResponseMeters meters : now) {
            if (meters.code() == code) {
              return meters;
            }
          }
        }
        ResponseMeters[] grown = now == null ? new ResponseMeters[1] : Arrays.copyOf(now, now.length + 1);
        grown[grown.length - 1] = registered;
        responses.put(route, grown);
        shared.responseSets.incrementAndGet();
      }
      return registered;
    }
  }

  /** The kept meters of one Vertx, shared by its HTTP servers. */
  static final class Shared {
    final MeterRegistry registry;
    final MetricsNaming names;
    final boolean methodLabel;
    final boolean routeLabel;
    final boolean codeLabel;
    private final ConcurrentHashMap<HttpMethod, MethodMeters> methods = new ConcurrentHashMap<>();
    final AtomicInteger responseSets = new AtomicInteger();

    Shared(MeterRegistry registry, MicrometerMetricsOptions options) {
      this.registry = registry;
      // the names vertx-micrometer gives its HTTP server meters
      this.names = options.getMetricsNaming().withBaseName("vertx." + MetricsDomain.HTTP_SERVER.toCategory() + ".");
      Set<Label> labels = options.getLabels();
      this.methodLabel = labels.contains(Label.HTTP_METHOD);
      this.routeLabel = labels.contains(Label.HTTP_ROUTE);
      this.codeLabel = labels.contains(Label.HTTP_CODE);
    }

    /** The kept meters of this method, or null once {@value #MAX_METHODS} methods are kept. */
    MethodMeters method(HttpMethod method) {
      MethodMeters found = methods.get(method);
      if (found != null) {
        return found;
      }
      synchronized (methods) {
        found = methods.get(method);
        if (found == null && methods.size() < MAX_METHODS) {
          found = new MethodMeters(this, methodLabel ? Tags.of(Label.HTTP_METHOD.toString(), method.toString())
              : Tags.empty());
          methods.put(method, found);
        }
        return found;
      }
    }

    ResponseMeters register(Tags methodTags, String route, int code) {
      Tags tags = methodTags;
      if (routeLabel) {
        tags = tags.and(Label.HTTP_ROUTE.toString(), route);
      }
      if (codeLabel) {
        tags = tags.and(Label.HTTP_CODE.toString(), String.valueOf(code));
      }
      return new ResponseMeters(code,
          Counter.builder(names.getHttpRequestsCount()).description("Number of processed requests")
              .tags(tags).register(registry),
          Timer.builder(names.getHttpResponseTime()).description("Request processing time")
              .tags(tags).register(registry),
          DistributionSummary.builder(names.getHttpResponseBytes()).description("Size of responses in bytes")
              .tags(tags).register(registry));
    }
  }
}
