package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("The control plane's hops: the bus request/replies behind one API call")
class ScriptRunHopsTest {
  @TempDir
  Path dataDir;

  @Test
  @DisplayName("POST /api/scripts/{id}/run takes three bus request/replies: the run owner, the pending row, the running row")
  void scriptRunTakesThreeRequests(Vertx vertx) throws Exception {
    TestServer server = TestServer.start(vertx, dataDir);
    try {
      Api api = server.api;
      assertEquals(201, api.post("/api/scripts", new JsonObject().put("name", "hops").put("command", "sleep 5"))
          .statusCode());
      // the first start reads the definition from storage (then the run owner keeps it)
      HttpResponse<String> warm = api.post("/api/scripts/hops/run", null);
      assertEquals(201, warm.statusCode(), warm.body());

      List<String> requests = new CopyOnWriteArrayList<>();
      AtomicBoolean counting = new AtomicBoolean();
      vertx.eventBus().addOutboundInterceptor(delivery -> {
        String address = delivery.message().address();
        // a token lookup is the auth of the request (cached per HTTP instance), not the run's path
        if (counting.get() && delivery.message().replyAddress() != null && !address.endsWith("db.query.token")) {
          requests.add(address);
        }
        delivery.next();
      });
      counting.set(true);
      HttpResponse<String> started = api.post("/api/scripts/hops/run", null);
      counting.set(false);
      assertEquals(201, started.statusCode(), started.body());
      assertEquals("running", new JsonObject(started.body()).getString("status"));
      assertTrue(requests.size() <= 3, "request/replies: " + requests);
      assertEquals(List.of("scriptd.runs.cmd.start-script", "scriptd.db.cmd.save-run", "scriptd.db.cmd.save-run"),
          requests);
      api.post("/api/scripts/hops/kill", null);
    } finally {
      server.close();
    }
  }
}
