package dev.scriptd.auth;

import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.config.SecurityConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin token. First start: when the database has no admin token, stores {@code admin_token}
 * ({@code SCRIPTD_ADMIN_TOKEN}) or a generated one. A generated token becomes a link that opens the
 * UI logged in: handed back for the console (never logged) and written to
 * {@code <data_dir>/admin-link.txt} (owner-only); only its hash is kept, so it cannot be shown
 * again. {@link #reset} replaces every admin token by a new generated one the same way.
 */
public final class AdminToken {
  public static final String LINK_FILE = "admin-link.txt";
  private static final Logger LOG = LoggerFactory.getLogger(AdminToken.class);
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private AdminToken() {
  }

  /**
   * Where the tokens are kept. auth does not import the bus: the composition root answers these
   * with requests to the token store.
   */
  public interface Store {
    Future<TokenList> list();

    Future<?> save(ApiToken token);

    /**
     * Replaces every admin token by {@code admin} at once; answers the replaced tokens, which every
     * HTTP instance has been told to forget.
     */
    Future<TokenList> replaceAdmins(ApiToken admin);
  }

  /** Completes with the link of a newly generated admin token, or null when none was generated. */
  public static Future<String> ensure(Vertx vertx, Store store, ScriptdConfig config, SecurityConfig security) {
    return store.list()
        .compose(tokens -> {
          String configured = security.auth().adminToken();
          if (tokens.items().stream().anyMatch(token -> token.role() == Role.ADMIN)) {
            if (configured != null && tokens.items().stream().noneMatch(token -> token.role() == Role.ADMIN
                && token.hash().equals(TokenSecrets.hash(configured)))) {
              LOG.warn("admin_token (SCRIPTD_ADMIN_TOKEN) is ignored: the database already has an admin token;"
                  + " it sets the admin token of a new database only (replace it with --reset-admin-token)");
            }
            return Future.succeededFuture(null);
          }
          String secret = configured != null ? configured : TokenSecrets.generate();
          return store.save(newAdmin(secret)).compose(saved -> {
            if (configured != null) {
              LOG.info("created the admin token from admin_token (SCRIPTD_ADMIN_TOKEN)");
              return Future.succeededFuture(null);
            }
            String link = link(config, secret);
            return writeLinkFile(vertx, config, link).map(file -> {
              LOG.info("generated the admin token; its link is printed once at the end of the start and saved in {}",
                  file);
              return link;
            });
          });
        });
  }

  /**
   * Revokes every admin token and creates a new generated one; completes with its link (also
   * written to {@code admin-link.txt}).
   */
  public static Future<String> reset(Vertx vertx, Store store, ScriptdConfig config) {
    String secret = TokenSecrets.generate();
    return store.replaceAdmins(newAdmin(secret))
        .compose(revoked -> {
          String link = link(config, secret);
          return writeLinkFile(vertx, config, link).map(file -> {
            LOG.info("revoked {} admin token(s) and generated a new one; its link is printed once and saved in {}",
                revoked.items().size(), file);
            return link;
          });
        });
  }

  private static ApiToken newAdmin(String secret) {
    return new ApiToken(UUID.randomUUID().toString(), "admin", Role.ADMIN, TokenSecrets.hash(secret), Instant.now(),
        null);
  }

  /** Owner-only before the link is in it; replaces an older file (its token no longer works). */
  private static Future<Path> writeLinkFile(Vertx vertx, ScriptdConfig config, String link) {
    Path file = config.storage().dataDir().resolve(LINK_FILE);
    return vertx.executeBlocking(() -> {
      if (!Files.exists(file)) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      }
      Files.setPosixFilePermissions(file, OWNER_ONLY);
      Files.writeString(file, link + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE);
      return file.toAbsolutePath();
    }, false).recover(e -> {
      LOG.warn("could not write {}: {}", file, e.toString());
      return Future.succeededFuture(file.toAbsolutePath());
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
}
