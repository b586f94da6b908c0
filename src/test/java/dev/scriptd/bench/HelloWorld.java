package dev.scriptd.bench;

import io.vertx.core.Vertx;

/**
 * The HTTP baseline of ControlPlaneBenchmark: the Vert.x hello world (one HTTP server, no
 * metrics, no routing), in a JVM of its own. Usage: HelloWorld port
 */
public final class HelloWorld {
  private HelloWorld() {
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    Vertx.vertx().createHttpServer()
        .requestHandler(request -> request.response().putHeader("content-type", "text/plain").end("Hello World!"))
        .listen(port, "127.0.0.1")
        .onSuccess(server -> System.out.println("ready"))
        .onFailure(e -> {
          e.printStackTrace();
          System.exit(1);
        });
  }
}
