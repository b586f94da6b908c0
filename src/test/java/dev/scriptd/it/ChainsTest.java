package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Chains: a run's then starts the next scripts' runs")
class ChainsTest {
  @TempDir
  Path dataDir;

  @Test
  @DisplayName("a script chained to itself runs 11 times (chains.max_depth 10), then records one failed run")
  void depthLimit(Vertx vertx) throws Exception {
    TestServer server = TestServer.start(vertx, dataDir);
    try {
      create(server.api, new JsonObject().put("name", "again").put("command", "echo link")
          .put("then", new JsonArray().add(new JsonObject().put("script", "again"))));
      String first = start(server.api, "again");
      List<JsonObject> runs = awaitRuns(server.api, "again", 12);
      assertEquals(11, runs.stream().filter(run -> run.getString("status").equals("completed")).count(), runs.toString());
      JsonObject refused = runs.get(runs.size() - 1);
      assertEquals("failed", refused.getString("status"));
      assertEquals("chain", refused.getString("trigger"));
      assertNull(refused.getString("started_at"), "it never started");
      assertTrue(refused.getString("error").contains("chains.max_depth"), refused.encode());
      // each link's parent is the one before it
      assertEquals(first, runs.get(0).getString("id"));
      assertNull(runs.get(0).getString("parent_run_id"));
      for (int i = 1; i < runs.size(); i++) {
        assertEquals(runs.get(i - 1).getString("id"), runs.get(i).getString("parent_run_id"));
      }
      assertTrue(server.api.get("/metrics").body().contains("scriptd_chain_runs_total{outcome=\"refused\"} 1.0"));
    } finally {
      server.close();
    }
  }

  @Test
  @DisplayName("a chain of three scripts passes an output along: declared outputs become params (typed), the entry's params override them, the rest is dropped")
  void threeScriptChainPassesAnOutputAlong(Vertx vertx) throws Exception {
    TestServer server = TestServer.start(vertx, dataDir);
    try {
      create(server.api, new JsonObject().put("name", "load-rows").put("command", "echo \"loading $SCRIPTD_PARAM_TOTAL rows\"")
          .put("parameters", schema(new JsonObject().put("total", new JsonObject().put("type", "integer")), "total")));
      create(server.api, new JsonObject().put("name", "double-rows")
          .put("command", "echo \"rows=$SCRIPTD_PARAM_ROWS mode=$SCRIPTD_PARAM_MODE\"; "
              + "echo \"total=$((SCRIPTD_PARAM_ROWS * 2))\" >> \"$SCRIPTD_OUTPUT\"")
          .put("parameters", schema(new JsonObject()
              .put("rows", new JsonObject().put("type", "integer"))
              .put("mode", new JsonObject().put("type", "string").put("default", "slow"))
              .put("dry", new JsonObject().put("type", "boolean").put("default", false)), "rows"))
          .put("then", new JsonArray().add(new JsonObject().put("script", "load-rows"))));
      create(server.api, new JsonObject().put("name", "count-rows")
          .put("command", "echo rows=21 >> \"$SCRIPTD_OUTPUT\"; echo mode=upstream >> \"$SCRIPTD_OUTPUT\"; "
              + "echo file=/tmp/rows.csv >> \"$SCRIPTD_OUTPUT\"")
          .put("then", new JsonArray().add(new JsonObject().put("script", "double-rows")
              .put("params", new JsonObject().put("mode", "fast")))));
      String count = start(server.api, "count-rows");
      JsonObject load = awaitRuns(server.api, "load-rows", 1).get(0);
      JsonObject doubled = server.api.run(load.getString("parent_run_id"));
      assertEquals(count, doubled.getString("parent_run_id"));
      assertEquals(new JsonObject().put("rows", 21).put("mode", "fast").put("dry", false), doubled.getJsonObject("params"),
          "rows from the output (as an integer), mode from the entry, dry its default; file is not declared");
      assertEquals(new JsonObject().put("total", "42"), doubled.getJsonObject("outputs"));
      assertEquals("completed", load.getString("status"), load.encode());
      assertEquals(new JsonObject().put("total", 42), load.getJsonObject("params"));
      assertEquals(List.of("loading 42 rows"), server.api.allLines(load.getString("id")).stream()
          .map(line -> line.getString("line")).toList());
    } finally {
      server.close();
    }
  }

  @Test
  @DisplayName("a downstream run whose params do not satisfy its parameters is recorded failed with the reason")
  void invalidParamsAreRecorded(Vertx vertx) throws Exception {
    TestServer server = TestServer.start(vertx, dataDir);
    try {
      create(server.api, new JsonObject().put("name", "needs-day").put("command", "true")
          .put("parameters", schema(new JsonObject().put("day", new JsonObject().put("type", "string")
              .put("format", "date")), "day")));
      create(server.api, new JsonObject().put("name", "gives-nothing").put("command", "true")
          .put("then", new JsonArray().add(new JsonObject().put("script", "needs-day"))));
      String upstream = start(server.api, "gives-nothing");
      JsonObject refused = awaitRuns(server.api, "needs-day", 1).get(0);
      assertEquals("failed", refused.getString("status"));
      assertEquals(upstream, refused.getString("parent_run_id"));
      assertTrue(refused.getString("error").contains("params.day is required"), refused.encode());
    } finally {
      server.close();
    }
  }

