package dev.scriptd.http;

import dev.scriptd.bus.Namespace;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;

/**
 * Request/reply on the event bus as a Future of the reply body. Callers name the default addresses
 * of {@link dev.scriptd.bus.Addresses}; every request goes to this deployment's {@link Namespace}.
 */
final class Bus {
  private final EventBus eventBus;
  private final Namespace ns;

  Bus(EventBus eventBus, Namespace ns) {
    this.eventBus = eventBus;
    this.ns = ns;
  }

  Namespace namespace() {
    return ns;
  }

  /** To every consumer of this deployment's {@code address} (every HTTP instance, for events). */
  void publish(String address, Object body) {
    eventBus.publish(ns.of(address), body);
  }

  <T> Future<T> request(String address, Object body) {
    return eventBus.<T>request(ns.of(address), body).map(Message::body);
  }

  /** For work that may outlast the default 30 s reply timeout. */
  <T> Future<T> request(String address, Object body, long timeoutMs) {
    return eventBus.<T>request(ns.of(address), body, new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(timeoutMs))
        .map(Message::body);
  }
}
