package dev.scriptd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("cluster settings")
class ClusterConfigTest {
  private static JsonObject startable() {
    return new JsonObject()
        .put("database", new JsonObject().put("url", "postgresql://scriptd@db.example/scriptd"))
        .put("cluster", new JsonObject().put("enabled", true)
            .put("members", new JsonArray().add("10.0.0.5:5701").add("node-b.example:5702").add("[fd00::7]:5701")));
  }

  private static String refusal(JsonObject json) {
    return assertThrows(ConfigException.class, () -> ClusterConfig.fromJson(json)).getMessage();
  }

  @Test
  @DisplayName("off by default: name scriptd, no members, port 5701, any bus port, no public host, 5 s failure timeout")
  void defaults() {
    ClusterConfig config = ClusterConfig.fromJson(new JsonObject());
    assertFalse(config.enabled());
    assertEquals("scriptd", config.name());
    assertEquals(List.of(), config.members());
    assertEquals(5701, config.port());
    assertEquals(0, config.busPort());
    assertNull(config.publicHost());
    assertEquals(5000, config.failureTimeoutMs());
  }

  @Test
  @DisplayName("members are read as host and port (IPv6 in brackets), from an array or a comma-separated flag value")
  void membersAreRead() {
    ClusterConfig config = ClusterConfig.fromJson(startable());
    assertEquals(List.of(new ClusterConfig.Member("10.0.0.5", 5701), new ClusterConfig.Member("node-b.example", 5702),
        new ClusterConfig.Member("fd00::7", 5701)), config.members());
    assertEquals("[fd00::7]:5701", config.members().get(2).toString());
    JsonObject flag = startable();
    flag.getJsonObject("cluster").put("members", "127.0.0.1:5701, 127.0.0.1:5702");
    assertEquals(List.of(new ClusterConfig.Member("127.0.0.1", 5701), new ClusterConfig.Member("127.0.0.1", 5702)),
        ClusterConfig.fromJson(flag).members());
  }

  @Test
  @DisplayName("a member that is not host:port, or whose port is out of range, is refused naming cluster.members and the entry")
  void badMembersAreRefused() {
    for (Object bad : List.of("10.0.0.5", "10.0.0.5:0", "10.0.0.5:65536", "host:port", ":5701", "a b:5701",
        "fd00::7:5701x", 5701)) {
      JsonObject json = startable();
      json.getJsonObject("cluster").put("members", new JsonArray().add(bad));
      String message = refusal(json);
      assertTrue(message.contains("cluster.members") && message.contains(String.valueOf(bad)), message);
    }
    JsonObject notAList = startable();
    notAList.getJsonObject("cluster").put("members", new JsonObject());
    assertTrue(refusal(notAList).contains("cluster.members"));
  }

  @Test
  @DisplayName("port, failure timeout, name and public host out of their ranges are refused naming the key")
  void rangesAreChecked() {
    JsonObject port = startable();
    port.getJsonObject("cluster").put("port", 70000);
    assertTrue(refusal(port).contains("cluster.port"));
    JsonObject busPort = startable();
    busPort.getJsonObject("cluster").put("bus_port", -1);
    assertTrue(refusal(busPort).contains("cluster.bus_port"));
    JsonObject timeout = startable();
    timeout.getJsonObject("cluster").put("failure_timeout_ms", 10);
    assertTrue(refusal(timeout).contains("cluster.failure_timeout_ms"));
    JsonObject name = startable();
    name.getJsonObject("cluster").put("name", "two words");
    assertTrue(refusal(name).contains("cluster.name"));
    JsonObject host = startable();
    host.getJsonObject("cluster").put("public_host", "10.0.0.5:5701");
    assertTrue(refusal(host).contains("cluster.public_host"));
    JsonObject good = startable();
    good.getJsonObject("cluster").put("public_host", "10.0.0.5").put("failure_timeout_ms", 2500);
    assertEquals("10.0.0.5", ClusterConfig.fromJson(good).publicHost());
    assertEquals(2500, ClusterConfig.fromJson(good).failureTimeoutMs());
  }

  @Test
  @DisplayName("cluster.enabled needs database.url (the shared PostgreSQL) and at least one member")
  void enabledNeedsADatabaseAndMembers() {
    JsonObject noDatabase = startable();
    noDatabase.remove("database");
    String message = refusal(noDatabase);
    assertTrue(message.contains("cluster.enabled") && message.contains("database.url"), message);
    JsonObject noMembers = startable();
    noMembers.getJsonObject("cluster").put("members", new JsonArray());
    assertTrue(refusal(noMembers).contains("cluster.members"));
    // off, nothing of it is required
    assertFalse(ClusterConfig.fromJson(new JsonObject().put("cluster", new JsonObject().put("enabled", false)))
        .enabled());
  }
}
