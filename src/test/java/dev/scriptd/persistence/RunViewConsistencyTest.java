package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.CleanupRequest;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.bus.RunPage;
import dev.scriptd.bus.RunQuery;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The view against SQL on random data: every page (walked with cursors), every run and the stats
 * from {@link RunView} equal what the persistence verticle's own SQL answers, after saves, log
 * flushes, deletes and retention, while the view holds only part of the history.
 */
class RunViewConsistencyTest extends PersistenceTestBase {
  private static final RunStatus[] STATUSES = RunStatus.values();
  private static final String[] SCRIPTS = {null, "s1", "s2", "s3"};

  private RunView view;
  private final Random random = new Random(16);
  private final List<Run> runs = new ArrayList<>();

  private void deployWithView(int viewRuns) {
    await(vertx.undeploy(deploymentId));
    view = new RunView(viewRuns);
    deploymentId = await(vertx.deployVerticle(new PersistenceVerticle(view),
        new DeploymentOptions().setConfig(config(new JsonObject()))));
  }

  /** A run in a random state; running ones without a start time, so duration_ms is stable. */
  private Run randomRun() {
    RunStatus status = STATUSES[random.nextInt(STATUSES.length)];
    long created = T0 + random.nextInt(40) * 1000L; // many share a millisecond: the id breaks ties
    boolean ended = status.isFinal();
    return new Run(UUID.randomUUID().toString(), SCRIPTS[random.nextInt(SCRIPTS.length)], Run.KIND_SHELL,
        "echo " + random.nextInt(), status, ended ? random.nextInt(3) : null, null, null,
        random.nextInt(101), "api", Instant.ofEpochMilli(created),
        ended ? Instant.ofEpochMilli(created + 1) : null,
        ended ? Instant.ofEpochMilli(created + 2 + random.nextInt(500)) : null, 60,
        random.nextInt(5), random.nextInt(50), null, null, null, Map.of("K", "v"), null, null);
  }

  private List<RunQuery> queries() {
    List<RunQuery> queries = new ArrayList<>();
    for (String script : SCRIPTS) {
      for (RunStatus status : new RunStatus[] {null, RunStatus.COMPLETED, RunStatus.RUNNING, RunStatus.PENDING}) {
        for (int limit : new int[] {1, 3, 7, 50}) {
          queries.add(new RunQuery(script, status, null, null, limit, null));
        }
      }
    }
    for (int i = 0; i < 30; i++) {
      Instant from = random.nextBoolean() ? null : Instant.ofEpochMilli(T0 + random.nextInt(45) * 1000L);
      Instant to = random.nextBoolean() ? null : Instant.ofEpochMilli(T0 + random.nextInt(45) * 1000L);
      queries.add(new RunQuery(SCRIPTS[random.nextInt(SCRIPTS.length)], null, from, to, 1 + random.nextInt(9), null));
    }
    return queries;
  }

  private static String sqlPage(RunPage page) {
    JsonArray items = new JsonArray();
    page.items().forEach(run -> items.add(run.toJson()));
    return new JsonObject().put("items", items).put("next_cursor", page.nextCursor()).encode();
  }

  /** Walks every query's pages through both, cursor by cursor; counts pages the view answered itself. */
  private int assertSameAnswers() {
    int fromMemory = 0;
    for (RunQuery first : queries()) {
      RunQuery query = first;
      for (int pages = 0; pages < 200; pages++) {
        RunPage expected = list(query);
        RunCursor after = query.cursor() == null ? null : RunCursor.decode(query.cursor());
        if (view.page(query, after, query.limit()) != null) {
          fromMemory++;
        }
        assertEquals(sqlPage(expected), await(view.pageJson(query)).toString(), query.toString());
        if (expected.nextCursor() == null) {
          break;
        }
        query = new RunQuery(query.scriptId(), query.status(), query.from(), query.to(), query.limit(),
            expected.nextCursor());
      }
      JsonObject stats = request(Addresses.DB_RUN_STATS, first);
      assertEquals(stats, await(view.stats(first)), first.toString());
    }
    for (Run run : runs) {
      String expected;
      try {
        expected = get(run.id()).toJson().encode();
      } catch (io.vertx.core.eventbus.ReplyException gone) {
        assertEquals(ReplyCodes.NOT_FOUND, gone.failureCode());
        assertFails(ReplyCodes.NOT_FOUND, "not found", () -> await(view.runJson(run.id())));
        continue;
      }
      assertEquals(expected, await(view.runJson(run.id())).toString());
    }
    return fromMemory;
  }

  @Test
  void pagesRunsAndStatsFromTheViewEqualTheDatabasesAfterSavesFlushesAndDeletes() {
    deployWithView(25);
    for (int i = 0; i < 120; i++) {
      runs.add(save(randomRun()));
    }
    assertTrue(assertSameAnswers() > 20, "the view answered pages itself");

    // log flushes of live runs, then updates that carry lower counters than the flushes left
    List<Run> live = runs.stream().filter(run -> !run.status().isFinal()).toList();
    for (Run run : live) {
      append(chunk(run.id(), 1, 3 + random.nextInt(20)));
    }
    for (Run run : live) {
      readLogs(run.id(), 0, 1); // waits for its lines to be committed
    }
    for (int i = 0; i < live.size(); i += 2) {
      save(live.get(i).withProgress(42));
    }
    // new runs, deletes of finished ones, a retention pass and a deleted script
    for (int i = 0; i < 40; i++) {
      runs.add(save(randomRun()));
    }
    for (Run run : runs) {
      if (run.status().isFinal() && random.nextInt(4) == 0) {
        request(Addresses.DB_DELETE_RUN, run.id());
      }
    }
    request(Addresses.DB_CLEANUP, new CleanupRequest(36_500, 5, 0, 10, false, false));
    vertx.eventBus().request(Addresses.DB_DELETE_SCRIPT, "s3"); // refused while s3 has live runs
    assertSameAnswers();

    // pins: set on live runs, then saves of those runs (the run path knows no pins), a dry run that
    // deletes every finished run and rolls back, and a pass that deletes every unpinned finished run
    for (int i = 0; i < live.size(); i += 3) {
      request(Addresses.DB_PIN_RUN, new JsonObject().put("run_id", live.get(i).id()).put("pinned", true));
      save(live.get(i).withProgress(77));
    }
    request(Addresses.DB_CLEANUP, new CleanupRequest(0, 5, 0, 10, true, false));
    assertSameAnswers();
    request(Addresses.DB_CLEANUP, new CleanupRequest(0, 5, 0, 10, false, false));
    assertSameAnswers();
  }

  @Test
  void aRestartedViewLoadsTheNewestRunsAndEveryLiveOne() {
    deployWithView(10);
    for (int i = 0; i < 60; i++) {
      runs.add(save(randomRun()));
    }
    deployWithView(10);

    long live = runs.stream().filter(run -> !run.status().isFinal()).count();
    assertTrue(view.heldRuns().size() >= 10 && view.heldRuns().size() <= 10 + live);
    for (Run run : runs) {
      if (!run.status().isFinal()) {
        assertEquals(run.id(), view.held(run.id()).id(), "every live run is held");
      }
    }
    assertSameAnswers();
  }
}
