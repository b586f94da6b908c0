package dev.scriptd.http.tail;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.handler.HttpException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The server side of the WebSocket opening handshake (RFC 6455 section 4.2), answered on the
 * request's own connection, which then becomes a plain socket for {@link WebSocketSink}.
 *
 * <p>Why not {@code request.toWebSocket()}: Vert.x 5.0 flushes every frame written outside a read,
 * so a tail of N lines cost N socket writes per client (100 clients at 10,000 lines/s were
 * 1,000,000 syscalls/s). Framing ourselves lets a batch of lines leave in one write. No extension
 * (such as permessage-deflate) is offered, so frames are plain.
 */
final class WebSocketUpgrade {
  private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private WebSocketUpgrade() {
  }

  /** Answers 101 and hands back the socket, or fails with a 4xx before anything is written. */
  static Future<NetSocket> accept(HttpServerRequest request) {
    String key = request.getHeader("Sec-WebSocket-Key");
    if (request.version() != HttpVersion.HTTP_1_1) {
      return Future.failedFuture(new HttpException(400, "WebSocket upgrades need HTTP/1.1"));
    }
    if (!"13".equals(request.getHeader("Sec-WebSocket-Version"))) {
      request.response().putHeader("Sec-WebSocket-Version", "13");
      return Future.failedFuture(new HttpException(426,
          "unsupported WebSocket version; send Sec-WebSocket-Version: 13"));
    }
    if (key == null || !validKey(key)) {
      return Future.failedFuture(new HttpException(400,
          "Sec-WebSocket-Key must be 16 random bytes in base64 (RFC 6455 section 4.1)"));
    }
    request.response()
        .putHeader("Upgrade", "websocket")
        .putHeader("Connection", "Upgrade")
        .putHeader("Sec-WebSocket-Accept", acceptFor(key));
    return request.toNetSocket();
  }

  static String acceptFor(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1")
          .digest((key.trim() + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-1", e);
    }
  }

  private static boolean validKey(String key) {
    try {
      return Base64.getDecoder().decode(key.trim()).length == 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
