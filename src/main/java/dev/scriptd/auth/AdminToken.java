package dev.scriptd.auth;

import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.config.SecurityConfig;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First start: when the database has no admin token, stores {@code admin_token}
 * ({@code SCRIPTD_ADMIN_TOKEN}) or a generated one as admin. A generated token is printed once, as
 * a link that opens the UI logged in; it cannot be shown again (only its hash is kept).
 */
public final class AdminToken {
  private static final Logger LOG = LoggerFactory.getLogger(AdminToken.class);

  private AdminToken() {
  }

  /**
   * Where the tokens are kept. auth does not import the bus: the composition root answers these
   * with requests to the token store.
   */
  public interface Store {
    Future<TokenList> list();

    Future<?> save(ApiToken token);
  }

  public static Future<Void> ensure(Store store, ScriptdConfig config, SecurityConfig security) {
    return store.list()
        .compose(tokens -> {
          if (tokens.items().stream().anyMatch(token -> token.role() == Role.ADMIN)) {
            return Future.succeededFuture();
          }
          String configured = security.auth().adminToken();
          String secret = configured != null ? configured : TokenSecrets.generate();
          ApiToken admin = new ApiToken(UUID.randomUUID().toString(), "admin", Role.ADMIN,
              TokenSecrets.hash(secret), Instant.now(), null);
          return store.save(admin).map(saved -> {
            if (configured != null) {
              LOG.info("created the admin token from admin_token (SCRIPTD_ADMIN_TOKEN)");
            } else {
              printBanner(link(config, secret));
            }
            return null;
          });
        });
  }

  static String link(ScriptdConfig config, String secret) {
    String host = config.http().host();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      host = "127.0.0.1";
    } else if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return "http://" + host + ":" + config.http().port() + "/?token=" + secret;
  }

  /** The token banner: the only time the generated admin token is ever shown. */
  private static void printBanner(String link) {
    LOG.warn("generated the admin token; it is shown only now: {}", link);
    System.out.println("\n=== scriptd admin token (shown once; open this link to log in) ===\n" + link + "\n");
  }
}
