package dev.scriptd.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.scriptd.config.ClusterConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;

/**
 * The Hazelcast configuration of a scriptd node, from the {@code cluster} settings. It starts from
 * Vert.x's own ({@link ConfigUtil#loadConfig()}: the maps and multimap the event bus and shared
 * data need) and changes only how nodes find and watch each other:
 * <ul>
 *   <li>TCP join with {@code cluster.members} only: multicast and cloud auto-detection are off, so a
 *   node never joins a cluster nobody listed;</li>
 *   <li>{@code cluster.port} exactly (no automatic next port: the members' list names it), and
 *   {@code cluster.public_host} as the address the others reach this node at;</li>
 *   <li>the deadline failure detector with a heartbeat a second: a node silent for
 *   {@code cluster.failure_timeout_ms} (rounded up to whole seconds) is dropped;</li>
 *   <li>no join wait (a node that finds no member starts alone at once), no phone-home call, no
 *   Hazelcast shutdown hook (scriptd's stop leaves the cluster after its runs have ended), and
 *   Hazelcast's logging through SLF4J.</li>
 * </ul>
 */
public final class HazelcastSettings {
  private HazelcastSettings() {
  }

  public static Config of(ClusterConfig cluster) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(cluster.name());
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.heartbeat.failuredetector.type", "deadline");
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(noHeartbeatSeconds(cluster)));
    // a node that was cut off (stopped past the failure timeout, then resumed) forms a cluster of its
    // own; Hazelcast merges it back at its next merge check, by default 300 s later, then every 100 s
    config.setProperty("hazelcast.merge.first.run.delay.seconds", String.valueOf(mergeDelaySeconds(cluster)));
    config.setProperty("hazelcast.merge.next.run.delay.seconds", String.valueOf(mergeDelaySeconds(cluster)));

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port());
    network.setPortAutoIncrement(false);
    if (cluster.publicHost() != null) {
      // the host alone: Hazelcast adds its port, and Vert.x reads this value as the host its event bus
      // announces to the other nodes (with a port in it, they could not resolve it)
      network.setPublicAddress(cluster.publicHost());
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).clear();
    cluster.members().forEach(member -> join.getTcpIpConfig().addMember(member.toString()));
    return config;
  }

  /**
   * The clustered event bus's own TCP server (the nodes send each other messages over it, beside
   * Hazelcast's port): {@code cluster.bus_port} (0: any free port). With {@code cluster.public_host}
   * it listens on every interface and announces that host, as Hazelcast does; without it, Vert.x
   * listens on and announces the address Hazelcast picked.
   */
  public static EventBusOptions eventBus(ClusterConfig cluster) {
    EventBusOptions options = new EventBusOptions().setPort(cluster.busPort());
    if (cluster.publicHost() != null) {
      options.setHost("0.0.0.0").setClusterPublicHost(cluster.publicHost());
    }
    return options;
  }

  /** Seconds between Hazelcast's checks for another cluster to merge with: the no-heartbeat time, at least 5. */
  static long mergeDelaySeconds(ClusterConfig cluster) {
    return Math.max(5, noHeartbeatSeconds(cluster));
  }

  /** {@code failure_timeout_ms} in whole seconds, rounded up, at least 1. */
  static long noHeartbeatSeconds(ClusterConfig cluster) {
    return Math.max(1, (cluster.failureTimeoutMs() + 999) / 1000);
  }
}
