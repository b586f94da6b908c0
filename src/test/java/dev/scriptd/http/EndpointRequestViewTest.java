package dev.scriptd.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.config.ConfigException;
import dev.scriptd.config.SecurityConfig;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("What an endpoint's program sees of its request")
class EndpointRequestViewTest {
  private static MultiMap map(String... pairs) {
    MultiMap map = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < pairs.length; i += 2) {
      map.add(pairs[i], pairs[i + 1]);
    }
    return map;
  }

  @Test
  @DisplayName("a shell program gets no Authorization, Proxy-Authorization, Cookie or token, in any case or spelling")
  void credentialsNeverBecomeVariables() {
    JsonObject env = new JsonObject();
    new EndpointRequestView(List.of(), List.of()).putVariables(env,
        map("token", "q1", "TOKEN", "q2", "Token", "q3", "keep", "k"),
        map("Authorization", "Bearer a", "proxy-authorization", "Basic b", "COOKIE", "c=1", "Cookie", "d=2",
            "X-Other", "o"));
    assertEquals(new JsonObject().put("SCRIPTD_QUERY_KEEP", "k").put("SCRIPTD_HEADER_X_OTHER", "o"), env);
  }

  @Test
  @DisplayName("two names for one variable: the first in request order keeps it, whatever the alphabet says")
  void firstNameWins() {
    JsonObject env = new JsonObject();
    new EndpointRequestView(List.of(), List.of()).putVariables(env,
        map("b.c", "first", "B_C", "second", "b-c", "third"),
        map("X_A_B", "underscore", "X-A.B", "dotted", "x-a-b", "dashed"));
    assertEquals("first", env.getString("SCRIPTD_QUERY_B_C"));
    assertEquals("underscore", env.getString("SCRIPTD_HEADER_X_A_B"));
    assertEquals(2, env.size());

    JsonObject reversed = new JsonObject();
    new EndpointRequestView(List.of(), List.of()).putVariables(reversed, map(), map("X-A.B", "dotted",
        "X_A_B", "underscore"));
    assertEquals("dotted", reversed.getString("SCRIPTD_HEADER_X_A_B"));
  }

  @Test
  @DisplayName("repeated values of one name are joined, and configured names are dropped like credentials")
  void configuredDrops() {
    EndpointRequestView view = new EndpointRequestView(List.of("X-Api-Key"), List.of("sig"));
    JsonObject env = new JsonObject();
    view.putVariables(env, map("sig", "s", "a", "1", "A", "2"), map("x-api-key", "k", "X-Api_Key", "k2",
        "Accept", "x", "accept", "y"));
    assertEquals(new JsonObject().put("SCRIPTD_QUERY_A", "1, 2").put("SCRIPTD_HEADER_ACCEPT", "x, y"), env);
    assertTrue(view.dropsHeader("AUTHORIZATION"));
    assertTrue(view.dropsQuery("Sig"));
    assertFalse(view.dropsHeader("Accept"));
  }

  @Test
  @DisplayName("a JavaScript program's headers and query carry no credentials either")
  void javascriptRequest() {
    EndpointRequestView view = new EndpointRequestView(List.of(), List.of());
    assertEquals(new JsonObject().put("x-a", "1").put("accept", "a, b"),
        view.headers(map("Authorization", "Bearer a", "X-A", "1", "Cookie", "c=1", "Accept", "a", "ACCEPT", "b")));
    assertEquals(new JsonObject().put("q", "v"), view.query(map("token", "t", "q", "v", "ToKeN", "u")));
  }

  @Test
  @DisplayName("at most 200 variables, names cut at 100 characters")
  void bounded() {
    MultiMap many = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < 500; i++) {
      many.add("h" + i, "v");
    }
    many.add("x".repeat(300), "long");
    JsonObject env = new JsonObject();
    new EndpointRequestView(List.of(), List.of()).putVariables(env, MultiMap.caseInsensitiveMultiMap(), many);
    assertEquals(EndpointRequestView.MAX_VARIABLES, env.size());
    assertEquals("SCRIPTD_HEADER_" + "X".repeat(100), EndpointRequestView.HEADER_PREFIX
        + EndpointRequestView.variablePart("x".repeat(300)));
  }

  @Test
  @DisplayName("endpoints.drop_headers and drop_query are read as lists of names, empty by default")
  void config() {
    SecurityConfig.EndpointCredentials defaults = SecurityConfig.fromJson(new JsonObject()).endpointCredentials();
    assertEquals(List.of(), defaults.dropHeaders());
    assertEquals(List.of(), defaults.dropQuery());
    SecurityConfig.EndpointCredentials set = SecurityConfig.fromJson(new JsonObject().put("endpoints",
        new JsonObject().put("drop_headers", new JsonArray().add("X-Api-Key")).put("drop_query",
            new JsonArray().add("sig")))).endpointCredentials();
    assertEquals(List.of("X-Api-Key"), set.dropHeaders());
    assertEquals(List.of("sig"), set.dropQuery());
    assertThrows(ConfigException.class, () -> SecurityConfig.fromJson(new JsonObject().put("endpoints",
        new JsonObject().put("drop_headers", new JsonArray().add("two words")))));
    assertThrows(ConfigException.class, () -> SecurityConfig.fromJson(new JsonObject().put("endpoints",
        new JsonObject().put("drop_query", "sig"))));
  }
}
