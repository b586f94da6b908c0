package dev.scriptd.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code database.url}: a PostgreSQL URL, {@code postgresql://user:password@host:5432/database}
 * ({@code postgres://} too). The password is a secret: {@link #toString()} and {@link #redacted()}
 * leave it out, and so does every error about the URL.
 */
public record DatabaseUrl(String host, int port, String database, String user, String password,
    Map<String, String> params) {
  /** The query parameters understood; anything else is refused, so a typo is not silently ignored. */
  static final Set<String> PARAMS = Set.of("sslmode");
  private static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca",
      "verify-full");

  public DatabaseUrl {
    params = Map.copyOf(params);
  }

  /** Null for null or blank (SQLite in the data dir); a {@link ConfigException} naming the key when malformed. */
  public static DatabaseUrl parse(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String trimmed = text.trim();
    URI uri;
    try {
      uri = new URI(trimmed);
    } catch (URISyntaxException e) {
      throw invalid("it is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("postgresql") && !scheme.equals("postgres")) {
      throw invalid("the scheme must be postgresql:// or postgres://");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw invalid("it names no host");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String database = decode(path.startsWith("/") ? path.substring(1) : path);
    if (database.isEmpty() || database.contains("/")) {
      throw invalid("it must name one database after the host (…/scriptd)");
    }
    String user = null;
    String password = null;
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
      password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
    }
    if (user == null || user.isEmpty()) {
      throw invalid("it names no user (postgresql://user:password@host/database)");
    }
    Map<String, String> params = new LinkedHashMap<>();
    if (uri.getRawQuery() != null && !uri.getRawQuery().isEmpty()) {
      for (String pair : uri.getRawQuery().split("&")) {
        int eq = pair.indexOf('=');
        String key = decode(eq < 0 ? pair : pair.substring(0, eq));
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        if (!PARAMS.contains(key)) {
          throw invalid("the parameter '" + key + "' is not supported (known: " + PARAMS + ")");
        }
        if (key.equals("sslmode") && !SSL_MODES.contains(value)) {
          throw invalid("sslmode must be one of " + SSL_MODES);
        }
        params.put(key, value);
      }
    }
    int port = uri.getPort() == -1 ? 5432 : uri.getPort();
    return new DatabaseUrl(uri.getHost(), port, database, user, password, params);
  }

  /** The URL without the password: what logs, errors and /health may show. */
  public String redacted() {
    return "postgresql://" + user + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/"
        + database;
  }

  @Override
  public String toString() {
    return redacted();
  }

  private static String decode(String raw) {
    try {
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw invalid("it holds a malformed %-escape");
    }
  }

  /** The message never repeats the URL: it may hold the password. */
  private static ConfigException invalid(String why) {
    return new ConfigException("database.url (--database-url, SCRIPTD_DATABASE_URL) is not a valid PostgreSQL URL: "
        + why + "; expected postgresql://user:password@host:5432/database");
  }
}
