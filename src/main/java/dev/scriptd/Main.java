package dev.scriptd;

import dev.scriptd.config.ConfigException;
import dev.scriptd.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Standalone server: reads the settings, deploys scriptd, and stops it cleanly on SIGTERM. */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  private static final long SHUTDOWN_LIMIT_SECONDS = 30;

  private Main() {
  }

  public static void main(String[] args) {
    JsonObject config;
    try {
      config = ConfigLoader.load(args, System.getenv());
    } catch (ConfigException e) {
      LOG.error("invalid configuration: {}", e.getMessage());
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx();
    ScriptdHandle handle;
    try {
      handle = Scriptd.deploy(vertx, config).await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.error("scriptd failed to start: {}", e.getMessage(), e);
      vertx.close();
      System.exit(1);
      return;
    }
    LOG.info("scriptd listening on http://{}:{}/", handle.config().http().host(), handle.config().http().port());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(vertx, handle), "scriptd-shutdown"));
  }

  /** Runs on the JVM's shutdown thread (not a Vert.x thread), so waiting here is allowed. */
  private static void stop(Vertx vertx, ScriptdHandle handle) {
    LOG.info("stopping: killing running processes and writing buffered log lines");
    try {
      handle.close().eventually(() -> vertx.close()).await(SHUTDOWN_LIMIT_SECONDS, TimeUnit.SECONDS);
      LOG.info("stopped");
    } catch (Exception e) {
      LOG.error("clean shutdown did not finish: {}", e.getMessage());
    }
  }
}
