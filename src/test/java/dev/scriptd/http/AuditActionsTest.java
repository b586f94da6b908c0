package dev.scriptd.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("AuditActions: each request is named by what it did, in the contract's words")
class AuditActionsTest {
  private static void named(String action, String target, String method, String path) {
    assertEquals(new AuditActions.Named(action, target), AuditActions.of(method, path), method + " " + path);
  }

  @Test
  @DisplayName("runs are started, killed, restarted, pinned, unpinned, deleted and cleaned up")
  void runs() {
    named("run.start", null, "POST", "/api/runs");
    named("run.kill", "r1", "POST", "/api/runs/r1/kill");
    named("run.restart", "r1", "POST", "/api/runs/r1/restart");
    named("run.pin", "r1", "POST", "/api/runs/r1/pin");
    named("run.unpin", "r1", "DELETE", "/api/runs/r1/pin");
    named("run.delete", "r1", "DELETE", "/api/runs/r1");
    named("run.cleanup", null, "POST", "/api/runs/cleanup");
    named("run.start", "nightly", "POST", "/api/scripts/nightly/run");
    named("run.start", null, "POST", "/api/execute");
    named("run.start", null, "POST", "/api/execute-async");
  }

  @Test
  @DisplayName("scripts are created, updated, deleted, applied, killed and restarted; tokens created and revoked")
  void scriptsAndTokens() {
    named("script.create", null, "POST", "/api/scripts");
    named("script.update", "s1", "PUT", "/api/scripts/s1");
    named("script.update", "s1", "PATCH", "/api/scripts/s1");
    named("script.delete", "s1", "DELETE", "/api/scripts/s1");
    named("script.apply", null, "POST", "/api/scripts/apply");
    named("script.kill", "s1", "POST", "/api/scripts/s1/kill");
    named("script.restart", "s1", "POST", "/api/scripts/s1/restart");
    named("token.create", null, "POST", "/api/tokens");
    named("token.revoke", "t1", "DELETE", "/api/tokens/t1");
    named("admin.backup", null, "POST", "/api/admin/backup");
  }

  @Test
  @DisplayName("login, logout, the login link, endpoint calls and refused reads")
  void sessionsHooksAndReads() {
    named("login", null, "POST", "/api/login");
    named("logout", null, "POST", "/api/logout");
    named("login", "/", "GET", "/");
    named("hook.call", "/hooks/deploy/now", "POST", "/hooks/deploy/now");
    named("hook.call", "/hooks/status", "GET", "/hooks/status");
    named("access", "/api/tokens", "GET", "/api/tokens");
    named("access", "/metrics", "GET", "/metrics");
  }

  @Test
  @DisplayName("changes are POST, PUT, PATCH and DELETE under /api/ and every endpoint call; reads and the UI are not")
  void changes() {
    assertTrue(AuditTrail.changes(HttpMethod.POST, "/api/runs"));
    assertTrue(AuditTrail.changes(HttpMethod.DELETE, "/api/tokens/x"));
    assertTrue(AuditTrail.changes(HttpMethod.GET, "/hooks/status"));
    assertFalse(AuditTrail.changes(HttpMethod.GET, "/api/runs"));
    assertFalse(AuditTrail.changes(HttpMethod.OPTIONS, "/api/runs"));
    assertFalse(AuditTrail.changes(HttpMethod.POST, "/index.html"));
  }
}
