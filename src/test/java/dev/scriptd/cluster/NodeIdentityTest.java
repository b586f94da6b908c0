package dev.scriptd.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.config.ClusterConfig;
import dev.scriptd.config.ScriptdConfig;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("NodeIdentity: a node's id, HTTP address, start time and version as GET /api/cluster lists them")
class NodeIdentityTest {
  private static final Instant STARTED = Instant.parse("2026-12-06T21:00:00.123Z");

  private static NodeIdentity of(JsonObject config) {
    return NodeIdentity.of("node-1", ScriptdConfig.fromJson(config), ClusterConfig.fromJson(config), STARTED);
  }

  @Test
  @DisplayName("the address is the HTTP host and port, or cluster.public_host with the HTTP port (IPv6 in brackets)")
  void address() {
    assertEquals("10.0.0.5:9090", of(new JsonObject().put("host", "10.0.0.5").put("port", 9090)).address());
    assertEquals("node-a.example:9090", of(new JsonObject().put("host", "0.0.0.0").put("port", 9090)
        .put("cluster", new JsonObject().put("public_host", "node-a.example"))).address());
    assertEquals("[fd00::5]:8080", of(new JsonObject().put("host", "fd00::5")).address());
  }

  @Test
  @DisplayName("the API entry: every field, running_runs null when unknown, self as asked; the version outside a jar is development")
  void json() {
    NodeIdentity node = of(new JsonObject());
    JsonObject entry = node.toJson(3, true);
    assertEquals(new JsonObject().put("id", "node-1").put("address", "127.0.0.1:8080")
        .put("started_at", "2026-12-06T21:00:00.123Z").put("running_runs", 3).put("version", "development")
        .put("self", true), entry);
    JsonObject silent = node.toJson(null, false);
    assertTrue(silent.containsKey("running_runs"));
    assertNull(silent.getValue("running_runs"));
    assertFalse(silent.getBoolean("self"));
  }
}
