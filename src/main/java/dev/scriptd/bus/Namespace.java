package dev.scriptd.bus;

import dev.scriptd.config.ScriptdConfig;
import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;

/**
 * The event-bus namespace of one scriptd deployment (config key {@code bus_namespace}). Every
 * address scriptd uses is one of the default names of {@link Addresses} mapped through it: with
 * namespace {@code scriptd.tenant2}, {@code scriptd.runs.cmd.start} becomes
 * {@code scriptd.tenant2.runs.cmd.start}. The default namespace {@code scriptd} maps every address to
 * itself. Two instances in one Vertx need different namespaces, or they would share consumers.
 * Immutable.
 */
public final class Namespace {
  /** The default namespace: addresses are exactly the {@link Addresses} constants. */
  public static final String DEFAULT = "scriptd";
  /** What {@code bus_namespace} accepts. */
  public static final Pattern VALID = Pattern.compile("scriptd(\\.[a-z0-9-]+)*");
  private static final String ROOT = DEFAULT + ".";

  private final String name;
  private final String prefix;

  private Namespace(String name) {
    if (!VALID.matcher(name).matches()) {
      throw new IllegalArgumentException("bus namespace must match " + VALID.pattern() + ", got '" + name + "'");
    }
    this.name = name;
    this.prefix = name + ".";
  }

  /** The namespace called {@code name} ({@code scriptd} or {@code scriptd.<part>[.<part>...]}). */
  public static Namespace named(String name) {
    return new Namespace(name);
  }

  /** The default namespace {@code scriptd}. */
  public static Namespace defaultNamespace() {
    return new Namespace(DEFAULT);
  }

  /** The namespace a verticle's config names ({@code bus_namespace}, validated). */
  public static Namespace from(JsonObject config) {
    return new Namespace(ScriptdConfig.busNamespace(config));
  }

  public String name() {
    return name;
  }

  public boolean isDefault() {
    return DEFAULT.equals(name);
  }

  /**
   * This deployment's address for one of the default names of {@link Addresses} (anything starting
   * with {@code scriptd.}).
   */
  public String of(String defaultAddress) {
    if (!defaultAddress.startsWith(ROOT)) {
      throw new IllegalArgumentException("not a scriptd address: " + defaultAddress);
    }
    return isDefault() ? defaultAddress : prefix + defaultAddress.substring(ROOT.length());
  }

  /** The per-run log stream of {@code runId} in this namespace. */
  public String runLog(String runId) {
    return of(Addresses.RUNS_LOG_PREFIX) + runId;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Namespace namespace && namespace.name.equals(name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  @Override
  public String toString() {
    return name;
  }
}
