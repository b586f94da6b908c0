package dev.scriptd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Traffic settings: endpoint defaults, timeouts, stream caps and the connection cap")
class TrafficConfigTest {
  @Test
  @DisplayName("defaults: public endpoints 10 calls/s and 4 runs, token ones 100 and 32, half the run slots")
  void defaults() {
    TrafficConfig config = TrafficConfig.fromJson(new JsonObject());
    TrafficConfig.Endpoints endpoints = config.endpoints();
    JsonObject open = new JsonObject().put("auth", "public");
    JsonObject guarded = new JsonObject().put("auth", "token");
    assertEquals(10, endpoints.rateLimit(open));
    assertEquals(4, endpoints.maxConcurrent(open));
    assertEquals(100, endpoints.rateLimit(guarded));
    assertEquals(32, endpoints.maxConcurrent(guarded));
    assertEquals(2, endpoints.rateLimit(open.copy().put("rate_limit", 2)), "an endpoint's own value wins");
    assertEquals(50, endpoints.maxRunSharePercent());
    TrafficConfig.Connections connections = config.connections();
    assertEquals(5000, connections.headerTimeoutMs());
    assertEquals(60_000, connections.idleTimeoutMs());
    assertEquals(64, connections.maxStreamsPerToken());
    assertEquals(16, connections.maxStreamsPerAddress());
  }

  @Test
  @DisplayName("http.max_connections defaults to half the open-file soft limit; a configured value wins")
  void connectionCap() {
    TrafficConfig.Connections derived = TrafficConfig.fromJson(new JsonObject()).connections();
    assertEquals(512, derived.maxConnections(1024));
    assertEquals(32, derived.maxConnections(40));
    TrafficConfig.Connections set = TrafficConfig.fromJson(new JsonObject()
        .put("http", new JsonObject().put("max_connections", 20))).connections();
    assertEquals(20, set.maxConnections(1024));
  }

  @Test
  @DisplayName("the soft limit is read from the text of /proc/self/limits")
  void parsesLimits() {
    String limits = """
        Limit                     Soft Limit           Hard Limit           Units
        Max processes             63432                63432                processes
        Max open files            20000                524288               files
        """;
    assertEquals(20_000, TrafficConfig.fdSoftLimit(limits));
    assertEquals(TrafficConfig.DEFAULT_FD_LIMIT, TrafficConfig.fdSoftLimit("nothing here"));
  }

  @Test
  @DisplayName("out-of-range values fail at start, naming the key")
  void ranges() {
    ConfigException e = assertThrows(ConfigException.class, () -> TrafficConfig.fromJson(new JsonObject()
        .put("endpoints", new JsonObject().put("max_run_share_percent", 100))));
    assertEquals(true, e.getMessage().contains("endpoints.max_run_share_percent"), e.getMessage());
    assertThrows(ConfigException.class, () -> TrafficConfig.fromJson(new JsonObject()
        .put("http", new JsonObject().put("header_timeout_ms", 0))));
  }
}
