package dev.scriptd.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("BusReplies and BusFailure: how every bus handler answers and with which failure code")
class BusRepliesTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private void handle(String address, Function<String, Future<?>> action) throws Exception {
    vertx.eventBus().<String>localConsumer(address, message -> BusReplies.answer(message, action))
        .completion().await(10, TimeUnit.SECONDS);
  }

  private Object request(String address) throws Exception {
    return vertx.eventBus().request(address, "body").map(Message::body).await(10, TimeUnit.SECONDS);
  }

  private ReplyException failure(String address) {
    Exception thrown = assertThrows(Exception.class, () -> request(address));
    Throwable cause = thrown instanceof CompletionException ? thrown.getCause() : thrown;
    return assertInstanceOf(ReplyException.class, cause);
  }

  @Test
  @DisplayName("the action's result is the reply")
  void repliesWithTheResult() throws Exception {
    handle("t.ok", body -> Future.succeededFuture(body + " seen"));
    assertEquals("body seen", request("t.ok"));
  }

  @Test
  @DisplayName("a BusFailure fails the request with its code and message")
  void busFailureKeepsItsCode() throws Exception {
    handle("t.conflict", body -> Future.failedFuture(new BusFailure(ReplyCodes.CONFLICT, "already running")));
    ReplyException reply = failure("t.conflict");
    assertEquals(ReplyFailure.RECIPIENT_FAILURE, reply.failureType());
    assertEquals(409, reply.failureCode());
    assertEquals("already running", reply.getMessage());
    assertTrue(BusFailure.is(reply, ReplyCodes.CONFLICT));
    assertFalse(BusFailure.is(reply, ReplyCodes.NOT_FOUND));
  }

  @Test
  @DisplayName("a synchronous throw is a failure too: 500 with its message, and the handler keeps serving")
  void throwIsA500() throws Exception {
    handle("t.throw", body -> {
      if (body.equals("body")) {
        throw new IllegalStateException("boom");
      }
      return Future.succeededFuture();
    });
    ReplyException reply = failure("t.throw");
    assertEquals(500, reply.failureCode());
    assertEquals("boom", reply.getMessage());
    assertEquals(500, failure("t.throw").failureCode());
  }

  @Test
  @DisplayName("a recipient's failure code is passed on; a missing recipient becomes 503")
  void downstreamFailures() throws Exception {
    handle("t.store", body -> Future.failedFuture(new BusFailure(ReplyCodes.NOT_FOUND, "run x not found")));
    handle("t.front", body -> vertx.eventBus().request("t.store", body));
    handle("t.orphan", body -> vertx.eventBus().request("t.nobody", body));
    ReplyException passed = failure("t.front");
    assertEquals(404, passed.failureCode());
    assertEquals("run x not found", passed.getMessage());
    assertEquals(503, failure("t.orphan").failureCode());
  }

  @Test
  @DisplayName("translate turns an unexpected failure into the one to reply with, and leaves a BusFailure alone")
  void translate() throws Exception {
    Function<Throwable, Throwable> database = err -> err instanceof BusFailure ? err
        : new BusFailure(ReplyCodes.UNAVAILABLE, "database error: " + err.getMessage(), err);
    vertx.eventBus().<String>localConsumer("t.db", message -> BusReplies.answer(message,
        body -> Future.failedFuture(body.equals("body") ? new IllegalStateException("disk I/O")
            : new BusFailure(ReplyCodes.BAD_REQUEST, "bad")), database::apply))
        .completion().await(10, TimeUnit.SECONDS);
    ReplyException reply = failure("t.db");
    assertEquals(503, reply.failureCode());
    assertEquals("database error: disk I/O", reply.getMessage());
    Exception refused = assertThrows(Exception.class, () -> vertx.eventBus().request("t.db", "other")
        .await(10, TimeUnit.SECONDS));
    ReplyException bad = assertInstanceOf(ReplyException.class,
        refused instanceof CompletionException ? refused.getCause() : refused);
    assertEquals(400, bad.failureCode());
  }

  @Test
  @DisplayName("codeOf: a BusFailure's code, a timeout 503, anything else 500")
  void codeOf() {
    assertEquals(429, BusFailure.codeOf(new BusFailure(ReplyCodes.TOO_MANY_REQUESTS, "full")));
    assertEquals(503, BusFailure.codeOf(new ReplyException(ReplyFailure.TIMEOUT, "late")));
    assertEquals(416, BusFailure.codeOf(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 416, "gone")));
    assertEquals(500, BusFailure.codeOf(new NullPointerException()));
  }
}