  private static JsonObject schema(JsonObject properties, String... required) {
    return new JsonObject().put("type", "object").put("properties", properties)
        .put("required", new JsonArray(List.of((Object[]) required)));
  }

  @Test
  @DisplayName("a chain of three scripts runs in order, each run naming its parent, and only on the listed statuses")
  void threeScriptChain(Vertx vertx) throws Exception {
    TestServer server = TestServer.start(vertx, dataDir);
    try {
      create(server.api, new JsonObject().put("name", "load").put("command", "echo loaded"));
      create(server.api, new JsonObject().put("name", "cleanup-on-failure").put("command", "echo cleaning"));
      create(server.api, new JsonObject().put("name", "transform").put("command", "echo transformed")
          .put("then", new JsonArray().add(new JsonObject().put("script", "load"))
              .add(new JsonObject().put("script", "cleanup-on-failure").put("on", new JsonArray().add("failed")))));
      create(server.api, new JsonObject().put("name", "extract").put("command", "echo extracted")
          .put("then", new JsonArray().add(new JsonObject().put("script", "transform"))));
      String extract = start(server.api, "extract");
      JsonObject load = awaitRuns(server.api, "load", 1).get(0);
      JsonObject transform = server.api.run(load.getString("parent_run_id"));
      assertEquals("completed", server.api.awaitEnd(load.getString("id")).getString("status"));
      assertEquals(extract, transform.getString("parent_run_id"));
      assertEquals("chain", transform.getString("trigger"));
      assertEquals("chain", load.getString("trigger"));
      assertNull(load.getString("created_by"));
      JsonArray children = new JsonObject(server.api.get("/api/runs?parent_run_id=" + extract).body()).getJsonArray("items");
      assertEquals(List.of(transform.getString("id")), children.stream().map(r -> ((JsonObject) r).getString("id")).toList());
      assertEquals(0, new JsonObject(server.api.get("/api/scripts/cleanup-on-failure/runs").body())
          .getJsonArray("items").size(), "transform completed: the failed-only entry did not start");
    } finally {
      server.close();
    }
  }

  @Test
  @DisplayName("a decided chain link still waiting (behind its script's queue) starts after a server restart")
  void decidedLinkSurvivesARestart(Vertx vertx) throws Exception {
    JsonObject config = TestServer.config(dataDir, TestServer.freePort());
    TestServer first = TestServer.start(vertx, config);
    create(first.api, new JsonObject().put("name", "serial").put("command", "sleep ${HOLD:-0}").put("concurrency", "queue"));
    create(first.api, new JsonObject().put("name", "upstream").put("command", "true")
        .put("then", new JsonArray().add(new JsonObject().put("script", "serial"))));
    HttpResponse<String> holding = first.api.post("/api/scripts/serial/run",
        new JsonObject().put("env", new JsonObject().put("HOLD", "30")));
    assertEquals(201, holding.statusCode(), holding.body());
    String upstream = start(first.api, "upstream");
    first.api.awaitEnd(upstream);
    JsonObject link = awaitChild(first.api, upstream);
    assertEquals("pending", link.getString("status"), "queued behind the 30 s run");
    first.close();

    TestServer second = TestServer.start(vertx, config);
    try {
      JsonObject ended = second.api.awaitEnd(link.getString("id"));
      assertEquals("completed", ended.getString("status"), ended.encode());
      assertEquals(upstream, ended.getString("parent_run_id"));
    } finally {
      second.close();
    }
  }

  @Test
  @DisplayName("a disabled downstream script is recorded as a failed run saying why")
  void disabledDownstreamIsRecorded(Vertx vertx) throws Exception {
    TestServer server = TestServer.start(vertx, dataDir);
    try {
      create(server.api, new JsonObject().put("name", "off").put("command", "echo never").put("enabled", false));
      create(server.api, new JsonObject().put("name", "on").put("command", "true")
          .put("then", new JsonArray().add(new JsonObject().put("script", "off"))));
      String upstream = start(server.api, "on");
      JsonObject refused = awaitRuns(server.api, "off", 1).get(0);
      assertEquals("failed", refused.getString("status"));
      assertEquals(upstream, refused.getString("parent_run_id"));
      assertTrue(refused.getString("error").contains("disabled"), refused.encode());
    } finally {
      server.close();
    }
  }

