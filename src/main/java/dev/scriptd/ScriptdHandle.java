package dev.scriptd;

import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.http.ApiRouter;
import dev.scriptd.http.tail.TailHub;
import dev.scriptd.metrics.ScriptdMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A running scriptd inside some Vertx: its settings, a router a host can mount under its own
 * prefix, and {@link #close()} to stop it cleanly.
 */
public final class ScriptdHandle {
  private final Vertx vertx;
  private final List<String> deploymentIds;
  private final ScriptdConfig config;
  private final ScriptdMetrics metrics;
  private final List<TailHub> hostHubs = new ArrayList<>();
  private boolean closed;

  ScriptdHandle(Vertx vertx, List<String> deploymentIds, ScriptdConfig config, ScriptdMetrics metrics) {
    this.vertx = vertx;
    this.deploymentIds = deploymentIds;
    this.config = config;
    this.metrics = metrics;
  }

  /** scriptd's meters and the registry {@code /metrics} serves. */
  public ScriptdMetrics metrics() {
    return metrics;
  }

  public ScriptdConfig config() {
    return config;
  }

  /**
   * A new router with scriptd's API (and UI), for a host to mount, e.g.
   * {@code hostRouter.route("/ops/scripts/*").subRouter(handle.router())}. Call it from the verticle
   * whose HTTP server will serve it: live tails then run on that verticle's event loop.
   */
  public Router router() {
    TailHub hub = new TailHub(vertx, config.tail());
    hub.start();
    synchronized (hostHubs) {
      hostHubs.add(hub);
    }
    metrics.addTailSource(hub::subscriberCount);
    return ApiRouter.create(vertx, config, hub, metrics);
  }

  /**
   * Undeploys HTTP, then the supervisor (killing running processes, their runs end {@code killed}),
   * then persistence (writing the last batch of lines and closing the database), then removes
   * scriptd's meters. Safe to call twice.
   */
  public Future<Void> close() {
    boolean first = !closed;
    closed = true;
    List<TailHub> hubs;
    synchronized (hostHubs) {
      hubs = new ArrayList<>(hostHubs);
      hostHubs.clear();
    }
    List<String> reversed = new ArrayList<>(deploymentIds);
    Collections.reverse(reversed);
    deploymentIds.clear();
    Future<Void> chain = Future.join(hubs.stream().map(TailHub::stop).toList()).mapEmpty();
    chain = chain.recover(failure -> Future.succeededFuture());
    for (String id : reversed) {
      chain = chain.compose(ok -> vertx.undeploy(id).recover(failure -> Future.succeededFuture()));
    }
    return first ? chain.eventually(() -> {
      metrics.close(vertx);
      return Future.succeededFuture();
    }) : chain;
  }
}
