package dev.scriptd.http;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.StringReader;
import java.util.Properties;

/**
 * The API's own description, open like {@code /health}: the OpenAPI 3.1 document at {@code
 * /api/openapi.json} (a resource file; a new route is documented by adding its path there) and
 * Swagger UI at {@code /api/docs}, whose files come from the Swagger UI WebJar under {@code
 * /webjars/}. Each file is read once, on first use, by the file system's worker (never on the event
 * loop), and kept.
 */
final class ApiDocs {
  static final String DOCUMENT = "dev/scriptd/http/openapi.json";
  private static final String PAGE = "dev/scriptd/http/api-docs.html";
  private static final String SCRIPT = "dev/scriptd/http/api-docs.js";
  private static final String SWAGGER_UI = "META-INF/maven/org.webjars/swagger-ui/pom.properties";
  /**
   * The docs page's policy. Swagger UI needs no more than the UI's own policy once its start-up
   * script is a file (the WebJar's index.html starts it inline): its scripts and styles come from
   * the server, it sets style attributes, shows data: images and fetches the document and the
   * "try it out" calls from the same origin. Kept apart so either can change alone.
   */
  static final String DOCS_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
      + " img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none';"
      + " form-action 'self'; frame-ancestors 'none'";
  /** The document changes only with a release (or a restart with another public_url). */
  private static final String CACHE = "public, max-age=300";

  private final FileSystem files;
  private final String publicUrl;
  private Future<Buffer> document;
  private Future<Buffer> page;
  private Future<Buffer> script;

  ApiDocs(FileSystem files, String publicUrl) {
    this.files = files;
    this.publicUrl = publicUrl;
  }

  void mount(Router router) {
    router.get("/api/openapi.json").handler(ctx -> send(ctx, document(), "application/json"));
    router.get("/api/docs").handler(this::page);
    router.get("/api/docs/init.js").handler(ctx -> send(ctx, script(), "text/javascript; charset=utf-8"));
  }

  /**
   * The resource with {@code servers}: the origin the client used first (what Swagger UI's "try it
   * out" needs behind any proxy), then the configured {@code public_url}.
   */
  private Future<Buffer> document() {
    if (document == null) {
      document = files.readFile(DOCUMENT).map(bytes -> {
        JsonObject json = bytes.toJsonObject();
        JsonArray servers = new JsonArray().add(new JsonObject().put("url", "/")
            .put("description", "this server, at the address you reached it"));
        servers.add(new JsonObject().put("url", publicUrl).put("description", "the server's public_url"));
        return json.put("servers", servers).toBuffer();
      });
    }
    return document;
  }

  private Future<Buffer> script() {
    if (script == null) {
      script = files.readFile(SCRIPT);
    }
    return script;
  }

  /** The page names the WebJar's versioned folder, read from the WebJar itself. */
  private void page(RoutingContext ctx) {
    if (ctx.request().path().endsWith("/")) {
      // relative links below resolve against /api/, so the page lives at /api/docs only
      ctx.response().setStatusCode(301).putHeader("Location", "../docs").end();
      return;
    }
    if (page == null) {
      page = files.readFile(SWAGGER_UI)
          .recover(missing -> Future.failedFuture(new ApiException(404, "not-found",
              "Swagger UI is not part of this build; the API's description is at /api/openapi.json")))
          .compose(properties -> files.readFile(PAGE)
              .map(html -> Buffer.buffer(html.toString().replace("@SWAGGER_UI_VERSION@", version(properties)))));
    }
    page.onSuccess(html -> {
      ctx.response().putHeader("Content-Security-Policy", DOCS_POLICY)
          .putHeader("X-Frame-Options", "DENY")
          .putHeader("Referrer-Policy", "no-referrer");
      send(ctx, page, "text/html; charset=utf-8");
    }).onFailure(ctx::fail);
  }

  static String version(Buffer properties) {
    Properties read = new Properties();
    try {
      read.load(new StringReader(properties.toString()));
    } catch (IOException e) {
      throw new IllegalStateException("unreadable " + SWAGGER_UI, e);
    }
    String version = read.getProperty("version");
    if (version == null || !version.matches("[0-9A-Za-z.+-]+")) {
      throw new IllegalStateException(SWAGGER_UI + " names no usable version: " + version);
    }
    return version;
  }

  private static void send(RoutingContext ctx, Future<Buffer> body, String contentType) {
    body.onSuccess(bytes -> ctx.response().putHeader("Content-Type", contentType)
            .putHeader("Cache-Control", CACHE)
            .end(bytes))
        .onFailure(ctx::fail);
  }
}
