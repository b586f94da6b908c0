package dev.scriptd.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.config.ConfigException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Bus namespaces")
class NamespaceTest {

  @Test
  @DisplayName("the default namespace maps every address to itself")
  void defaultIsIdentity() {
    Namespace ns = Namespace.from(new JsonObject());
    assertTrue(ns.isDefault());
    assertSame(Addresses.RUNS_START, ns.of(Addresses.RUNS_START));
    assertEquals(Addresses.runLog("abc"), ns.runLog("abc"));
  }

  @Test
  @DisplayName("another namespace prefixes every address after 'scriptd.'")
  void namedNamespace() {
    Namespace ns = Namespace.from(new JsonObject().put("bus_namespace", "scriptd.tenant2"));
    assertEquals("scriptd.tenant2.runs.cmd.start", ns.of(Addresses.RUNS_START));
    assertEquals("scriptd.tenant2.db.query.run", ns.of(Addresses.DB_GET_RUN));
    assertEquals("scriptd.tenant2.runs.log.abc", ns.runLog("abc"));
    assertEquals("scriptd.a.b-2.js.cmd.execute", Namespace.named("scriptd.a.b-2").of(Addresses.JS_EXECUTE));
    assertThrows(IllegalArgumentException.class, () -> ns.of("other.address"));
  }

  @Test
  @DisplayName("bus_namespace is validated with an error naming the key and the accepted form")
  void invalidNamespaces() {
    for (String bad : new String[] {"tenant2", "scriptd.", "scriptd..x", "scriptd.Tenant", "scriptd.a b",
        "scriptdx", "scriptd.a_b"}) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> Namespace.from(new JsonObject().put("bus_namespace", bad)), bad);
      assertTrue(e.getMessage().contains("bus_namespace") && e.getMessage().contains(bad), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> Namespace.named("nope"));
  }
}
