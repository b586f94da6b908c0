package dev.scriptd.scripts;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.Namespace;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.domain.ScriptFolder;
import dev.scriptd.domain.Times;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code scripts.dir}: applies the folder's definitions at start, then again whenever a file in it
 * changes (once the folder has been quiet for {@code scripts.dir_debounce_ms}), with apply's rules
 * (SCRIPTS_APPLY; prune only with {@code scripts.dir_prune}). The folder is watched and read on a
 * thread of its own, never on an event loop. A folder that cannot be applied (a file that does not
 * parse, an invalid definition) changes nothing; the error is logged and answered on
 * SCRIPTS_DIR_STATUS, which {@code /health} shows.
 */
public final class ScriptsDirVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ScriptsDirVerticle.class);
  private static final long APPLY_TIMEOUT_MS = 660_000; // a prune may delete many runs

  private Namespace ns;
  private Path dir;
  private boolean prune;
  private long debounceMs;
  private final AtomicReference<JsonObject> status = new AtomicReference<>();
  private MessageConsumer<Object> consumer;
  private volatile WatchService watcher;
  private Thread thread;

  public ScriptsDirVerticle() {
  }

  @Override
  public Future<?> start() {
    ns = Namespace.from(config());
    ScriptdConfig.ScriptsDir settings = ScriptdConfig.scriptsDir(config());
    dir = settings.dir().toAbsolutePath().normalize();
    prune = settings.prune();
    debounceMs = settings.debounceMs();
    status.set(new JsonObject().put("status", "UP").put("dir", dir.toString()));
    consumer = vertx.eventBus().localConsumer(ns.of(Addresses.SCRIPTS_DIR_STATUS), message -> message.reply(status.get()));
    // the first apply is part of the start: the scripts exist once the server answers
    // watched before the first read, so a change made meanwhile is applied too
    return consumer.completion()
        .compose(v -> vertx.executeBlocking(() -> {
          register();
          return ScriptFolder.read(dir);
        }, false))
        .compose(this::apply)
        .onSuccess(v -> {
          if (watcher != null) {
            thread = new Thread(this::loop, "scriptd-scripts-dir");
            thread.setDaemon(true);
            thread.start();
          }
        });
  }

  @Override
  public Future<?> stop() {
    if (watcher != null) {
      try {
        watcher.close(); // the watch thread ends on ClosedWatchServiceException
      } catch (IOException e) {
        LOG.debug("closing the watch service of {}", dir, e);
      }
    }
    if (thread != null) {
      thread.interrupt();
    }
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /** Applies what was read; completes (never fails) once the status says how it went. */
  private Future<Void> apply(ScriptFolder.Read read) {
    if (!read.ok()) {
      report(read.badFile(), read.badFile() == null ? read.error() : read.badFile() + ": " + read.error());
      return Future.succeededFuture();
    }
    if (prune && read.definitions().isEmpty()) {
      // an emptied folder (a checkout half done, a wrong mount) must not wipe every script
      report(null, "the folder holds no definitions; with scripts.dir_prune that would delete every script."
          + " Add a definition file, or set scripts.dir_prune to false");
      return Future.succeededFuture();
    }
    JsonObject body = new JsonObject().put("scripts", read.definitions()).put("prune", prune);
    return vertx.eventBus().<JsonObject>request(ns.of(Addresses.SCRIPTS_APPLY), body,
            new DeliveryOptions().setSendTimeout(APPLY_TIMEOUT_MS))
        .map(Message::body)
        .map(summary -> {
          status.set(new JsonObject().put("status", "UP").put("dir", dir.toString()).put("files", read.files())
              .put("scripts", read.definitions().size()).put("applied_at", Times.format(Instant.now()))
              .put("last_apply", summary));
          return (Void) null;
        })
        .recover(failure -> {
          String message = failure.getMessage() == null ? failure.toString() : failure.getMessage();
          report(read.firstFile(message), read.locate(message));
          return Future.succeededFuture();
        });
  }

  /** {@code error} names the file itself; {@code file} (null when none) goes into the check too. */
  private void report(String file, String error) {
    String text = error.startsWith("nothing was applied") ? error : error + "; nothing was applied";
    LOG.warn("scripts.dir {}: {}", dir, text);
    JsonObject check = new JsonObject().put("status", "DOWN").put("dir", dir.toString()).put("error", text)
        .put("checked_at", Times.format(Instant.now()));
    if (file != null) {
      check.put("file", file);
    }
    status.set(check);
  }

  /** Blocking. Without a watch (no such folder yet, no inotify) the folder is applied at start only. */
  private void register() {
    try {
      WatchService service = FileSystems.getDefault().newWatchService();
      try {
        dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
            StandardWatchEventKinds.ENTRY_DELETE);
      } catch (IOException e) {
        service.close();
        throw e;
      }
      watcher = service;
    } catch (IOException e) {
      LOG.warn("scripts.dir {} cannot be watched ({}); it is applied at start only", dir, e.toString());
    }
  }

  /** Waits for a change, then for quiet, then reads and applies; one apply at a time. */
  private void loop() {
    try {
      while (true) {
        drain(watcher.take());
        WatchKey more;
        while ((more = watcher.poll(debounceMs, TimeUnit.MILLISECONDS)) != null) {
          drain(more);
        }
        try {
          apply(ScriptFolder.read(dir)).toCompletionStage().toCompletableFuture()
              .get(APPLY_TIMEOUT_MS + 5000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
          LOG.warn("scripts.dir {}: applying a change failed: {}", dir, e.toString());
        }
      }
    } catch (ClosedWatchServiceException | InterruptedException stopped) {
      // stop() closed the watcher
    }
  }

  private static void drain(WatchKey key) {
    key.pollEvents();
    key.reset();
  }
}
