package dev.scriptd;

import dev.scriptd.auth.AdminToken;
import dev.scriptd.auth.ApiToken;
import dev.scriptd.auth.TokenList;
import dev.scriptd.auth.TokenRecords;
import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.Codecs;
import dev.scriptd.bus.Namespace;
import dev.scriptd.bus.InstanceLifecycle;
import dev.scriptd.cluster.ClusterVerticle;
import dev.scriptd.config.ClusterConfig;
import dev.scriptd.config.ConfigException;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.config.SecurityConfig;
import dev.scriptd.config.SsoConfig;
import dev.scriptd.config.TrafficConfig;
import dev.scriptd.http.HttpVerticle;
import dev.scriptd.http.ScriptDefinitions;
import dev.scriptd.js.JsVerticle;
import dev.scriptd.metrics.ScriptdMetrics;
import dev.scriptd.notify.NotifierVerticle;
import dev.scriptd.persistence.PersistenceVerticle;
import dev.scriptd.persistence.RunView;
import dev.scriptd.process.RunsVerticle;
import dev.scriptd.schedule.SchedulerVerticle;
import dev.scriptd.scripts.ScriptsDirVerticle;
import dev.scriptd.scripts.ScriptsVerticle;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Deploys scriptd's verticles into a Vertx, in dependency order: persistence, then the
 * run owner (RunsVerticle), then this node's cluster view (ClusterVerticle: a single node, or a
 * member of the cluster of a clustered Vertx), then scripts, then the notifier, then JavaScript ({@code js.enabled}), then the scheduler
 * ({@code scheduler.enabled}), then the scripts.dir folder ({@code scripts.dir}), then HTTP
 * ({@code http.enabled}); before them all it locks the data dir (a second scriptd on the same data
 * dir, in this process or another, is refused). All of one deployment's event-bus
 * addresses live in its {@code bus_namespace}; a second deployment in the same Vertx with the same
 * namespace is refused. The returned handle
 * undeploys them in reverse order, so running processes are killed while the database can still
 * record it, and the last batch of lines is written.
 */
public final class Scriptd {
  private Scriptd() {
  }

  /**
   * Deploys with scriptd's meters on the Vertx's Micrometer registry when it has one (else on a
   * Prometheus registry of this instance's own; {@code /metrics} serves whichever it is).
   */
  public static Future<ScriptdHandle> deploy(Vertx vertx, JsonObject config) {
    return deploy(vertx, config, null);
  }

