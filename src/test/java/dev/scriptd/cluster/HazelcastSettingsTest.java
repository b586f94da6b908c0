package dev.scriptd.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.scriptd.config.ClusterConfig;
import io.vertx.core.eventbus.EventBusOptions;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("HazelcastSettings: the Hazelcast configuration of a node")
class HazelcastSettingsTest {
  private static ClusterConfig cluster(String publicHost, long failureTimeoutMs) {
    return new ClusterConfig(true, "prod-eu", List.of(new ClusterConfig.Member("10.0.0.5", 5701),
        new ClusterConfig.Member("fd00::7", 5702)), 5801, 5802, publicHost, failureTimeoutMs);
  }

  @Test
  @DisplayName("TCP join with exactly the members: no multicast, no auto-detection, the port without auto-increment")
  void joinsByTcpOnly() {
    Config config = HazelcastSettings.of(cluster(null, 5000));
    NetworkConfig network = config.getNetworkConfig();
    JoinConfig join = network.getJoin();
    assertFalse(join.getMulticastConfig().isEnabled());
    assertFalse(join.getAutoDetectionConfig().isEnabled());
    assertTrue(join.getTcpIpConfig().isEnabled());
    assertEquals(List.of("10.0.0.5:5701", "[fd00::7]:5702"), join.getTcpIpConfig().getMembers());
    assertEquals(5801, network.getPort());
    assertFalse(network.isPortAutoIncrement());
    assertNull(network.getPublicAddress());
    assertEquals("prod-eu", config.getClusterName());
  }

  @Test
  @DisplayName("the public host is the address the others reach this node at, as a host alone (Vert.x's event bus announces it too)")
  void publicAddress() {
    assertEquals("node-a.example", HazelcastSettings.of(cluster("node-a.example", 5000)).getNetworkConfig()
        .getPublicAddress());
  }

  @Test
  @DisplayName("the event bus listens on bus_port; with a public host on every interface, announcing that host")
  void eventBus() {
    EventBusOptions plain = HazelcastSettings.eventBus(cluster(null, 5000));
    assertEquals(5802, plain.getPort());
    assertNull(plain.getHost(), "Vert.x takes the address Hazelcast picked");
    assertNull(plain.getClusterPublicHost());
    EventBusOptions published = HazelcastSettings.eventBus(cluster("node-a.example", 5000));
    assertEquals("0.0.0.0", published.getHost());
    assertEquals("node-a.example", published.getClusterPublicHost());
  }

  @Test
  @DisplayName("the deadline failure detector, a heartbeat a second, and failure_timeout_ms rounded up to whole seconds (at least 1)")
  void failureDetection() {
    Config config = HazelcastSettings.of(cluster(null, 5000));
    assertEquals("deadline", config.getProperty("hazelcast.heartbeat.failuredetector.type"));
    assertEquals("1", config.getProperty("hazelcast.heartbeat.interval.seconds"));
    assertEquals("5", config.getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertEquals("3", HazelcastSettings.of(cluster(null, 2001)).getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertEquals("1", HazelcastSettings.of(cluster(null, 1000)).getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertEquals(1, HazelcastSettings.noHeartbeatSeconds(new ClusterConfig(true, "x", List.of(), 1, 0, null, 1)));
  }

  @Test
  @DisplayName("a node cut off from the cluster is looked for again every no-heartbeat time, at least every 5 s"
      + " (Hazelcast's default: first after 300 s, then every 100 s)")
  void mergeChecks() {
    Config config = HazelcastSettings.of(cluster(null, 2000));
    assertEquals("5", config.getProperty("hazelcast.merge.first.run.delay.seconds"));
    assertEquals("5", config.getProperty("hazelcast.merge.next.run.delay.seconds"));
    Config slow = HazelcastSettings.of(cluster(null, 30_000));
    assertEquals("30", slow.getProperty("hazelcast.merge.first.run.delay.seconds"));
    assertEquals("30", slow.getProperty("hazelcast.merge.next.run.delay.seconds"));
  }

  @Test
  @DisplayName("no phone-home, no join wait, no Hazelcast shutdown hook, logging through SLF4J")
  void quietAndPrompt() {
    Config config = HazelcastSettings.of(cluster(null, 5000));
    assertEquals("false", config.getProperty("hazelcast.phone.home.enabled"));
    assertEquals("0", config.getProperty("hazelcast.wait.seconds.before.join"));
    assertEquals("false", config.getProperty("hazelcast.shutdownhook.enabled"));
    assertEquals("slf4j", config.getProperty("hazelcast.logging.type"));
  }

  @Test
  @DisplayName("Vert.x's own maps are kept: the event bus subscriptions and node info settings of its default config")
  void keepsVertxMaps() {
    Config config = HazelcastSettings.of(cluster(null, 5000));
    assertNotNull(config.getMultiMapConfigs().get("__vertx.subs"), config.getMultiMapConfigs().keySet().toString());
    assertNotNull(config.getMapConfigs().get("__vertx.nodeInfo"), config.getMapConfigs().keySet().toString());
    assertEquals(1, config.getMultiMapConfig("__vertx.subs").getBackupCount());
  }
}
