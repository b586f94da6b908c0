package dev.scriptd.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Reads a text/event-stream with the JDK client, as curl -N or EventSource would. */
final class SseClient implements AutoCloseable {
  record Event(String id, String event, String data) {
  }

  /** Marks the end of the stream (the server closed it). */
  static final Event CLOSED = new Event(null, "__closed__", null);

  final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  final CompletableFuture<HttpResponse<Stream<String>>> response;
  final List<String> comments = new ArrayList<>();

  SseClient(HttpClient client, String url, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream");
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    response = client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines());
    response.thenAcceptAsync(r -> parse(r.body()));
  }

  private void parse(Stream<String> lines) {
    String[] current = new String[3];
    try {
      lines.forEach(line -> {
        if (line.isEmpty()) {
          if (current[2] != null) {
            events.add(new Event(current[0], current[1], current[2]));
          }
          current[0] = current[1] = current[2] = null;
        } else if (line.startsWith(":")) {
          synchronized (comments) {
            comments.add(line);
          }
        } else if (line.startsWith("id: ")) {
          current[0] = line.substring(4);
        } else if (line.startsWith("event: ")) {
          current[1] = line.substring(7);
        } else if (line.startsWith("data: ")) {
          current[2] = line.substring(6);
        }
      });
    } catch (RuntimeException closedByUs) {
      // the test closed the stream
    } finally {
      events.add(CLOSED);
    }
  }

  HttpResponse<Stream<String>> awaitResponse() throws Exception {
    return response.get(10, TimeUnit.SECONDS);
  }

  Event next(Duration timeout) throws InterruptedException {
    Event event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (event == null) {
      throw new AssertionError("no event within " + timeout);
    }
    return event;
  }

  /** Every event until the server closes the stream. */
  List<Event> untilClosed(Duration timeout) throws InterruptedException {
    List<Event> all = new ArrayList<>();
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      Event event = events.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (event == null) {
        throw new AssertionError("stream not closed within " + timeout + "; got " + all.size() + " events");
      }
      if (event == CLOSED) {
        return all;
      }
      all.add(event);
    }
  }

  @Override
  public void close() {
    response.thenAccept(r -> r.body().close());
    response.cancel(true);
  }
}
