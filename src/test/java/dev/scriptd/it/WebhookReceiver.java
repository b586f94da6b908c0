package dev.scriptd.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A webhook receiver as a user would write one, on the JDK's own HTTP server: it records every
 * POST (raw body bytes and headers) and answers with the next status of its script (then 200).
 */
final class WebhookReceiver implements AutoCloseable {
  /** One request as received. */
  record Received(String path, byte[] body, Map<String, List<String>> headers, Instant at, int answered) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    String header(String name) {
      for (Map.Entry<String, List<String>> header : headers.entrySet()) {
        if (header.getKey() != null && header.getKey().equalsIgnoreCase(name)) {
          return header.getValue().get(0);
        }
      }
      return null;
    }
  }

  private final HttpServer server;
  private final ConcurrentLinkedDeque<Integer> answers = new ConcurrentLinkedDeque<>();
  private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final AtomicInteger count = new AtomicInteger();

  WebhookReceiver(Integer... statuses) throws IOException {
    answers.addAll(List.of(statuses));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext("/", exchange -> {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      Integer next = answers.pollFirst();
      int status = next == null ? 200 : next;
      received.add(new Received(exchange.getRequestURI().toString(), body, Map.copyOf(exchange.getRequestHeaders()),
          Instant.now(), status));
      count.incrementAndGet();
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.start();
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** The next request, waiting at most {@code deadline}; fails when none comes. */
  Received next(Duration deadline) throws InterruptedException {
    Received next = received.poll(deadline.toMillis(), TimeUnit.MILLISECONDS);
    if (next == null) {
      throw new AssertionError("no notification arrived within " + deadline);
    }
    return next;
  }

  /** Requests that arrived and were not taken by {@link #next} yet. */
  List<Received> rest() {
    List<Received> rest = new ArrayList<>();
    received.drainTo(rest);
    return rest;
  }

  /** What a receiver computes to check X-Scriptd-Signature: HMAC-SHA256 of the raw body, hex. */
  static String expectedSignature(String secret, byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    StringBuilder hex = new StringBuilder("sha256=");
    for (byte b : mac.doFinal(body)) {
      hex.append(String.format("%02x", b));
    }
    return hex.toString();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
