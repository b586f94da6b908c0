package dev.scriptd;

import dev.scriptd.bus.Namespace;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import java.nio.file.Path;
import java.util.UUID;

/**
 * One deployment's hold on its bus namespace within a Vertx: a local-map entry taken atomically
 * before any verticle registers a consumer, so a second instance with the same namespace is refused
 * instead of silently sharing the first one's consumers. Released when the handle closes.
 */
final class NamespaceClaim {
  private static final String MAP = "scriptd.bus-namespaces";

  private final Vertx vertx;
  private final Namespace ns;
  private final String value;

  private NamespaceClaim(Vertx vertx, Namespace ns, String value) {
    this.vertx = vertx;
    this.ns = ns;
    this.value = value;
  }

  /** The claim, or null when another deployment in this Vertx holds {@code ns}. */
  static NamespaceClaim take(Vertx vertx, Namespace ns, Path dataDir) {
    String value = dataDir.toAbsolutePath().normalize() + "#" + UUID.randomUUID();
    String held = map(vertx).putIfAbsent(ns.name(), value);
    return held == null ? new NamespaceClaim(vertx, ns, value) : null;
  }

  /** The data dir of the deployment holding {@code ns} ("unknown" when none does any more). */
  static String holder(Vertx vertx, Namespace ns) {
    String held = map(vertx).get(ns.name());
    return held == null ? "unknown" : held.substring(0, held.lastIndexOf('#'));
  }

  /** Frees the namespace (only if this claim still holds it). */
  void release() {
    map(vertx).removeIfPresent(ns.name(), value);
  }

  private static LocalMap<String, String> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP);
  }
}
