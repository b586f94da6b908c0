package dev.scriptd.http;

import dev.scriptd.auth.Role;
import dev.scriptd.config.SecurityConfig;
import io.vertx.core.http.HttpMethod;

/**
 * The one table of who may do what. Under {@code /api/}: tokens, the audit log, {@code /api/admin/*} (backup) and
 * {@code POST /api/runs/cleanup} need admin; pinning and unpinning a run ({@code POST} and {@code
 * DELETE /api/runs/{id}/pin}) need operator; otherwise reads (GET, HEAD, OPTIONS) need viewer, DELETE admin and
 * every other method (POST, PUT, PATCH) operator. Login and logout are open, and so is reading the
 * API's description ({@code /api/openapi.json}, {@code /api/docs}): it holds no data. Outside {@code /api/}:
 * {@code /health} and {@code /metrics} are open unless configured, {@code /hooks/*} decide per
 * endpoint ({@link TokenCheck}), and the UI's static files are open (the UI logs in through the API).
 */
public final class AccessRules {
  private final SecurityConfig.Auth auth;

  public AccessRules(SecurityConfig.Auth auth) {
    this.auth = auth;
  }

  /** The role a request needs, or null when it needs no token. {@code path} must be normalized. */
  public Role required(HttpMethod method, String path) {
    if (!auth.enabled()) {
      return null;
    }
    if (path.equals("/health") || path.startsWith("/health/")) {
      return auth.protectHealth() ? Role.VIEWER : null;
    }
    if (path.equals("/metrics") || path.startsWith("/metrics/")) {
      return auth.protectMetrics() ? Role.VIEWER : null;
    }
    if (!path.equals("/api") && !path.startsWith("/api/")) {
      return null;
    }
    if (path.equals("/api/login") || path.equals("/api/logout")) {
      return null;
    }
    if (isRead(method) && isApiDescription(path)) {
      return null;
    }
    if (path.equals("/api/tokens") || path.startsWith("/api/tokens/")
        || path.equals("/api/audit") || path.startsWith("/api/audit/")
        || path.equals("/api/admin") || path.startsWith("/api/admin/")) {
      return Role.ADMIN;
    }
    if (path.equals("/api/runs/cleanup") && !isRead(method)) {
      return Role.ADMIN;
    }
    if (!isRead(method) && isRunPin(path)) {
      return Role.OPERATOR; // unpinning only gives the run back to cleanup; it deletes nothing
    }
    if (isRead(method)) {
      return Role.VIEWER;
    }
    return method == HttpMethod.DELETE ? Role.ADMIN : Role.OPERATOR;
  }

  private static boolean isRunPin(String path) {
    if (!path.startsWith("/api/runs/") || !path.endsWith("/pin")) {
      return false;
    }
    String id = path.substring("/api/runs/".length(), path.length() - "/pin".length());
    return !id.isEmpty() && id.indexOf('/') < 0;
  }

  private static boolean isApiDescription(String path) {
    return path.equals("/api/openapi.json") || path.equals("/api/docs") || path.startsWith("/api/docs/");
  }

  private static boolean isRead(HttpMethod method) {
    return method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS;
  }
}
