package dev.scriptd.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.VertxOptions;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.core.spi.metrics.HttpClientMetrics;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

/**
 * vertx-micrometer's metrics factory with the HTTP server's request meters looked up once and kept
 * ({@link HttpServerMeters}); every other meter, and every name, label and description, is
 * vertx-micrometer's. Use it where {@code new MicrometerMetricsFactory(registry)} would be used.
 */
public final class KeptMetersFactory implements VertxMetricsFactory {
  private final MicrometerMetricsFactory micrometer;
  private final MeterRegistry registry;

  /** {@code registry}: where the meters go, as for {@code new MicrometerMetricsFactory(registry)}. */
  public KeptMetersFactory(MeterRegistry registry) {
    this.micrometer = new MicrometerMetricsFactory(registry);
    this.registry = registry;
  }

  @Override
  public VertxMetrics metrics(VertxOptions options) {
    VertxMetrics metrics = micrometer.metrics(options);
    MetricsOptions given = options.getMetricsOptions();
    MicrometerMetricsOptions micrometerOptions = given instanceof MicrometerMetricsOptions own ? own
        : new MicrometerMetricsOptions(given.toJson());
    if (registry == null || !HttpServerMeters.covers(micrometerOptions)) {
      return metrics;
    }
    return new Kept(metrics, new HttpServerMeters.Shared(registry, micrometerOptions));
  }

  @Override
  public MetricsOptions newOptions() {
    return micrometer.newOptions();
  }

  @Override
  public MetricsOptions newOptions(MetricsOptions options) {
    return micrometer.newOptions(options);
  }

  @Override
  public MetricsOptions newOptions(JsonObject json) {
    return micrometer.newOptions(json);
  }

  /** vertx-micrometer's metrics, but for the HTTP servers' request meters. */
  private static final class Kept implements VertxMetrics {
    private final VertxMetrics inner;
    private final HttpServerMeters.Shared shared;

    Kept(VertxMetrics inner, HttpServerMeters.Shared shared) {
      this.inner = inner;
      this.shared = shared;
    }

    @Override
    public HttpServerMetrics<?, ?, ?> createHttpServerMetrics(HttpServerOptions options, SocketAddress localAddress) {
      HttpServerMetrics<?, ?, ?> server = inner.createHttpServerMetrics(options, localAddress);
      return server == null ? null : new HttpServerMeters(server, shared);
    }

    @Override
    public EventBusMetrics createEventBusMetrics() {
      return inner.createEventBusMetrics();
    }

    @Override
    public ClientMetrics<?, ?, ?> createClientMetrics(SocketAddress remoteAddress, String type, String namespace) {
      return inner.createClientMetrics(remoteAddress, type, namespace);
    }

    @Override
    public HttpClientMetrics<?, ?, ?> createHttpClientMetrics(HttpClientOptions options) {
      return inner.createHttpClientMetrics(options);
    }

    @Override
    public TCPMetrics<?> createNetServerMetrics(NetServerOptions options, SocketAddress localAddress) {
      return inner.createNetServerMetrics(options, localAddress);
    }

    @Override
    public TCPMetrics<?> createNetClientMetrics(NetClientOptions options) {
      return inner.createNetClientMetrics(options);
    }

    @Override
    public DatagramSocketMetrics createDatagramSocketMetrics(DatagramSocketOptions options) {
      return inner.createDatagramSocketMetrics(options);
    }

    @Override
    public PoolMetrics<?, ?> createPoolMetrics(String poolType, String poolName, int maxPoolSize) {
      return inner.createPoolMetrics(poolType, poolName, maxPoolSize);
    }

    @Override
    public void vertxCreated(Vertx vertx) {
      inner.vertxCreated(vertx);
    }

    @Override
    public boolean isMetricsEnabled() {
      return inner.isMetricsEnabled();
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