  @Test
  @DisplayName("then naming an unknown script is a 400 on save; deleting a script another's then names is a 409 listing them")
  void namesAreChecked(Vertx vertx) throws Exception {
    TestServer server = TestServer.start(vertx, dataDir);
    try {
      HttpResponse<String> unknown = server.api.post("/api/scripts", new JsonObject().put("name", "a").put("command", "true")
          .put("then", new JsonArray().add(new JsonObject().put("script", "nowhere"))));
      assertEquals(400, unknown.statusCode(), unknown.body());
      assertTrue(unknown.body().contains("then[0].script"), unknown.body());
      create(server.api, new JsonObject().put("name", "b").put("command", "true"));
      create(server.api, new JsonObject().put("name", "a1").put("command", "true")
          .put("then", new JsonArray().add(new JsonObject().put("script", "b"))));
      create(server.api, new JsonObject().put("name", "a2").put("command", "true")
          .put("then", new JsonArray().add(new JsonObject().put("script", "b"))));
      HttpResponse<String> delete = server.api.send("DELETE", "/api/scripts/b", null);
      assertEquals(409, delete.statusCode(), delete.body());
      assertTrue(delete.body().contains("a1") && delete.body().contains("a2"), delete.body());
      assertEquals(200, server.api.get("/api/scripts/b").statusCode());
    } finally {
      server.close();
    }
  }

  @Test
  @DisplayName("renaming a script another's then names by its name is a 409 listing them; named by id, the rename goes through and the chain still runs")
  void renameKeepsChainsTrue(Vertx vertx) throws Exception {
    TestServer server = TestServer.start(vertx, dataDir);
    try {
      create(server.api, new JsonObject().put("name", "b").put("command", "true"));
      create(server.api, new JsonObject().put("name", "a1").put("command", "true")
          .put("then", new JsonArray().add(new JsonObject().put("script", "b"))));
      HttpResponse<String> rename = server.api.send("PUT", "/api/scripts/b",
          new JsonObject().put("name", "b2").put("command", "true").encode());
      assertEquals(409, rename.statusCode(), rename.body());
      assertTrue(rename.body().contains("a1"), rename.body());
      assertEquals(200, server.api.get("/api/scripts/b").statusCode(), "nothing was changed");
      // an unchanged name, or a chain by id, does not stand in the way
      assertEquals(200, server.api.send("PUT", "/api/scripts/b",
          new JsonObject().put("name", "b").put("command", "echo same-name").encode()).statusCode());
      String id = new JsonObject(server.api.get("/api/scripts/b").body()).getString("id");
      assertEquals(200, server.api.send("PUT", "/api/scripts/a1", new JsonObject().put("name", "a1")
          .put("command", "true").put("then", new JsonArray().add(new JsonObject().put("script", id))).encode())
          .statusCode());
      HttpResponse<String> renamed = server.api.send("PUT", "/api/scripts/b",
          new JsonObject().put("name", "b2").put("command", "true").encode());
      assertEquals(200, renamed.statusCode(), renamed.body());
      JsonObject child = awaitChild(server.api, start(server.api, "a1"));
      assertEquals(id, child.getString("script_id"));
    } finally {
      server.close();
    }
  }

  private static void create(Api api, JsonObject definition) {
    HttpResponse<String> created = api.post("/api/scripts", definition);
    assertEquals(201, created.statusCode(), created.body());
  }

  private static String start(Api api, String script) {
    HttpResponse<String> response = api.post("/api/scripts/" + script + "/run", new JsonObject());
    assertEquals(201, response.statusCode(), response.body());
    return new JsonObject(response.body()).getString("id");
  }

  private static JsonObject awaitChild(Api api, String parent) {
    Instant end = Instant.now().plusSeconds(20);
    while (true) {
      JsonArray items = new JsonObject(api.get("/api/runs?parent_run_id=" + parent).body()).getJsonArray("items");
      if (!items.isEmpty()) {
        return items.getJsonObject(0);
      }
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("run " + parent + " started no chained run");
      }
      LockSupport.parkNanos(20_000_000L);
    }
  }

  /** The script's first {@code count} runs once all have ended, oldest first. */
  private static List<JsonObject> awaitRuns(Api api, String script, int count) {
    Instant end = Instant.now().plusSeconds(30);
    while (true) {
      JsonArray items = new JsonObject(api.get("/api/scripts/" + script + "/runs?limit=100").body()).getJsonArray("items");
      List<JsonObject> runs = new ArrayList<>();
      for (int i = items.size() - 1; i >= 0; i--) {
        runs.add(items.getJsonObject(i));
      }
      if (runs.size() >= count && runs.stream().allMatch(run -> run.getString("ended_at") != null)) {
        return runs;
      }
      if (Instant.now().isAfter(end)) {
        throw new AssertionError(script + " did not reach " + count + " ended runs: " + runs);
      }
      LockSupport.parkNanos(50_000_000L);
    }
  }
}
