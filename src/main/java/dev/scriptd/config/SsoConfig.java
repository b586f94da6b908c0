package dev.scriptd.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Single sign-on: {@code auth.oidc} (null or absent: off), {@code auth.session_ttl} (how long a
 * signed-in browser stays signed in) and {@code http.trust_proxy} (whether {@code X-Forwarded-Proto}
 * says the request came over HTTPS, for the session cookie's Secure flag).
 */
public record SsoConfig(Oidc oidc, long sessionTtlMs, boolean trustProxy) {
  public static final long DEFAULT_SESSION_TTL_MS = 8 * 3_600_000L;
  public static final List<String> DEFAULT_SCOPES = List.of("openid", "profile", "email");

  /**
   * One OpenID provider and its client. {@code roles}: role name (admin, operator, viewer) -> the
   * values of {@code roleClaim} that give it.
   */
  public record Oidc(String issuer, String clientId, String clientSecret, List<String> scopes, String roleClaim,
      Map<String, List<String>> roles) {
    public Oidc {
      scopes = List.copyOf(scopes);
      roles = Map.copyOf(roles);
    }

    /** No secret in a log line or an error. */
    @Override
    public String toString() {
      return "Oidc[issuer=" + issuer + ", clientId=" + clientId + ", scopes=" + scopes + ", roleClaim=" + roleClaim
          + ", roles=" + roles + "]";
    }
  }

  public boolean enabled() {
    return oidc != null;
  }

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h|d)?");
  private static final Pattern SCOPE = Pattern.compile("[\\x21\\x23-\\x5b\\x5d-\\x7e]{1,128}");
  private static final Pattern CLAIM_NAME = Pattern.compile("[A-Za-z0-9_:./-]{1,128}");
  private static final List<String> ROLE_NAMES = List.of("admin", "operator", "viewer");

  public static SsoConfig fromJson(JsonObject json) {
    Settings root = new Settings(json, "");
    Settings auth = root.section("auth");
    long ttl = duration(json.getJsonObject("auth") == null ? null
        : json.getJsonObject("auth").getValue("session_ttl"));
    boolean trustProxy = root.section("http").bool("trust_proxy", false);
    Oidc oidc = oidc(auth.section("oidc"), json.getJsonObject("auth") == null ? null
        : json.getJsonObject("auth").getValue("oidc"));
    return new SsoConfig(oidc, ttl, trustProxy);
  }

  /**
   * {@code auth.session_ttl}: milliseconds as a number, or a text such as {@code "8h"}, {@code "30m"},
   * {@code "1d"}, {@code "90s"}, {@code "500ms"} (no unit: milliseconds). One minute to 90 days.
   */
  static long duration(Object value) {
    if (value == null) {
      return DEFAULT_SESSION_TTL_MS;
    }
    long ms;
    if (value instanceof Number number) {
      ms = number.longValue();
    } else if (value instanceof String text) {
      Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
      if (!m.matches()) {
        throw new ConfigException("auth.session_ttl must be milliseconds or a duration such as \"8h\", \"30m\","
            + " \"1d\", got '" + text + "'");
      }
      long amount = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "ms" : m.group(2);
      ms = switch (unit) {
        case "s" -> amount * 1000L;
        case "m" -> amount * 60_000L;
        case "h" -> amount * 3_600_000L;
        case "d" -> amount * 86_400_000L;
        default -> amount;
      };
    } else {
      throw new ConfigException("auth.session_ttl must be milliseconds or a duration such as \"8h\"");
    }
    if (ms < 60_000L || ms > 90L * 86_400_000L) {
      throw new ConfigException("auth.session_ttl must be between 1 minute and 90 days, got " + value);
    }
    return ms;
  }

  private static Oidc oidc(Settings section, Object raw) {
    if (raw == null) {
      return null;
    }
    String issuer = section.string("issuer", null);
    String clientId = section.string("client_id", null);
    String clientSecret = section.string("client_secret", null);
    if (issuer == null || clientId == null || clientSecret == null) {
      throw new ConfigException("auth.oidc needs issuer, client_id and client_secret (or set auth.oidc to null to turn"
          + " single sign-on off)");
    }
    checkIssuer(issuer);
    List<String> scopes = section.strings("scopes", DEFAULT_SCOPES, SCOPE, "an OAuth scope (no spaces or quotes)");
    if (!scopes.contains("openid")) {
      throw new ConfigException("auth.oidc.scopes must contain \"openid\" (it asks for an ID token)");
    }
    String roleClaim = section.string("role_claim", "groups");
    if (!CLAIM_NAME.matcher(roleClaim).matches()) {
      throw new ConfigException("auth.oidc.role_claim must be a claim name (letters, digits, _ : . / -), got '"
          + roleClaim + "'");
    }
    Map<String, List<String>> roles = new LinkedHashMap<>();
    Object rolesRaw = ((JsonObject) raw).getValue("roles");
    if (rolesRaw != null && !(rolesRaw instanceof JsonObject)) {
      throw new ConfigException("auth.oidc.roles must be an object: {\"admin\": [...], \"operator\": [...],"
          + " \"viewer\": [...]}");
    }
    JsonObject rolesJson = rolesRaw == null ? new JsonObject() : (JsonObject) rolesRaw;
    for (String name : rolesJson.fieldNames()) {
      if (!ROLE_NAMES.contains(name)) {
        throw new ConfigException("auth.oidc.roles has '" + name + "'; the roles are admin, operator and viewer");
      }
      if (!(rolesJson.getValue(name) instanceof JsonArray values)) {
        throw new ConfigException("auth.oidc.roles." + name + " must be a list of claim values");
      }
      List<String> list = new ArrayList<>();
      for (Object value : values) {
        if (!(value instanceof String text) || text.isEmpty() || text.length() > 256) {
          throw new ConfigException("auth.oidc.roles." + name + " entries must be strings of 1..256 characters");
        }
        list.add(text);
      }
      roles.put(name, List.copyOf(list));
    }
    if (roles.values().stream().allMatch(List::isEmpty)) {
      throw new ConfigException("auth.oidc.roles maps no claim value to a role, so nobody could sign in; e.g."
          + " {\"admin\": [\"scriptd-admins\"], \"viewer\": [\"staff\"]}");
    }
    return new Oidc(issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer, clientId,
        clientSecret, scopes, roleClaim, roles);
  }

  private static void checkIssuer(String issuer) {
    try {
      URI uri = new URI(issuer);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("https") || scheme.equals("http")) && uri.getHost() != null && uri.getRawQuery() == null
          && uri.getRawFragment() == null) {
        return;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    throw new ConfigException("auth.oidc.issuer must be the provider's issuer URL (https://...), got '" + issuer + "'");
  }
}
