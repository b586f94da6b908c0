package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A real OpenID provider for the single sign-on tests: the npm package oidc-provider (installed
 * from src/test/oidc's lockfile by .ci/run) run by the machine's Node on a free loopback port, with
 * one static client and the accounts {@code alice} (groups scriptd-admins and staff), {@code oscar}
 * (staff and scriptd-operators), {@code vera} (scriptd-viewers) and {@code nora} (contractors, which
 * {@link #scriptdConfig} maps to no role); any
 * password signs in on its own pages. {@link #start} returns once its discovery document answers.
 */
public final class OidcProvider implements AutoCloseable {
  public static final String CLIENT_ID = "scriptd-test";
  public static final String CLIENT_SECRET = "test-client-secret-0123456789abcdef";
  private static final Path DIR = Path.of("src", "test", "oidc");

  private final Process process;
  private final Path log;
  public final int port;
  public final String issuer;

  private OidcProvider(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
    this.issuer = "http://127.0.0.1:" + port;
  }

  /** A provider whose client redirects to {@code redirectUri}; its log goes to {@code logDir}. */
  public static OidcProvider start(String redirectUri, Path logDir) throws Exception {
    return start(redirectUri, logDir, null);
  }

  /**
   * As {@link #start(String, Path)}; with {@code idTokenClaims} set, every ID token its token
   * endpoint gives out has these claims overwritten (still signed with its own key).
   */
  public static OidcProvider start(String redirectUri, Path logDir, JsonObject idTokenClaims) throws Exception {
    if (!Files.isDirectory(DIR.resolve("node_modules").resolve("oidc-provider"))) {
      fail("oidc-provider is not installed: run `npm ci --prefix src/test/oidc` (.ci/run does)");
    }
    // a provider that never answers is started again once, on another port (seen once in a full
    // suite: the process ran, printed only its runtime warning and did not answer for 30 s)
    try {
      return startOnce(redirectUri, logDir, idTokenClaims);
    } catch (AssertionError silent) {
      System.err.println("oidc-provider did not start; starting another: " + silent.getMessage());
      return startOnce(redirectUri, logDir, idTokenClaims);
    }
  }

  private static OidcProvider startOnce(String redirectUri, Path logDir, JsonObject idTokenClaims) throws Exception {
    int port = freePort();
    Path log = logDir.resolve("oidc-provider-" + port + ".log");
    ProcessBuilder builder = new ProcessBuilder("node", "provider.mjs")
        .directory(DIR.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("OIDC_PORT", Integer.toString(port));
    builder.environment().put("OIDC_CLIENT_ID", CLIENT_ID);
    builder.environment().put("OIDC_CLIENT_SECRET", CLIENT_SECRET);
    builder.environment().put("OIDC_REDIRECT_URI", redirectUri);
    if (idTokenClaims != null) {
      builder.environment().put("OIDC_ID_TOKEN_CLAIMS", idTokenClaims.encode());
    }
    OidcProvider provider = new OidcProvider(builder.start(), log, port);
    provider.awaitDiscovery();
    return provider;
  }

  /**
   * The {@code auth.oidc} config for scriptd that maps this provider's groups to the three roles;
   * staff is a viewer too, so alice and oscar hold two roles and must get the higher one.
   */
  public JsonObject scriptdConfig() {
    return new JsonObject()
        .put("issuer", issuer)
        .put("client_id", CLIENT_ID)
        .put("client_secret", CLIENT_SECRET)
        .put("scopes", new JsonArray().add("openid").add("profile").add("email").add("groups"))
        .put("role_claim", "groups")
        .put("roles", new JsonObject()
            .put("admin", new JsonArray().add("scriptd-admins"))
            .put("operator", new JsonArray().add("scriptd-operators"))
            .put("viewer", new JsonArray().add("scriptd-viewers").add("staff")));
  }

  private void awaitDiscovery() throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest discovery = HttpRequest.newBuilder(URI.create(issuer + "/.well-known/openid-configuration"))
        .timeout(Duration.ofSeconds(5)).build();
    Instant end = Instant.now().plus(Duration.ofSeconds(30));
    while (Instant.now().isBefore(end)) {
      if (!process.isAlive()) {
        fail("oidc-provider exited with " + process.exitValue() + ": " + Files.readString(log));
      }
      try {
        HttpResponse<String> answer = client.send(discovery, HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() == 200 && issuer.equals(new JsonObject(answer.body()).getString("issuer"))) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      LockSupport.parkNanos(50_000_000L);
    }
    close();
    fail("oidc-provider did not answer its discovery document within 30 s: " + Files.readString(log));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
