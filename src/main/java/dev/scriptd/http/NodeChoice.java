package dev.scriptd.http;

import dev.scriptd.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Supplier;

/**
 * The {@code "node"} a start ({@code POST /api/runs}, {@code /api/scripts/{id}/run}) may name. Runs
 * are not routed between nodes yet, so only this node's own id is taken: a live other node is a
 * 409, any other name a 400. A body without {@code node} costs nothing: the start goes straight on.
 */
final class NodeChoice {
  private NodeChoice() {
  }

  /** {@code start} when the body names no node or this one; else the failure saying why not. */
  static <T> Future<T> then(Bus bus, JsonObject body, Supplier<Future<T>> start) {
    if (body == null || !body.containsKey("node")) {
      return start.get();
    }
    Object node = body.getValue("node");
    if (!(node instanceof String name) || name.isBlank() || name.length() > 256) {
      return Future.failedFuture(invalid("must be a node id (GET /api/cluster lists them)"));
    }
    return bus.<JsonObject>request(Addresses.CLUSTER_STATUS, null).compose(status -> {
      String self = status.getString("node_id");
      if (name.equals(self)) {
        return start.get();
      }
      JsonArray members = status.getJsonArray("members", new JsonArray());
      if (members.contains(name)) {
        return Future.failedFuture(new ApiException(409, "node-not-routable", "node " + name + " is live, but runs"
            + " are not yet routed between nodes in this version: send the request to that node itself (this is"
            + " node " + self + ")"));
      }
      return Future.failedFuture(invalid("no live node " + name + "; GET /api/cluster lists them"));
    });
  }

  private static ApiException invalid(String message) {
    return ApiException.invalid(new JsonArray().add(new JsonObject().put("field", "node").put("message", message)));
  }
}
