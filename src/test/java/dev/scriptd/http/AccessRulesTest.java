package dev.scriptd.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.scriptd.auth.Role;
import dev.scriptd.config.SecurityConfig;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("AccessRules: the role each method and path needs")
class AccessRulesTest {
  private final AccessRules rules = new AccessRules(new SecurityConfig.Auth(true, false, false, null));

  @Test
  @DisplayName("the audit log and its check are admin only, reads included")
  void auditIsAdminOnly() {
    assertEquals(Role.ADMIN, rules.required(HttpMethod.GET, "/api/audit"));
    assertEquals(Role.ADMIN, rules.required(HttpMethod.GET, "/api/audit/verify"));
    assertEquals(Role.ADMIN, rules.required(HttpMethod.HEAD, "/api/audit"));
    assertEquals(Role.VIEWER, rules.required(HttpMethod.GET, "/api/auditx"));
  }

  @Test
  @DisplayName("the API's description (the OpenAPI document and Swagger UI) is open to read, like /health")
  void theApiDescriptionIsOpen() {
    assertNull(rules.required(HttpMethod.GET, "/api/openapi.json"));
    assertNull(rules.required(HttpMethod.HEAD, "/api/openapi.json"));
    assertNull(rules.required(HttpMethod.GET, "/api/docs"));
    assertNull(rules.required(HttpMethod.GET, "/api/docs/init.js"));
    assertNull(rules.required(HttpMethod.GET, "/health"));
  }

  @Test
  @DisplayName("only reading it is open: other methods there, and paths that merely start alike, keep their roles")
  void onlyReadingTheDescriptionIsOpen() {
    assertEquals(Role.OPERATOR, rules.required(HttpMethod.POST, "/api/openapi.json"));
    assertEquals(Role.ADMIN, rules.required(HttpMethod.DELETE, "/api/docs"));
    assertEquals(Role.VIEWER, rules.required(HttpMethod.GET, "/api/openapi.jsonx"));
    assertEquals(Role.VIEWER, rules.required(HttpMethod.GET, "/api/docsx"));
    assertEquals(Role.VIEWER, rules.required(HttpMethod.GET, "/api/runs"));
    assertEquals(Role.ADMIN, rules.required(HttpMethod.GET, "/api/tokens"));
    assertEquals(Role.ADMIN, rules.required(HttpMethod.POST, "/api/runs/cleanup"));
    assertEquals(Role.OPERATOR, rules.required(HttpMethod.POST, "/api/runs"));
  }

  @Test
  @DisplayName("reads need viewer, changes operator, deletes admin")
  void byMethod() {
    assertEquals(Role.VIEWER, rules.required(HttpMethod.GET, "/api/runs"));
    assertEquals(Role.VIEWER, rules.required(HttpMethod.HEAD, "/api/scripts/x"));
    assertEquals(Role.OPERATOR, rules.required(HttpMethod.POST, "/api/runs"));
    assertEquals(Role.OPERATOR, rules.required(HttpMethod.PUT, "/api/scripts/x"));
    assertEquals(Role.ADMIN, rules.required(HttpMethod.DELETE, "/api/runs/x"));
  }

  @Test
  @DisplayName("tokens, the admin routes (backup) and cleanup need admin, whatever the method")
  void adminPaths() {
    assertEquals(Role.ADMIN, rules.required(HttpMethod.GET, "/api/tokens"));
    assertEquals(Role.ADMIN, rules.required(HttpMethod.POST, "/api/tokens"));
    assertEquals(Role.ADMIN, rules.required(HttpMethod.POST, "/api/admin/backup"));
    assertEquals(Role.ADMIN, rules.required(HttpMethod.GET, "/api/admin/backup"));
    assertEquals(Role.ADMIN, rules.required(HttpMethod.GET, "/api/admin"));
    assertEquals(Role.ADMIN, rules.required(HttpMethod.POST, "/api/runs/cleanup"));
    assertEquals(Role.VIEWER, rules.required(HttpMethod.GET, "/api/runs/cleanup/status"));
    assertEquals(Role.VIEWER, rules.required(HttpMethod.GET, "/api/administrators"));
  }

  @Test
  @DisplayName("login, health, metrics, hooks and the UI are open by default; nothing needs a token with auth off")
  void open() {
    assertNull(rules.required(HttpMethod.POST, "/api/login"));
    assertNull(rules.required(HttpMethod.GET, "/health"));
    assertNull(rules.required(HttpMethod.GET, "/metrics"));
    assertNull(rules.required(HttpMethod.POST, "/hooks/deploy"));
    assertNull(rules.required(HttpMethod.GET, "/index.html"));
    AccessRules off = new AccessRules(new SecurityConfig.Auth(false, true, true, null));
    assertNull(off.required(HttpMethod.POST, "/api/admin/backup"));
  }

  @Test
  @DisplayName("pinning and unpinning a run need operator, while deleting a run stays admin")
  void pinsNeedOperator() {
    assertEquals(Role.OPERATOR, rules.required(HttpMethod.POST, "/api/runs/r1/pin"));
    assertEquals(Role.OPERATOR, rules.required(HttpMethod.DELETE, "/api/runs/r1/pin"));
    assertEquals(Role.VIEWER, rules.required(HttpMethod.GET, "/api/runs/r1/pin"));
    assertEquals(Role.ADMIN, rules.required(HttpMethod.DELETE, "/api/runs/r1"));
    assertEquals(Role.ADMIN, rules.required(HttpMethod.DELETE, "/api/runs/r1/logs/pin"));
    assertEquals(Role.ADMIN, rules.required(HttpMethod.DELETE, "/api/runs//pin"));
    assertEquals(Role.ADMIN, rules.required(HttpMethod.DELETE, "/api/scripts/s1/pin"));
  }
}
