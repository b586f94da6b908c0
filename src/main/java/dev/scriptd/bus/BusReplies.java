package dev.scriptd.bus;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How every bus handler answers: the action's result as the reply, or a failure with the code of
 * {@link BusFailure#codeOf}. A synchronous throw is a failure like any other. A 5xx is logged once,
 * here, with the address, unless it is a deliberate answer (a BusFailure without a cause, such as
 * the database health check's 503, which a probe may ask for every few seconds).
 */
public final class BusReplies {
  private static final Logger LOG = LoggerFactory.getLogger(BusReplies.class);

  private BusReplies() {
  }

  public static <T> void answer(Message<T> message, Function<T, ? extends Future<?>> action) {
    answer(message, action, UnaryOperator.identity());
  }

  /** As {@link #answer(Message, Function)}; {@code translate} first turns a failure into the one to reply with. */
  public static <T> void answer(Message<T> message, Function<T, ? extends Future<?>> action,
      UnaryOperator<Throwable> translate) {
    Future<?> result;
    try {
      result = action.apply(message.body());
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(message::reply, error -> fail(message, translate.apply(error)));
  }

  /** Fails {@code message} with the code and message of {@code error}. */
  public static void fail(Message<?> message, Throwable error) {
    int code = BusFailure.codeOf(error);
    if (code >= 500 && !(error instanceof BusFailure failure && failure.getCause() == null)) {
      LOG.error("{} failed", message.address(), error);
    }
    message.fail(code, error.getMessage() == null ? error.toString() : error.getMessage());
  }
}
