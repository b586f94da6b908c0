package dev.scriptd.http.tail;

import dev.scriptd.domain.LogLine;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** One text frame per message: {"type": "log" | "status" | "done" | "gap", ...}. */
final class WebSocketSink implements TailSink {
  private static final short NORMAL_CLOSE = 1000;

  private final ServerWebSocket socket;
  private final WriteBudget budget;
  private boolean closing;

  WebSocketSink(ServerWebSocket socket, int writeQueueBytes) {
    this.socket = socket;
    this.budget = new WriteBudget(writeQueueBytes);
    socket.setWriteQueueMaxSize(writeQueueBytes);
  }

  @Override
  public void lines(List<LogLine> lines) {
    for (LogLine line : lines) {
      // the shared encoding of the line with the type field in front: {"type":"log","seq":...}
      sendText("{\"type\":\"log\"," + line.encodedJson().substring(1));
    }
  }

  @Override
  public void status(JsonObject run) {
    send(new JsonObject().put("type", "status").put("run", run));
  }

  @Override
  public void done(JsonObject run) {
    send(new JsonObject().put("type", "done").put("run", run));
    closeNormally("done");
  }

  @Override
  public void gap(long lastSentSeq) {
    send(new JsonObject().put("type", "gap").put("last_sent_seq", lastSentSeq));
    closeNormally("too slow; resume with since=" + lastSentSeq);
  }

  @Override
  public void keepAlive() {
    if (!closing) {
      socket.writePing(Buffer.buffer());
    }
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
    socket.closeHandler(v -> handler.run());
  }

  @Override
  public void close() {
    closeNormally("closing");
  }

  private void send(JsonObject message) {
    sendText(message.encode());
  }

  private void sendText(String text) {
    if (!closing) {
      budget.track(socket.writeTextMessage(text), text.length());
    }
  }

  private void closeNormally(String reason) {
    if (!closing) {
      closing = true;
      socket.close(NORMAL_CLOSE, reason);
    }
  }
}
