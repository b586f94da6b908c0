package dev.scriptd.notify;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.Namespace;
import dev.scriptd.config.AutomationConfig;
import dev.scriptd.metrics.ScriptdMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the notification outbox: reads the deliveries that are due, POSTs each (10 s timeout,
 * no redirects followed), and writes back the outcome: delivered on a 2xx, else the next attempt
 * per {@link DeliveryBackoff}, or failed after {@code notify.max_attempts}. The outbox is in the
 * database, so what a stop interrupts is sent after the next start. One pass at a time; a pass is
 * started by NOTIFY_ADDED, or by a timer armed for the earliest pending delivery (at most a minute
 * away, so nothing waits on a lost event).
 */
public final class NotifierVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(NotifierVerticle.class);
  static final long TIMEOUT_MS = 10_000;
  private static final int BATCH = 20;
  private static final long MAX_SLEEP_MS = 60_000;

  private Namespace ns;
  private DeliveryBackoff backoff;
  private ScriptdMetrics metrics;
  private HttpClient client;
  private MessageConsumer<Object> added;
  private boolean passing;
  private boolean again;
  private boolean stopped;
  private long timer = -1;

  @Override
  public Future<?> start() {
    ns = Namespace.from(config());
    backoff = new DeliveryBackoff(AutomationConfig.fromJson(config()).notifyMaxAttempts());
    metrics = ScriptdMetrics.of(vertx, config());
    client = vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout((int) TIMEOUT_MS)
        .setIdleTimeout((int) TIMEOUT_MS).setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setKeepAlive(false));
    added = vertx.eventBus().localConsumer(ns.of(Addresses.NOTIFY_ADDED), message -> pass());
    return added.completion().onSuccess(v -> pass());
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    if (timer != -1) {
      vertx.cancelTimer(timer);
    }
    return added.unregister().eventually(() -> client.close());
  }

  private void pass() {
    if (stopped) {
      return;
    }
    if (passing) {
      again = true;
      return;
    }
    passing = true;
    again = false;
    if (timer != -1) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    vertx.eventBus().<JsonObject>request(ns.of(Addresses.DB_DUE_NOTIFICATIONS), new JsonObject().put("limit", BATCH))
        .map(Message::body)
        .compose(due -> {
          JsonArray items = due.getJsonArray("items");
          List<Future<Void>> attempts = new ArrayList<>(items.size());
          for (int i = 0; i < items.size(); i++) {
            attempts.add(deliver(items.getJsonObject(i)));
          }
          if (items.size() == BATCH) {
            again = true;
          }
          return Future.join(attempts);
        })
        .onFailure(e -> LOG.warn("notification pass failed: {}", e.getMessage()))
        .onComplete(ar -> {
          passing = false;
          if (again) {
            pass();
          } else {
            arm();
          }
        });
  }

  /** Sleeps until the earliest pending delivery is due (at most a minute). */
  private void arm() {
    if (stopped) {
      return;
    }
    vertx.eventBus().<JsonObject>request(ns.of(Addresses.DB_NEXT_NOTIFICATION), null).map(Message::body)
        .onComplete(ar -> {
          if (stopped || passing) {
            return;
          }
          Long next = ar.succeeded() ? ar.result().getLong("next_attempt_at") : null;
          long sleep = next == null ? MAX_SLEEP_MS
              : Math.max(10, Math.min(MAX_SLEEP_MS, next - System.currentTimeMillis()));
          if (timer != -1) {
            vertx.cancelTimer(timer);
          }
          timer = vertx.setTimer(sleep, id -> {
            timer = -1;
            pass();
          });
        });
  }

  /** One attempt; its outcome is written back before the future completes. */
  private Future<Void> deliver(JsonObject delivery) {
    byte[] body = delivery.getString("body").getBytes(StandardCharsets.UTF_8);
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST)
        .setAbsoluteURI(delivery.getString("url"))
        .setFollowRedirects(false)
        .setIdleTimeout(TIMEOUT_MS)
        .putHeader("Content-Type", "application/json")
        .putHeader("User-Agent", "scriptd")
        .putHeader("X-Scriptd-Event", delivery.getString("event"))
        .putHeader("X-Scriptd-Delivery", delivery.getString("id"));
    delivery.getJsonObject("headers", new JsonObject()).forEach(h -> request.putHeader(h.getKey(), (String) h.getValue()));
    String secret = delivery.getString("secret");
    if (secret != null) {
      request.putHeader(Signature.HEADER, Signature.of(secret, body));
    }
    int attempts = delivery.getInteger("attempts", 0) + 1;
    Future<Integer> answered;
    try {
      answered = client.request(request)
          .compose(req -> req.send(Buffer.buffer(body)))
          .compose(response -> response.body().map(ignored -> response.statusCode()))
          .timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      answered = Future.failedFuture(e);
    }
    return answered.transform(ar -> {
      long now = System.currentTimeMillis();
      JsonObject outcome = new JsonObject().put("id", delivery.getString("id")).put("attempts", attempts);
      Integer code = ar.succeeded() ? ar.result() : null;
      if (code != null && code >= 200 && code < 300) {
        metrics.notification("delivered");
        outcome.put("status", "delivered").put("last_status_code", code).put("delivered_at", now);
      } else {
        String error = code != null ? "the receiver answered " + code
            : ar.cause().getClass().getSimpleName() + ": " + ar.cause().getMessage();
        DeliveryBackoff.Next next = backoff.afterFailure(attempts, now);
        metrics.notification(next.giveUp() ? "failed" : "retried");
        outcome.put("status", next.giveUp() ? "failed" : "pending").put("last_status_code", code)
            .put("last_error", error).put("next_attempt_at", next.retryAtMs());
        LOG.info("notification {} of run {} attempt {} failed: {}", delivery.getString("id"),
            delivery.getString("run_id"), attempts, error);
      }
      return vertx.eventBus().request(ns.of(Addresses.DB_UPDATE_NOTIFICATION), outcome).mapEmpty();
    });
  }
}
