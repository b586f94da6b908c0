package dev.scriptd.http.tail;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;

/**
 * A tail over a WebSocket framed by {@link WebSocketFrames}: one text frame per message
 * ({"type": "log" | "status" | "done" | "gap", ...}), many frames per socket write. Closing is the
 * RFC 6455 handshake: a close frame each way, then the server drops the TCP connection; a client
 * that does not answer the close within the linger time is cut off.
 */
final class WebSocketSink implements TailSink, WebSocketFrameReader.Listener {
  private static final int NORMAL_CLOSE = 1000;
  private static final int POLICY_VIOLATION = 1008;
  private static final long LINGER_MS = 5_000;
  private static final byte[] EMPTY = new byte[0];

  private final Vertx vertx;
  private final NetSocket socket;
  private final WriteBudget budget;
  private boolean closeSent;
  private boolean closed;

  WebSocketSink(Vertx vertx, NetSocket socket, int writeQueueBytes) {
    this.vertx = vertx;
    this.socket = socket;
    this.budget = new WriteBudget(writeQueueBytes);
    WebSocketFrameReader reader = new WebSocketFrameReader(this);
    socket.handler(reader::feed);
  }

  @Override
  public void lines(LineBatch batch) {
    write(batch.webSocket());
  }

  @Override
  public void status(JsonObject run) {
    send(new JsonObject().put("type", "status").put("run", run));
  }

  @Override
  public void done(JsonObject run) {
    send(new JsonObject().put("type", "done").put("run", run));
    startClose(NORMAL_CLOSE, "done");
  }

  @Override
  public void gap(long lastSentSeq) {
    send(new JsonObject().put("type", "gap").put("last_sent_seq", lastSentSeq));
    startClose(NORMAL_CLOSE, "too slow; resume with since=" + lastSentSeq);
  }

  @Override
  public void keepAlive() {
    write(WebSocketFrames.control(WebSocketFrames.PING, EMPTY));
  }

  @Override
  public boolean writeQueueFull() {
    return budget.full();
  }

  @Override
  public void drainHandler(Runnable handler) {
    budget.onDrain(handler);
  }

  @Override
  public void closeHandler(Runnable handler) {
    socket.closeHandler(v -> {
      closed = true;
      handler.run();
    });
  }

  @Override
  public void close() {
    startClose(NORMAL_CLOSE, "closing");
  }

  @Override
  public void revoked() {
    startClose(POLICY_VIOLATION, "token revoked or session ended");
  }

  @Override
  public void control(int opcode, byte[] payload) {
    switch (opcode) {
      case WebSocketFrames.PING -> write(WebSocketFrames.control(WebSocketFrames.PONG, payload));
      case WebSocketFrames.CLOSE -> {
        // the client's half of the handshake (or its own close, which we answer with its code)
        if (!closeSent) {
          int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : NORMAL_CLOSE;
          startClose(code, "");
        }
        socket.end();
      }
      default -> {
        // pongs answer our keep-alive pings: nothing to do
      }
    }
  }

  @Override
  public void violation(int code, String reason) {
    startClose(code, reason);
    socket.end();
  }

  private void send(JsonObject message) {
    write(WebSocketFrames.text(message.encode()));
  }

  private void write(Buffer frames) {
    if (!closeSent && !closed) {
      budget.track(socket.write(frames), frames.length());
    }
  }

  private void startClose(int code, String reason) {
    if (closeSent || closed) {
      return;
    }
    socket.write(WebSocketFrames.close(code, reason));
    closeSent = true;
    vertx.setTimer(LINGER_MS, t -> {
      if (!closed) {
        socket.close();
      }
    });
  }
}
