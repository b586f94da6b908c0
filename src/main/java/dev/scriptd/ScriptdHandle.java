package dev.scriptd;

import dev.scriptd.auth.AdminToken;
import dev.scriptd.bus.Namespace;
import dev.scriptd.bus.RunReads;
import dev.scriptd.bus.InstanceLifecycle;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.config.SecurityConfig;
import dev.scriptd.config.TrafficConfig;
import dev.scriptd.http.ApiRouter;
import dev.scriptd.http.HttpSecurity;
import dev.scriptd.http.ScriptDefinitions;
import dev.scriptd.http.tail.TailHub;
import dev.scriptd.metrics.ScriptdMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running scriptd inside some Vertx: its settings, a router a host can mount under its own
 * prefix, and {@link #close()} to stop it cleanly.
 */
public final class ScriptdHandle {
  private static final Logger LOG = LoggerFactory.getLogger(ScriptdHandle.class);
  private final Vertx vertx;
  private final List<String> deploymentIds;
  private final ScriptdConfig config;
  private final Namespace ns;
  private final NamespaceClaim claim;
  private final ScriptdMetrics metrics;
  private final SecurityConfig security;
  private final ScriptDefinitions scripts;
  private final TrafficConfig traffic;
  private final List<TailHub> hostHubs = new ArrayList<>();
  private final List<HttpSecurity> hostSecurity = new ArrayList<>();
  private final RunReads runs;
  private final AdminToken.Store tokens;
  private final InstanceLifecycle lifecycle;
  /** This node's id in a cluster (its tails follow every node's runs), null on a single node. */
  private final String nodeId;
  /** The first close, which every later call answers with. */
  private Future<Void> closing;
  private Thread jvmExitHook;
  private volatile String adminLink;
  private volatile DataDirLock dataDirLock;

  ScriptdHandle(Vertx vertx, List<String> deploymentIds, ScriptdConfig config, Namespace ns,
      NamespaceClaim claim, ScriptdMetrics metrics, SecurityConfig security, ScriptDefinitions scripts,
      TrafficConfig traffic, RunReads runs, AdminToken.Store tokens, InstanceLifecycle lifecycle, String nodeId) {
    this.nodeId = nodeId;
    this.lifecycle = lifecycle;
    this.tokens = tokens;
    this.traffic = traffic;
    this.runs = runs;
    this.ns = ns;
    this.claim = claim;
    this.vertx = vertx;
    this.security = security;
    this.scripts = scripts;
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
   * The link (with the admin token) generated at this start because the database had no admin
   * token, or null. Shown nowhere else but {@code <data_dir>/admin-link.txt}: the standalone server
   * prints it last; an embedding host decides.
   */
  public String adminLink() {
    return adminLink;
  }

  void adminLink(String link) {
    adminLink = link;
  }

  void dataDirLock(DataDirLock lock) {
    dataDirLock = lock;
  }

  /**
   * Revokes every admin token and creates a new one; completes with its link (also written to
   * {@code <data_dir>/admin-link.txt}).
   */
  public Future<String> resetAdminToken() {
    return AdminToken.reset(vertx, tokens, config);
  }

  /**
   * This instance's event-bus namespace: {@code namespace().of(Addresses.RUNS_START)} is where to
   * send a start, {@code namespace().runLog(id)} where a run's lines are published.
   */
  public Namespace namespace() {
    return ns;
  }

  /**
   * A new router with scriptd's API (and UI), for a host to mount, e.g.
   * {@code hostRouter.route("/ops/scripts/*").subRouter(handle.router())}. Call it from the verticle
   * whose HTTP server will serve it: live tails then run on that verticle's event loop.
   */
  public Router router() {
    TailHub hub = new TailHub(vertx, ns, config.tail(), nodeId);
    hub.start();
    synchronized (hostHubs) {
      hostHubs.add(hub);
    }
    metrics.addTailSource(hub::subscriberCount);
    // the same tokens, roles and rate limit as scriptd's own server (unless auth.enabled = false)
    HttpSecurity guard = new HttpSecurity(vertx, ns, config, security);
    guard.start();
    synchronized (hostSecurity) {
      hostSecurity.add(guard);
    }
    return ApiRouter.create(vertx, ns, config, hub, metrics, guard, scripts, traffic, runs);
  }

  /**
   * At JVM exit (SIGTERM, System.exit), unless the host closed this instance first: its runs end
   * {@code killed} and storage writes what it buffered (the verticles do it without being
   * undeployed, since a host's own hook may be closing the Vertx at the same time); the hook waits
   * for that, at most {@code shutdown_timeout_ms}. Without it, the JVM would exit in the middle.
   */
  synchronized void stopOnJvmExit() {
    if (closing != null || jvmExitHook != null) {
      return;
    }
    long limitMs = config.ops().shutdownTimeoutMs();
    jvmExitHook = new Thread(() -> {
      try {
        // no undeploy here: a host's own hook may be closing the Vertx, which undeploys the same
        lifecycle.jvmExiting();
        Future.any(lifecycle.whenFlushed(), lifecycle.whenStorageClosed()).await(limitMs, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        LOG.warn("scriptd did not stop within {} ms of the JVM exit: {}", limitMs, e.toString());
      }
    }, "scriptd-stop-" + ns);
    Runtime.getRuntime().addShutdownHook(jvmExitHook);
  }

  /**
   * Undeploys HTTP, then the run owner, RunsVerticle (killing running processes, their runs end {@code killed}),
   * then persistence (writing the last batch of lines and closing the database), then removes
   * scriptd's meters, frees the bus namespace and unlocks the data dir. A second call answers when
   * the first has finished.
   */
  public synchronized Future<Void> close() {
    if (closing == null) {
      forgetJvmExitHook();
      closing = closeOnce();
    }
    return closing;
  }

  private void forgetJvmExitHook() {
    Thread hook = jvmExitHook;
    jvmExitHook = null;
    if (hook != null && hook != Thread.currentThread()) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException exiting) {
        // the JVM is exiting: the hook runs and waits for this close
      }
    }
  }

  private Future<Void> closeOnce() {
    List<TailHub> hubs;
    synchronized (hostHubs) {
      hubs = new ArrayList<>(hostHubs);
      hostHubs.clear();
    }
    List<String> reversed = new ArrayList<>(deploymentIds);
    Collections.reverse(reversed);
    deploymentIds.clear();
    List<HttpSecurity> guards;
    synchronized (hostSecurity) {
      guards = new ArrayList<>(hostSecurity);
      hostSecurity.clear();
    }
    Future<Void> chain = Future.join(hubs.stream().map(TailHub::stop).toList())
        .compose(ok -> Future.join(guards.stream().map(HttpSecurity::stop).toList())).mapEmpty();
    chain = chain.recover(failure -> Future.succeededFuture());
    for (String id : reversed) {
      chain = chain.compose(ok -> vertx.undeploy(id).recover(failure -> Future.succeededFuture()));
    }
    return chain.eventually(() -> {
      metrics.close(vertx);
      claim.release();
      DataDirLock lock = dataDirLock;
      dataDirLock = null;
      // last: the database is closed by now, so the next server to take the data dir finds it whole
      return lock == null ? Future.succeededFuture()
          : vertx.executeBlocking(() -> {
            lock.release();
            return null;
          }, false).recover(failure -> Future.succeededFuture());
    });
  }
}
