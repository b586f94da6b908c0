package dev.scriptd.http;

import dev.scriptd.bus.Addresses;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /api/cluster} (viewer): the nodes of the cluster, as this node's cluster view lists them. */
final class ClusterRoutes {
  /** Above the view's own wait for a silent member, so a slow member still gets its null entry. */
  private static final long TIMEOUT_MS = 5000;

  private final Bus bus;

  ClusterRoutes(Bus bus) {
    this.bus = bus;
  }

  void mount(Router router) {
    router.get("/api/cluster").handler(this::nodes);
  }

  private void nodes(RoutingContext ctx) {
    bus.<JsonObject>request(Addresses.CLUSTER_NODES, null, TIMEOUT_MS)
        .onSuccess(nodes -> Json.send(ctx, 200, nodes))
        .onFailure(ctx::fail);
  }
}
