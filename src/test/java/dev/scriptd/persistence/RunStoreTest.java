package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.bus.RunPage;
import dev.scriptd.bus.RunQuery;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunLimits;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.domain.RunUsage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RunStoreTest extends PersistenceTestBase {

  @Test
  void saveThenGetRoundTripsEveryField() {
    Run run = new Run(UUID.randomUUID().toString(), "script-1", Run.KIND_JS, "main.js",
        RunStatus.FAILED, 3, 4321, 987_654_321_000L, 75, "cron", Instant.ofEpochMilli(T0),
        Instant.ofEpochMilli(T0 + 10), Instant.ofEpochMilli(T0 + 2500), 600, 12, 345,
        UUID.randomUUID().toString(),
        new JsonObject().put("answer", 42).put("items", new JsonArray().add("a").add(true)),
        "boom: it broke", Map.of("HOME", "/root", "MODE", "x=y \"quoted\""), "/srv/work",
        new RunLimits(10L, 1L << 28, null, 64L, 5, 4096L, RunLimits.KILL));

    assertEquals(run, save(run));
    assertEquals(run, get(run.id()));
  }

  @Test
  void saveUpdatesAnExistingRun() {
    Run run = save(pendingRun(null, T0));
    Run ended = run.started(77, null, Instant.ofEpochMilli(T0 + 5))
        .ended(RunStatus.COMPLETED, 0, "done", null, Instant.ofEpochMilli(T0 + 50))
        .withProgress(100);

    save(ended);

    assertEquals(ended, get(run.id()));
  }

  @Test
  @org.junit.jupiter.api.DisplayName("created_by is stored, listed by its filter, and kept by a later save that does not carry it")
  void createdByIsStoredAndKept() {
    Run run = save(pendingRun(null, T0).withCreatedBy("ci"));
    save(pendingRun(null, T0 + 1));
    assertEquals("ci", get(run.id()).createdBy());
    save(run.withCreatedBy(null).started(77, null, Instant.ofEpochMilli(T0 + 5)));
    assertEquals("ci", get(run.id()).createdBy(), "who started a run never changes");
    RunPage byCi = list(new RunQuery(null, null, null, null, 50, null, null, null, null, "ci"));
    assertEquals(List.of(run.id()), byCi.items().stream().map(Run::id).toList());
  }

  @Test
  @org.junit.jupiter.api.DisplayName("a run's usage is stored with its end, and a later save without one keeps it")
  void usageIsStoredAndKept() {
    Run run = save(pendingRun(null, T0));
    RunUsage usage = new RunUsage(1234L, 56L, null, 3L, RunUsage.CGROUP);
    Run ended = run.started(77, null, Instant.ofEpochMilli(T0 + 5))
        .ended(RunStatus.COMPLETED, 0, null, null, Instant.ofEpochMilli(T0 + 50)).withUsage(usage);
    assertEquals(ended, save(ended));
    assertEquals(usage, get(run.id()).usage());
    assertEquals(usage.toJson(), get(run.id()).toJson().getJsonObject("usage"));

    save(ended.withUsage(null));
    assertEquals(usage, get(run.id()).usage());
    assertNull(get(save(pendingRun(null, T0 + 1)).id()).usage());
  }

  @Test
  @org.junit.jupiter.api.DisplayName("a run's node is stored and kept by a later save without one; a node's live runs are those pending or running that name it")
  void nodeIsStoredKeptAndQueried() {
    Run run = save(pendingRun(null, T0).withNode("node-a"));
    Run running = run.withNode(null).started(77, null, Instant.ofEpochMilli(T0 + 5));
    save(running);
    assertEquals("node-a", get(run.id()).node(), "the node that runs it is kept");
    assertEquals("node-a", get(run.id()).toJson().getString("node"));
    Run other = save(pendingRun(null, T0 + 1).withNode("node-b"));
    Run ended = save(pendingRun(null, T0 + 2).withNode("node-a").started(78, null, Instant.ofEpochMilli(T0 + 6))
        .ended(RunStatus.COMPLETED, 0, null, null, Instant.ofEpochMilli(T0 + 7)));
    Run single = save(pendingRun(null, T0 + 3));
    assertNull(get(single.id()).node());

    RunPage live = request(Addresses.DB_NODE_LIVE_RUNS, "node-a");
    assertEquals(List.of(run.id()), live.items().stream().map(Run::id).toList(),
        "not " + other.id() + " (another node) nor " + ended.id() + " (ended)");
    assertEquals(RunStatus.RUNNING, live.items().get(0).status());
  }

  @Test
  void getUnknownFails404() {
    assertFails(ReplyCodes.NOT_FOUND, "run nope not found", () -> get("nope"));
  }

  @Test
  void listFiltersByScriptStatusAndCreatedAt() {
    Run a1 = save(pendingRun("a", T0 + 1000));
    Run a2 = save(runningRun(T0 + 2000).withProgress(1));
    Run a3 = save(new Run(UUID.randomUUID().toString(), "a", Run.KIND_SHELL, "x", RunStatus.RUNNING,
        null, 1, null, 0, "api", Instant.ofEpochMilli(T0 + 3000), Instant.ofEpochMilli(T0 + 3001),
        null, 10, 0, 0, null, null, null, Map.of(), null, null));
    Run b1 = save(pendingRun("b", T0 + 4000));

    assertEquals(ids(a3, a1), ids(list(query("a", null, null, null))));
    assertEquals(ids(a3, a2), ids(list(query(null, RunStatus.RUNNING, null, null))));
    assertEquals(ids(a3), ids(list(query("a", RunStatus.RUNNING, null, null))));
    assertEquals(ids(a3, a2), ids(list(query(null, null, T0 + 2000, T0 + 4000))));
    assertEquals(ids(b1, a3, a2, a1), ids(list(query(null, null, null, null))));
    assertEquals(ids(), ids(list(query("c", null, null, null))));
  }

  @Test
  void paginationGivesEveryRunOnceNewestFirst() {
    List<Run> saved = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      saved.add(save(pendingRun("s", T0 + (i / 3) * 1000L)));
    }
    saved.sort(Comparator.comparing(Run::createdAt).thenComparing(Run::id).reversed());

    List<String> seen = new ArrayList<>();
    RunPage page = list(new RunQuery(null, null, null, null, 50, null));
    int pages = 1;
    seen.addAll(ids(page));
    while (page.nextCursor() != null && pages < 10) {
      page = list(new RunQuery(null, null, null, null, 50, page.nextCursor()));
      seen.addAll(ids(page));
      pages++;
    }

    assertEquals(3, pages);
    assertEquals(saved.stream().map(Run::id).toList(), seen);
  }

  @Test
  void pagesStayStableWhenRunsAreInsertedBetweenFetches() {
    List<Run> original = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      original.add(save(pendingRun("s", T0 + (i / 4) * 1000L)));
    }
    List<String> seen = new ArrayList<>();
    RunPage page = list(new RunQuery("s", null, null, null, 20, null));
    seen.addAll(ids(page));
    int round = 0;
    while (page.nextCursor() != null) {
      assertTrue(round < 20, "paging does not end");
      for (int i = 0; i < 5; i++) {
        save(pendingRun("s", T0 + 100_000 + round * 10L + i));
        save(pendingRun("s", T0));
      }
      round++;
      page = list(new RunQuery("s", null, null, null, 20, page.nextCursor()));
      seen.addAll(ids(page));
    }

    Set<String> unique = new HashSet<>(seen);
    assertEquals(seen.size(), unique.size(), "a run came twice");
    for (Run run : original) {
      assertTrue(unique.contains(run.id()), "run " + run.createdAt() + " was skipped");
    }
  }

  @Test
  void malformedCursorFails400() {
    assertFails(ReplyCodes.BAD_REQUEST, "cursor is not valid",
        () -> list(new RunQuery(null, null, null, null, 10, "not a cursor!")));
    assertFails(ReplyCodes.BAD_REQUEST, "next_cursor",
        () -> list(new RunQuery(null, null, null, null, 10, "bm9jb2xvbg")));
  }

  @Test
  void lastPageHasNoCursor() {
    save(pendingRun(null, T0));
    save(pendingRun(null, T0 + 1));

    RunPage exact = list(new RunQuery(null, null, null, null, 2, null));

    assertEquals(2, exact.items().size());
    assertNull(exact.nextCursor());
    assertNotNull(list(new RunQuery(null, null, null, null, 1, null)).nextCursor());
  }

  @Test
  void unfinishedRunsAreThePendingAndRunningOnes() {
    Run pending = save(pendingRun(null, T0));
    Run running = save(runningRun(T0 + 1));
    save(runningRun(T0 + 2).ended(RunStatus.KILLED, null, null, null, Instant.ofEpochMilli(T0 + 9)));
    save(pendingRun(null, T0 + 3).ended(RunStatus.LOST, null, null, null, Instant.ofEpochMilli(T0 + 9)));

    RunPage page = request(Addresses.DB_UNFINISHED_RUNS, null);

    assertEquals(Set.of(pending.id(), running.id()), new HashSet<>(ids(page)));
    assertNull(page.nextCursor());
  }

  private static RunQuery query(String scriptId, RunStatus status, Long from, Long to) {
    return new RunQuery(scriptId, status, from == null ? null : Instant.ofEpochMilli(from),
        to == null ? null : Instant.ofEpochMilli(to), 100, null);
  }

  private static List<String> ids(Run... runs) {
    return List.of(runs).stream().map(Run::id).toList();
  }

  private static List<String> ids(RunPage page) {
    return page.items().stream().map(Run::id).toList();
  }
}
