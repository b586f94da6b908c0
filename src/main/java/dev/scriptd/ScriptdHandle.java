package dev.scriptd;

import dev.scriptd.config.ScriptdConfig;
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

  ScriptdHandle(Vertx vertx, List<String> deploymentIds, ScriptdConfig config) {
    this.vertx = vertx;
    this.deploymentIds = deploymentIds;
    this.config = config;
  }

  public ScriptdConfig config() {
    return config;
  }

  /** Undeploys HTTP, then the supervisor (killing runs), then persistence (writing the last batch). */
  public Future<Void> close() {
    List<String> reversed = new ArrayList<>(deploymentIds);
    Collections.reverse(reversed);
    deploymentIds.clear();
    Future<Void> chain = Future.succeededFuture();
    for (String id : reversed) {
      chain = chain.compose(ok -> vertx.undeploy(id).recover(failure -> Future.succeededFuture()));
    }
    return chain;
  }
}
