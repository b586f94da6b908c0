package dev.scriptd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("public_url: where users reach the server")
class PublicUrlConfigTest {
  private static String publicUrl(JsonObject json) {
    return ScriptdConfig.fromJson(json).http().publicUrl();
  }

  @Test
  @DisplayName("defaults to http://<host>:<port>, keeps a path, drops a trailing slash")
  void defaultsAndForms() {
    assertEquals("http://127.0.0.1:8080", publicUrl(new JsonObject()));
    assertEquals("http://0.0.0.0:9000", publicUrl(new JsonObject().put("host", "0.0.0.0").put("port", 9000)));
    assertEquals("http://[::1]:8080", publicUrl(new JsonObject().put("host", "::1")));
    assertEquals("https://scriptd.example.com", publicUrl(new JsonObject().put("public_url", "https://scriptd.example.com/")));
    assertEquals("https://example.com/ops/scriptd", publicUrl(new JsonObject().put("public_url", "https://example.com/ops/scriptd")));
  }

  @Test
  @DisplayName("anything but an absolute http(s) URL without query or fragment is refused at start")
  void invalidIsRefused() {
    for (String bad : new String[] {"scriptd.example.com", "ftp://example.com", "https://", "http://x/?a=1",
        "http://x/#top", "http://user:pw@x/", "http://exa mple.com"}) {
      ConfigException error = assertThrows(ConfigException.class, () -> publicUrl(new JsonObject().put("public_url", bad)),
          bad);
      assertTrue(error.getMessage().contains("public_url"), error.getMessage());
    }
  }

  @Test
  @DisplayName("set by --public-url or SCRIPTD_PUBLIC_URL, the flag winning")
  void flagAndEnvironment() {
    JsonObject fromEnv = ConfigLoader.load(new String[0], Map.of("SCRIPTD_PUBLIC_URL", "https://env.example.com"));
    assertEquals("https://env.example.com", publicUrl(fromEnv));
    JsonObject fromFlag = ConfigLoader.load(new String[] {"--public-url=https://flag.example.com"},
        Map.of("SCRIPTD_PUBLIC_URL", "https://env.example.com"));
    assertEquals("https://flag.example.com", publicUrl(fromFlag));
  }
}
