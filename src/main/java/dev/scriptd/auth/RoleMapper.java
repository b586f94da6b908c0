package dev.scriptd.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a signed-in user's claims into a role: the values of one claim ({@code role_claim}: a
 * string, a list of strings, or a path such as {@code realm_access.roles} into nested objects)
 * against the configured values of each role. The highest matching role wins; none matching gives
 * null (the user may not sign in).
 */
public final class RoleMapper {
  private final String claim;
  private final Map<Role, List<String>> values;

  /** {@code roles}: role wire name (admin, operator, viewer) -> claim values that give it. */
  public RoleMapper(String claim, Map<String, List<String>> roles) {
    this.claim = claim;
    this.values = new EnumMap<>(Role.class);
    roles.forEach((name, list) -> {
      Role role = Role.fromWire(name);
      if (role == null) {
        throw new IllegalArgumentException("not a role: " + name);
      }
      values.put(role, List.copyOf(list));
    });
  }

  /** The highest role the claims give, or null. */
  public Role map(JsonObject claims) {
    List<String> held = claimValues(claims);
    Role best = null;
    for (Map.Entry<Role, List<String>> entry : values.entrySet()) {
      if (held.stream().anyMatch(entry.getValue()::contains) && (best == null || entry.getKey().includes(best))) {
        best = entry.getKey();
      }
    }
    return best;
  }

  /** Whether the claims hold the role claim at all (with whatever values). */
  public boolean hasClaim(JsonObject claims) {
    return claimValue(claims) != null;
  }

  private Object claimValue(JsonObject claims) {
    if (claims == null) {
      return null;
    }
    Object value = claims.getValue(claim);
    if (value == null && claim.indexOf('.') > 0) {
      Object node = claims;
      for (String part : claim.split("\\.")) {
        node = node instanceof JsonObject object ? object.getValue(part) : null;
      }
      value = node;
    }
    return value;
  }

  /**
   * The claim's values as strings. A claim named exactly (namespaced claims may hold dots, e.g.
   * {@code https://example.com/roles}) is taken before a dotted path into nested objects.
   */
  List<String> claimValues(JsonObject claims) {
    Object value = claimValue(claims);
    List<String> result = new ArrayList<>();
    if (value instanceof String text) {
      result.add(text);
    } else if (value instanceof JsonArray array) {
      for (Object item : array) {
        if (item instanceof String text) {
          result.add(text);
        }
      }
    }
    return result;
  }
}
