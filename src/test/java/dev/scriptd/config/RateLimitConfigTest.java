package dev.scriptd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The rate limit as a standalone server reads it: conf/scriptd.json, then SCRIPTD_RATE_LIMIT, then --rate-limit")
class RateLimitConfigTest {
  private static ScriptdConfig.Http http(String[] args, Map<String, String> env) {
    return ScriptdConfig.fromJson(ConfigLoader.load(args, env)).http();
  }

  @Test
  @DisplayName("the shipped file gives 100 requests/s with bursts of 200")
  void defaults() {
    ScriptdConfig.Http http = http(new String[0], Map.of());
    assertEquals(100, http.rateLimit());
    assertEquals(200, http.rateBurst());
  }

  @Test
  @DisplayName("--rate-limit (or its variable) also sets the burst, twice the rate, unless rate_burst is set")
  void theBurstFollowsTheRate() {
    ScriptdConfig.Http flag = http(new String[] {"--rate-limit=5"}, Map.of());
    assertEquals(5, flag.rateLimit());
    assertEquals(10, flag.rateBurst(), "a lower limit is not hidden behind the file's burst of 200");
    ScriptdConfig.Http env = http(new String[0], Map.of("SCRIPTD_RATE_LIMIT", "3"));
    assertEquals(6, env.rateBurst());
    ScriptdConfig.Http both = http(new String[] {"-rate-limit=5", "--rate_burst=7"}, Map.of());
    assertEquals(7, both.rateBurst());
    assertEquals(1, ScriptdConfig.fromJson(new JsonObject().put("rate_limit", 0)).http().rateBurst());
  }
}
