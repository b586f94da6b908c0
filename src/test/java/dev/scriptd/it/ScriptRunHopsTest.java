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
  @DisplayName("POST /api/scripts/{id}/run takes two bus request/replies: the run owner, then the running row, saved once")
  void scriptRunTakesTwoRequests(Vertx vertx) throws Exception {
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
      JsonObject run = new JsonObject(started.body());
      assertEquals("running", run.getString("status"));
      assertTrue(requests.size() <= 2, "request/replies: " + requests);
      // 1. http.ScriptRoutes.run -> the run owner (ScriptRuns.start -> RunController.launch: a slot,
      //    the spawn); 2. the owner -> storage: the run's one row, running, answered once committed
      assertEquals(List.of("scriptd.runs.cmd.start-script", "scriptd.db.cmd.save-run"), requests);
      // that one row is the answer: the real pid and start
      assertTrue(run.getInteger("pid") > 0, started.body());
      JsonObject stored = api.run(run.getString("id"));
      assertEquals("running", stored.getString("status"));
      assertEquals(run.getInteger("pid"), stored.getInteger("pid"));
      assertEquals(run.getString("started_at"), stored.getString("started_at"));
      api.post("/api/scripts/hops/kill", null);
    } finally {
      server.close();
    }
  }
}
