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
}
