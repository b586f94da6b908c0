package dev.scriptd;

import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.metrics.ScriptdMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A running scriptd inside some Vertx. {@link #close()} stops it cleanly. */
public final class ScriptdHandle {
  private final Vertx vertx;
  private final List<String> deploymentIds;
  private final ScriptdConfig config;
  private final ScriptdMetrics metrics;
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
   * Undeploys HTTP, then the supervisor (killing runs), then persistence (writing the last batch),
   * then removes scriptd's meters. Safe to call twice.
   */
  public Future<Void> close() {
    boolean first = !closed;
    closed = true;
    List<String> reversed = new ArrayList<>(deploymentIds);
    Collections.reverse(reversed);
    deploymentIds.clear();
    Future<Void> chain = Future.succeededFuture();
    for (String id : reversed) {
      chain = chain.compose(ok -> vertx.undeploy(id).recover(failure -> Future.succeededFuture()));
    }
    return first ? chain.eventually(() -> {
      metrics.close(vertx);
      return Future.succeededFuture();
    }) : chain;
  }
}
