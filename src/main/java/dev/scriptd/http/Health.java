package dev.scriptd.http;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.Namespace;
import dev.scriptd.config.ScriptdConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code GET /health}: {@code {"status":"UP|DOWN","checks":{"database","database_lock","writer_queue","disk"}}},
 * each check with its own {@code status} and, when DOWN, an {@code error} saying what failed; 200
 * when every check is UP, else 503. With {@code scripts.dir} set, {@code checks.scripts_dir} says
 * whether the folder was applied; it is DOWN (naming the file) while the folder cannot be applied,
 * but never makes the server DOWN. {@code checks.containment} says how runs' processes are
 * contained ({@code mode}: {@code cgroup} or {@code process_group}) and why; it is always UP.
 * {@code checks.cluster}: {@code {"enabled": false, "node_id"}} on a single node; clustered, this
 * node's id and the {@code members} it sees, DOWN when it is no longer a member.
 */
final class Health {
  private static final DeliveryOptions QUICK = new DeliveryOptions().setSendTimeout(5000);
  private static final String UP = "UP";
  private static final String DOWN = "DOWN";

  private final Vertx vertx;
  private final Namespace ns;
  private final Path dataDir;
  private final ScriptdConfig.Ops ops;

  Health(Vertx vertx, Namespace ns, ScriptdConfig config) {
    this.ns = ns;
    this.vertx = vertx;
    this.dataDir = config.storage().dataDir();
    this.ops = config.ops();
  }

  void handle(RoutingContext ctx) {
    Future<JsonObject> health = request(ns.of(Addresses.DB_HEALTH));
    Future<JsonObject> database = health
        .map(details -> new JsonObject().put("status", UP))
        .otherwise(Health::down);
    // another process holding the write lock: reads still work, every write waits and fails
    Future<JsonObject> lock = health
        .map(details -> details.getJsonObject("lock", new JsonObject().put("status", UP)))
        .otherwise(Health::down);
    Future<JsonObject> writer = request(ns.of(Addresses.DB_WRITER_STATS))
        .map(this::writerQueue)
        .otherwise(Health::down);
    Future<JsonObject> disk = vertx.executeBlocking(this::disk, false)
        .otherwise(Health::down);
    // only with scripts.dir set (else no consumer: no check)
    Future<JsonObject> scriptsDir = request(ns.of(Addresses.SCRIPTS_DIR_STATUS)).otherwise((JsonObject) null);
    // no consumer when this deployment runs no processes: no check
    Future<JsonObject> containment = request(ns.of(Addresses.RUNS_CONTAINMENT)).otherwise((JsonObject) null);
    // this node in the cluster (or a single node); no consumer when a host's router runs without it: no check
    Future<JsonObject> cluster = request(ns.of(Addresses.CLUSTER_STATUS)).otherwise((JsonObject) null);
    Future.all(List.of(database, lock, writer, disk, scriptsDir, containment, cluster)).onComplete(all -> {
      JsonObject checks = new JsonObject()
          .put("database", database.result())
          .put("database_lock", lock.result())
          .put("writer_queue", writer.result())
          .put("disk", disk.result());
      if (cluster.result() != null) {
        // a node that lost the cluster is DOWN: a load balancer should stop sending it requests
        checks.put("cluster", cluster.result());
      }
      boolean up = checks.stream().allMatch(e -> UP.equals(((JsonObject) e.getValue()).getString("status")));
      if (scriptsDir.result() != null) {
        // a bad definition file is the author's to fix: the server still serves, so it is not a 503
        checks.put("scripts_dir", scriptsDir.result());
      }
      if (containment.result() != null) {
        checks.put("containment", containment.result());
      }
      Json.send(ctx, up ? 200 : 503, new JsonObject().put("status", up ? UP : DOWN).put("checks", checks));
    });
  }

  private Future<JsonObject> request(String address) {
    return vertx.eventBus().<JsonObject>request(address, null, QUICK).map(Message::body);
  }

  private JsonObject writerQueue(JsonObject stats) {
    long pending = stats.getLong("pending_lines", 0L);
    String writeError = stats.getString("error");
    JsonObject check = new JsonObject()
        .put("status", pending <= ops.maxPendingLines() && writeError == null ? UP : DOWN)
        .put("pending_lines", pending)
        .put("max_pending_lines", ops.maxPendingLines())
        .put("last_flush_ms", stats.getLong("last_flush_ms"));
    if (writeError != null) {
      // the writer cannot write at all (a full disk): lines wait in memory
      check.put("error", writeError);
    } else if (pending > ops.maxPendingLines()) {
      check.put("error", pending + " log lines wait to be written (more than "
          + ops.maxPendingLines() + "): the database falls behind");
    }
    return check;
  }

  /** Blocking: free space of the file system holding the data dir. */
  private JsonObject disk() throws Exception {
    long free = Files.getFileStore(dataDir).getUsableSpace();
    JsonObject check = new JsonObject()
        .put("status", free >= ops.minFreeBytes() ? UP : DOWN)
        .put("path", dataDir.toAbsolutePath().toString())
        .put("free_bytes", free)
        .put("min_free_bytes", ops.minFreeBytes());
    if (free < ops.minFreeBytes()) {
      check.put("error", "only " + free + " bytes free under " + dataDir.toAbsolutePath()
          + " (health.min_free_bytes is " + ops.minFreeBytes() + ")");
    }
    return check;
  }

  private static JsonObject down(Throwable failure) {
    return new JsonObject().put("status", DOWN).put("error",
        failure.getMessage() == null ? failure.toString() : failure.getMessage());
  }
}
