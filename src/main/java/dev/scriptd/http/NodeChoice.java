package dev.scriptd.http;

import dev.scriptd.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * The {@code "node"} a start ({@code POST /api/runs}, {@code /api/scripts/{id}/run}) may name: a
 * live member of the cluster (the run owner forwards the start there), or this node itself; any
 * other name is a 400. A body without {@code node} costs nothing: the start goes straight on.
 */
final class NodeChoice {
  private NodeChoice() {
  }

  /**
   * {@code start} with the node the body names (null when it names none, or this node of a single
   * node: the run owner places the run); else the failure saying why not.
   */
  static <T> Future<T> then(Bus bus, JsonObject body, Function<String, Future<T>> start) {
    if (body == null || !body.containsKey("node")) {
      return start.apply(null);
    }
    Object node = body.getValue("node");
    if (!(node instanceof String name) || name.isBlank() || name.length() > 256) {
      return Future.failedFuture(invalid("must be a node id (GET /api/cluster lists them)"));
    }
    return bus.<JsonObject>request(Addresses.CLUSTER_STATUS, null).compose(status -> {
      if (name.equals(status.getString("node_id"))) {
        // clustered, a start naming the receiving node runs here (not placed); a single node runs everything
        return start.apply(Boolean.TRUE.equals(status.getBoolean("enabled")) ? name : null);
      }
      if (status.getJsonArray("members", new JsonArray()).contains(name)) {
        return start.apply(name);
      }
      return Future.failedFuture(invalid("no live node " + name + "; GET /api/cluster lists them"));
    });
  }

  private static ApiException invalid(String message) {
    return ApiException.invalid(new JsonArray().add(new JsonObject().put("field", "node").put("message", message)));
  }
}
