package dev.scriptd.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Several nodes ({@code cluster} section): {@code enabled} makes the standalone server join a
 * Vert.x cluster through Hazelcast; {@code name} keeps clusters on one network apart;
 * {@code members} are the {@code host:port} of the nodes to join by TCP (this node's own may be
 * among them); {@code port} is this node's Hazelcast port; {@code busPort} the port of its clustered
 * event bus (0: any free one); {@code publicHost} is the host the other
 * nodes reach this one at (null: the address Hazelcast picks); {@code failureTimeoutMs} is how long
 * a silent node stays a member. A cluster needs the shared {@code database.url}.
 */
public record ClusterConfig(boolean enabled, String name, List<Member> members, int port,
    int busPort, String publicHost, long failureTimeoutMs) {

  /** One {@code host:port} of {@code cluster.members}. */
  public record Member(String host, int port) {
    @Override
    public String toString() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  public ClusterConfig {
    members = List.copyOf(members);
  }

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  /** A DNS name or IPv4 address; an IPv6 address goes in brackets. */
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  public static ClusterConfig fromJson(JsonObject json) {
    Settings root = new Settings(json, "");
    Settings cluster = root.section("cluster");
    boolean enabled = cluster.bool("enabled", false);
    String name = cluster.string("name", "scriptd");
    if (!NAME.matcher(name).matches()) {
      throw new ConfigException("cluster.name must be 1..64 characters of A-Z, a-z, 0-9, '.', '_' and '-', got '"
          + name + "'");
    }
    List<Member> members = members(json == null ? null : json.getValue("cluster"));
    int port = cluster.intValue("port", 5701, 1, 65535);
    int busPort = cluster.intValue("bus_port", 0, 0, 65535);
    String publicHost = cluster.string("public_host", null);
    if (publicHost != null && !isHost(publicHost)) {
      throw new ConfigException("cluster.public_host must be a host name or IP address without a port (the other"
          + " nodes reach this one at it and cluster.port), got '" + publicHost + "'");
    }
    long failureTimeoutMs = cluster.longValue("failure_timeout_ms", 5000, 1000, 600_000);
    ClusterConfig config = new ClusterConfig(enabled, name, members, port, busPort, publicHost,
        failureTimeoutMs);
    if (enabled) {
      config.checkStartable(json);
    }
    return config;
  }

  /** The refusals of an enabled cluster: what a cluster needs. */
  private void checkStartable(JsonObject json) {
    if (members.isEmpty()) {
      throw new ConfigException("cluster.members must list at least one host:port when cluster.enabled is true"
          + " (the nodes to join; this node's own may be among them)");
    }
    Object database = json.getValue("database");
    Object url = database instanceof JsonObject section ? section.getValue("url") : null;
    if (!(url instanceof String text) || text.isBlank()) {
      throw new ConfigException("cluster.enabled needs database.url (--database-url): the nodes of a cluster share"
          + " one PostgreSQL database");
    }
  }

  /** {@code cluster.members}: a JSON array of "host:port", or one string of them separated by commas (a flag). */
  private static List<Member> members(Object section) {
    Object value = section instanceof JsonObject json ? json.getValue("members") : null;
    List<Object> items = new ArrayList<>();
    if (value instanceof JsonArray array) {
      array.forEach(items::add);
    } else if (value instanceof String text) {
      for (String part : text.split(",")) {
        if (!part.isBlank()) {
          items.add(part.trim());
        }
      }
    } else if (value != null) {
      throw new ConfigException("cluster.members must be a JSON array of \"host:port\" strings");
    }
    List<Member> members = new ArrayList<>();
    for (Object item : items) {
      members.add(member(item));
    }
    return members;
  }

  private static Member member(Object item) {
    String what = "cluster.members entries must each be \"host:port\" (e.g. \"10.0.0.5:5701\", \"[fd00::5]:5701\")"
        + " with a port of 1..65535, got '" + item + "'";
    if (!(item instanceof String text)) {
      throw new ConfigException(what);
    }
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      throw new ConfigException(what);
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
      if (!IPV6.matcher(host).matches()) {
        throw new ConfigException(what);
      }
    } else if (!HOST.matcher(host).matches()) {
      throw new ConfigException(what);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new ConfigException(what);
    }
    if (port < 1 || port > 65535) {
      throw new ConfigException(what);
    }
    return new Member(host, port);
  }

  private static boolean isHost(String text) {
    // an IPv6 address has at least two colons; one colon is a host with a port
    return HOST.matcher(text).matches() || text.indexOf(':') != text.lastIndexOf(':') && IPV6.matcher(text).matches();
  }
}
