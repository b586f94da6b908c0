package dev.scriptd.bench;

import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The transport baseline of TailBenchmark: a server that does nothing but write the same SSE
 * bytes scriptd would (same events, same stamps, one chunk per subscriber every coalesce
 * interval) to plain sockets. What it achieves is what the machine's loopback and the client allow.
 * Usage (started by TailBenchmark in its own JVM): BlastServer port subscribers lines rate coalesceMs
 */
public final class BlastServer {
  private static final byte[] HEAD = ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
      + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

  private BlastServer() {
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int subscribers = Integer.parseInt(args[1]);
    long lines = Long.parseLong(args[2]);
    int rate = Integer.parseInt(args[3]);
    long coalesceMs = Long.parseLong(args[4]);
    Vertx vertx = Vertx.vertx();
    List<NetSocket> sockets = new CopyOnWriteArrayList<>();
    NetServer server = vertx.createNetServer().connectHandler(socket -> socket.handler(request -> {
      socket.handler(null);
      socket.write(Buffer.buffer(HEAD));
      sockets.add(socket);
      if (sockets.size() == subscribers) {
        blast(vertx, sockets, lines, rate, coalesceMs);
      }
    }));
    server.listen(port, "127.0.0.1").onSuccess(s -> System.out.println("ready")).await();
  }

  private static void blast(Vertx vertx, List<NetSocket> sockets, long lines, int rate, long coalesceMs) {
    long startMicros = nowMicros();
    long[] sent = {0};
    vertx.setPeriodic(coalesceMs, timer -> {
      long due = Math.min(lines, (nowMicros() - startMicros) * rate / 1_000_000);
      if (due > sent[0]) {
        StringBuilder events = new StringBuilder();
        for (long i = sent[0] + 1; i <= due; i++) {
          long stamp = startMicros + i * 1_000_000 / rate;
          LogLine line = new LogLine(i, stamp / 1000, LogStream.STDOUT, i + " " + stamp);
          events.append(new String(line.sseEvent(), StandardCharsets.UTF_8));
        }
        sent[0] = due;
        writeChunk(sockets, events.toString());
      }
      if (sent[0] == lines) {
        vertx.cancelTimer(timer);
        writeChunk(sockets, "event: done\ndata: {}\n\n");
        sockets.forEach(NetSocket::close);
      }
    });
  }

  /** One HTTP chunk, the same bytes for every socket. */
  private static void writeChunk(List<NetSocket> sockets, String text) {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    Buffer chunk = Buffer.buffer(body.length + 16).appendString(Integer.toHexString(body.length) + "\r\n")
        .appendBytes(body).appendString("\r\n");
    for (NetSocket socket : sockets) {
      socket.write(chunk);
    }
  }

  private static long nowMicros() {
    return java.time.temporal.ChronoUnit.MICROS.between(java.time.Instant.EPOCH, java.time.Instant.now());
  }
}
