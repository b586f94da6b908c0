package dev.scriptd.auth;

import java.util.Locale;

/** What a token may do; each role includes the ones before it. */
public enum Role {
  VIEWER, OPERATOR, ADMIN;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean includes(Role required) {
    return compareTo(required) >= 0;
  }

  /** The role of a wire name, or null when it is not one. */
  public static Role fromWire(String text) {
    for (Role role : values()) {
      if (role.wire().equals(text)) {
        return role;
      }
    }
    return null;
  }
}
