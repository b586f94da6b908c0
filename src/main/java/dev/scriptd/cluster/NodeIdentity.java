package dev.scriptd.cluster;

import dev.scriptd.config.ClusterConfig;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.domain.Times;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * Who this node is, as {@code GET /api/cluster} shows it. {@code id}: the cluster manager's node id
 * when clustered, else one made at start for the life of this deployment; {@code address}: the
 * {@code host:port} of this node's HTTP server ({@code cluster.public_host}, else {@code host}, with
 * {@code port}); {@code version}: the jar's version ({@code development} outside a built jar).
 */
public record NodeIdentity(String id, String address, Instant startedAt, String version) {

  public static NodeIdentity of(String id, ScriptdConfig config, ClusterConfig cluster, Instant startedAt) {
    String host = cluster.publicHost() != null ? cluster.publicHost() : config.http().host();
    String address = (host.contains(":") ? "[" + host + "]" : host) + ":" + config.http().port();
    return new NodeIdentity(id, address, startedAt, jarVersion());
  }

  /** The {@code Implementation-Version} of the jar's manifest, or {@code development}. */
  static String jarVersion() {
    String version = NodeIdentity.class.getPackage().getImplementationVersion();
    return version == null ? "development" : version;
  }

  /** The node as the API lists it; {@code runningRuns} null when the node did not say. */
  public JsonObject toJson(Integer runningRuns, boolean self) {
    return new JsonObject()
        .put("id", id)
        .put("address", address)
        .put("started_at", Times.format(startedAt))
        .put("running_runs", runningRuns)
        .put("version", version)
        .put("self", self);
  }
}
