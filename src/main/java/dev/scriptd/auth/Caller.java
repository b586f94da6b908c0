package dev.scriptd.auth;

import java.util.Objects;

/**
 * Who made a request or started a run: a token, a single sign-on user (oidc), nobody known
 * (anonymous), or scriptd itself (the scheduler, a chain). The audit log's actor and the name a run
 * records in {@code created_by}. {@code role} is null for callers that hold none (anonymous with auth
 * on, scheduler, chain); {@code id} and {@code name} may be null where nothing names them.
 */
public record Caller(String type, String id, String name, Role role) {
  public static final String TOKEN = "token";
  public static final String OIDC = "oidc";
  public static final String ANONYMOUS = "anonymous";
  public static final String SCHEDULER = "scheduler";
  public static final String CHAIN = "chain";

  public Caller {
    Objects.requireNonNull(type, "type");
    if (!type.equals(TOKEN) && !type.equals(OIDC) && !type.equals(ANONYMOUS) && !type.equals(SCHEDULER)
        && !type.equals(CHAIN)) {
      throw new IllegalArgumentException("unknown caller type " + type);
    }
    if ((type.equals(TOKEN) || type.equals(OIDC)) && (id == null || role == null)) {
      throw new IllegalArgumentException("a " + type + " caller has an id and a role");
    }
  }

  /** The holder of a valid API token: its id, name and role (never its secret or hash). */
  public static Caller of(ApiToken token) {
    return new Caller(TOKEN, token.id(), token.name(), token.role());
  }

  /** A single sign-on user: {@code subject} is the provider's stable id of the person. */
  public static Caller oidc(String subject, String name, Role role) {
    return new Caller(OIDC, subject, name, role);
  }

  /** Nobody known: a request without a valid credential. */
  public static Caller anonymous() {
    return new Caller(ANONYMOUS, null, null, null);
  }

  /** Everyone when auth is off: anonymous, but with every right. */
  public static Caller open() {
    return new Caller(ANONYMOUS, null, "anonymous", Role.ADMIN);
  }

  /** The cron scheduler; {@code scriptId} is the script whose schedule fired (may be null). */
  public static Caller scheduler(String scriptId) {
    return new Caller(SCHEDULER, scriptId, "scheduler", null);
  }

  /** A chain (on_success/on_failure): {@code runId} is the run whose end started the next one. */
  public static Caller chain(String runId) {
    return new Caller(CHAIN, runId, "chain", null);
  }

  /** True for a person or program that authenticated (token or oidc), not for scriptd itself or nobody. */
  public boolean authenticated() {
    return type.equals(TOKEN) || type.equals(OIDC);
  }

  /** True when this caller may do what needs {@code required}. */
  public boolean may(Role required) {
    return role != null && role.includes(required);
  }
}
