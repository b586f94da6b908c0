package dev.scriptd.http;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;

/** Request/reply on the event bus as a Future of the reply body. */
final class Bus {
  private final EventBus eventBus;

  Bus(EventBus eventBus) {
    this.eventBus = eventBus;
  }

  <T> Future<T> request(String address, Object body) {
    return eventBus.<T>request(address, body).map(Message::body);
  }

  /** For work that may outlast the default 30 s reply timeout. */
  <T> Future<T> request(String address, Object body, long timeoutMs) {
    return eventBus.<T>request(address, body, new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(timeoutMs))
        .map(Message::body);
  }
}
