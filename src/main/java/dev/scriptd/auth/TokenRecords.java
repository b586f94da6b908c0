package dev.scriptd.auth;

import java.util.List;

/**
 * The auth records that travel on the event bus. {@code auth} does not import {@code bus}; whoever
 * knows both (the composition root, the token store) registers a local codec for each.
 */
public final class TokenRecords {
  /** Every auth record sent or replied on the bus. */
  public static final List<Class<?>> ALL = List.of(ApiToken.class, TokenList.class, TokenUse.class,
      SsoSession.class);

  private TokenRecords() {
  }
}