  /** Deploys with scriptd's meters on {@code registry} (null: as {@link #deploy(Vertx, JsonObject)}). */
  public static Future<ScriptdHandle> deploy(Vertx vertx, JsonObject config, MeterRegistry registry) {
    ProcessShutdown.disableNuProcessHook();
    ScriptdConfig parsed;
    SecurityConfig security;
    TrafficConfig traffic;
    boolean scheduler;
    boolean js;
    boolean scriptsDir;
    Namespace ns;
    try {
      parsed = ScriptdConfig.fromJson(config);
      security = SecurityConfig.fromJson(config);
      traffic = TrafficConfig.fromJson(config);
      SsoConfig.fromJson(config); // checked here so a wrong auth.oidc stops the start with its message
      scheduler = ScriptdConfig.scheduler(config).enabled();
      js = ScriptdConfig.jsEnabled(config);
      scriptsDir = ScriptdConfig.scriptsDir(config).dir() != null;
      ns = Namespace.from(config);
      if (ClusterConfig.fromJson(config).enabled() && !vertx.isClustered()) {
        throw new ConfigException("cluster.enabled needs a clustered Vertx: the standalone server builds one;"
            + " a host passes its own (Vertx.builder().withClusterManager(...).buildClustered(), see the"
            + " embedding guide)");
      }
    } catch (RuntimeException invalid) {
      return Future.failedFuture(invalid);
    }
    NamespaceClaim claim = NamespaceClaim.take(vertx, ns, parsed.storage().dataDir());
    if (claim == null) {
      return Future.failedFuture(new ConfigException("bus_namespace '" + ns + "' is already used by another"
          + " scriptd instance in this Vertx (data dir " + NamespaceClaim.holder(vertx, ns) + "); give each"
          + " instance its own bus_namespace, e.g. " + ns + ".tenant2"));
    }
    Codecs.register(vertx.eventBus());
    Codecs.registerLocal(vertx.eventBus(), TokenRecords.ALL);
    // clustered, the run owner records this node's id on its runs, so that when this node dies
    // another can find them and mark them lost, and the meters carry it; a single node records none
    String nodeId = ClusterConfig.fromJson(config).enabled()
        ? ((VertxInternal) vertx).clusterManager().getNodeId() : null;
    ScriptdMetrics metrics = ScriptdMetrics.create(vertx, registry, nodeId);
    JsonObject shared = metrics.configFor(config);
    List<String> deployed = new ArrayList<>();
    ScriptDefinitions scripts = new ScriptDefinitionRules(parsed.runs().defaultTimeoutSeconds(),
        security.limits().perRun());
    DeploymentOptions single = new DeploymentOptions().setConfig(shared.copy());
    String[] adminLink = new String[1];
    AdminToken.Store tokens = tokenStore(vertx, ns);
    // storage stops after the run owner however the verticles are undeployed (a host's
    // vertx.close() undeploys the children of its verticle all at once)
    InstanceLifecycle lifecycle = new InstanceLifecycle();
    Instant startedAt = Instant.now();
    // one run view: persistence keeps it current, every HTTP instance (and a host's router) reads it;
    // clustered it holds nothing, as other nodes change the shared database behind it
    RunView runs = new RunView(parsed.storage().viewRuns(), nodeId != null);
    ScriptdHandle handle = new ScriptdHandle(vertx, deployed, parsed, ns, claim, metrics, security, scripts,
        traffic, runs, tokens, lifecycle, nodeId);
    // the data dir is this instance's alone before the database opens and recovery marks runs lost
    Future<Void> chain = vertx.executeBlocking(() -> DataDirLock.take(parsed.storage().dataDir()), false)
        .compose(lock -> {
          handle.dataDirLock(lock);
          return deploy(vertx, deployed, () -> new PersistenceVerticle(runs, lifecycle, nodeId), single);
        })
        .compose(ok -> AdminToken.ensure(vertx, tokens, parsed, security))
        .compose(link -> {
          adminLink[0] = link;
          return deploy(vertx, deployed, () -> new RunsVerticle(lifecycle, nodeId, members(vertx, nodeId)), single);
        })
        // the run owner counts this node's running runs in the metrics; the cluster view reads them there
        .compose(ok -> deploy(vertx, deployed, () -> new ClusterVerticle(metrics::runningRuns, startedAt), single))
        .compose(ok -> deploy(vertx, deployed, ScriptsVerticle::new, single))
        .compose(ok -> deploy(vertx, deployed, NotifierVerticle::new, single));
    if (js) {
      chain = chain.compose(ok -> deploy(vertx, deployed, JsVerticle::new, single));
    }
    if (scheduler) {
      chain = chain.compose(ok -> deploy(vertx, deployed, SchedulerVerticle::new, single));
    }
    if (scriptsDir) {
      // after the scheduler and JS, which follow the SCRIPTS_CHANGED of its first apply
      chain = chain.compose(ok -> deploy(vertx, deployed, ScriptsDirVerticle::new, single));
    }
    if (parsed.http().enabled()) {
      DeploymentOptions http = new DeploymentOptions().setConfig(shared.copy())
          .setInstances(parsed.http().instances());
      chain = chain.compose(ok -> deploy(vertx, deployed, () -> new HttpVerticle(scripts, runs, nodeId), http));
    }
    return chain
        .map(ok -> {
          handle.adminLink(adminLink[0]);
          handle.stopOnJvmExit();
          lifecycle.deployed();
          return handle;
        })
        .recover(failure -> handle.close().transform(closed -> Future.failedFuture(failure)));
  }

  /** The admin token check's view of the token store: requests to the persistence verticle. */
  /** The token store over the bus, for auth (which does not use the bus itself). */
  /**
   * The ids of the cluster's members now, oldest first, for the run owner: its recovery at start
   * leaves live members' runs alone, it places new runs among them and the oldest coordinates
   * scripts' concurrency; on a single node there are none.
   */
  private static Supplier<List<String>> members(Vertx vertx, String nodeId) {
    if (nodeId == null) {
      return List::of;
    }
    return () -> ((VertxInternal) vertx).clusterManager().getNodes();
  }

  static AdminToken.Store tokenStore(Vertx vertx, Namespace ns) {
    return new AdminToken.Store() {
      @Override
      public Future<TokenList> list() {
        return vertx.eventBus().<TokenList>request(ns.of(Addresses.DB_LIST_TOKENS), null).map(Message::body);
      }

      @Override
      public Future<?> save(ApiToken token) {
        return vertx.eventBus().request(ns.of(Addresses.DB_SAVE_TOKEN), token);
      }

      @Override
      public Future<TokenList> replaceAdmins(ApiToken admin) {
        return vertx.eventBus().<TokenList>request(ns.of(Addresses.DB_REPLACE_ADMIN_TOKENS), admin).map(Message::body)
            .onSuccess(revoked -> revoked.items().forEach(token ->
                vertx.eventBus().publish(ns.of(Addresses.TOKENS_REVOKED), token.hash())));
      }
    };
  }

  private static Future<Void> deploy(Vertx vertx, List<String> deployed,
      Supplier<? extends io.vertx.core.Deployable> verticle, DeploymentOptions options) {
    return vertx.deployVerticle(verticle, options).map(id -> {
      deployed.add(id);
      return null;
    });
  }
}
