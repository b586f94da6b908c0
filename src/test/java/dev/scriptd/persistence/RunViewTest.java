package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.bus.RunQuery;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The view's rules without a database: order, filters, cursors, completeness, changes, eviction. */
class RunViewTest {
  private static final long T0 = 1_763_900_000_000L;
  private static final RunQuery ALL = query(null, null, null, null);

  private static RunQuery query(String scriptId, RunStatus status, Long from, Long to) {
    return new RunQuery(scriptId, status, from == null ? null : Instant.ofEpochMilli(from),
        to == null ? null : Instant.ofEpochMilli(to), 0, null);
  }

  private static Run run(String id, String scriptId, RunStatus status, long createdAtMs) {
    return new Run(id, scriptId, Run.KIND_SHELL, "echo " + id, status,
        status.isFinal() ? 0 : null, null, null, 0, "api", Instant.ofEpochMilli(createdAtMs),
        null, status.isFinal() ? Instant.ofEpochMilli(createdAtMs + 5) : null, 60, 0, 0, null, null,
        null, Map.of(), null, null);
  }

  private static Run done(String id, long createdAtMs) {
    return run(id, null, RunStatus.COMPLETED, createdAtMs);
  }

  private static List<String> ids(RunView.Page page) {
    return page.runs().stream().map(Run::id).toList();
  }

  /** Newest first, as loaded at start: {@code runs} are given oldest first for readability. */
  private static RunView loaded(int capacity, List<Run> oldestFirst, List<Run> live) {
    List<Run> newest = new ArrayList<>(oldestFirst);
    java.util.Collections.reverse(newest);
    RunView view = new RunView(capacity);
    view.load(null, newest.subList(0, Math.min(newest.size(), capacity + 1)), live);
    return view;
  }

  @Test
  void pagesAreNewestFirstWithTheIdBreakingTiesOfOneMillisecond() {
    RunView view = loaded(100, List.of(done("a", T0), done("c", T0 + 1), done("b", T0 + 1), done("d", T0 + 2)),
        List.of());

    RunView.Page page = view.page(ALL, null, 10);

    assertEquals(List.of("d", "c", "b", "a"), ids(page));
    assertNull(page.nextCursor());
  }

  @Test
  void aCursorContinuesBelowTheLastRunOfThePreviousPage() {
    RunView view = loaded(100, List.of(done("a", T0), done("b", T0 + 1), done("c", T0 + 1), done("d", T0 + 2)),
        List.of());

    RunView.Page first = view.page(ALL, null, 2);
    RunView.Page second = view.page(ALL, RunCursor.decode(first.nextCursor()), 2);

    assertEquals(List.of("d", "c"), ids(first));
    assertEquals(new RunCursor(T0 + 1, "c"), RunCursor.decode(first.nextCursor()));
    assertEquals(List.of("b", "a"), ids(second));
    assertNull(second.nextCursor(), "no run follows the last one");
  }

  @Test
  void filtersMatchScriptStatusAndTheHalfOpenTimeRange() {
    RunView view = loaded(100, List.of(
        run("a", "s1", RunStatus.COMPLETED, T0),
        run("b", "s2", RunStatus.FAILED, T0 + 10),
        run("c", "s1", RunStatus.FAILED, T0 + 20),
        run("d", "s1", RunStatus.COMPLETED, T0 + 30)), List.of());

    assertEquals(List.of("d", "c", "a"), ids(view.page(query("s1", null, null, null), null, 10)));
    assertEquals(List.of("c", "b"), ids(view.page(query(null, RunStatus.FAILED, null, null), null, 10)));
    assertEquals(List.of("c", "b"), ids(view.page(query(null, null, T0 + 10, T0 + 30), null, 10)),
        "from is inclusive, to exclusive");
    assertEquals(List.of("c"), ids(view.page(query("s1", RunStatus.FAILED, T0 + 5, null), null, 10)));
  }

  @Test
  void aPageReachingBelowTheFloorIsNotAnsweredFromMemory() {
    List<Run> runs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      runs.add(done("r" + i, T0 + i));
    }
    RunView view = loaded(5, runs, List.of());

    assertEquals(new RunView.Key(T0 + 4, "r4"), view.floor(), "the sixth newest run is the floor");
    assertEquals(List.of("r9", "r8", "r7"), ids(view.page(ALL, null, 3)), "its 4 matches lie above the floor");
    assertNull(view.page(ALL, null, 5), "the 6th match may be below the floor");
    assertNull(view.page(ALL, RunCursor.decode(view.page(ALL, null, 3).nextCursor()), 3));
    assertNotNull(view.page(query(null, null, T0 + 5, null), null, 50), "from above the floor: complete");
    assertNull(view.page(query(null, null, T0 + 4, null), null, 50), "from at the floor's millisecond: not");
  }

  @Test
  void aViewHoldingEveryRunAnswersEveryPage() {
    RunView view = loaded(5, List.of(done("a", T0), done("b", T0 + 1)), List.of());

    assertNull(view.floor());
    assertEquals(List.of("b", "a"), ids(view.page(ALL, null, 50)), "fewer matches than asked for");
    assertEquals(List.of(), ids(view.page(query("none", null, null, null), null, 1)), "no match at all");
  }

  @Test
  void savesEvictTheOldestFinishedRunsAndRaiseTheFloorButKeepLiveOnes() {
    RunView view = loaded(3, List.of(), List.of());
    view.saved(run("live", null, RunStatus.RUNNING, T0));
    for (int i = 1; i <= 5; i++) {
      view.saved(done("f" + i, T0 + i));
    }

    assertEquals(List.of("f5", "f4", "f3", "live"), view.heldRuns().stream().map(Run::id).toList());
    assertEquals(new RunView.Key(T0 + 2, "f2"), view.floor());
    assertEquals(List.of("f5", "f4"), ids(view.page(ALL, null, 2)));
    assertNull(view.page(ALL, null, 3), "the live run lies below the floor: the database answers");

    view.saved(run("live", null, RunStatus.KILLED, T0));

    assertNull(view.held("live"), "a run below the floor leaves the view when it ends");
  }

  @Test
  void aClusteredViewHoldsNothingAndSendsEveryReadToTheDatabase() {
    RunView view = new RunView(100, true);
    view.load(null, List.of(done("a", T0)), List.of(run("live", null, RunStatus.RUNNING, T0 + 1)));
    view.saved(done("b", T0 + 2));
    view.saved(run("c", null, RunStatus.RUNNING, T0 + 3));
    view.pinned("b", true);
    view.logFlushed("c", 10, 100);

    assertEquals(List.of(), view.heldRuns(), "other nodes change the shared database behind this view");
    assertNull(view.held("b"));
    Run running = run("c", null, RunStatus.RUNNING, T0 + 3);
    assertSame(running, view.withStoredPin(running));
    // with no pool the database is not open: each read failing so shows it went past memory
    for (io.vertx.core.Future<?> read : List.of(view.runJson("b"), view.pageJson(ALL))) {
      assertTrue(read.failed(), "answered from memory: " + read.result());
      assertEquals("the database is not open", read.cause().getMessage());
    }
  }

  @Test
  void aDeletedRunLeavesTheViewAndPagesStayComplete() {
    RunView view = loaded(100, List.of(done("a", T0), done("b", T0 + 1), done("c", T0 + 2)), List.of());

    view.deleted(List.of("b"));

    assertNull(view.held("b"));
    assertEquals(List.of("c", "a"), ids(view.page(ALL, null, 10)));
  }

  @Test
  void logFlushesRaiseLinesAndAddBytesAndASaveNeverLowersThem() {
    RunView view = loaded(100, List.of(), List.of());
    Run running = run("r", null, RunStatus.RUNNING, T0);
    view.saved(running);

    view.logFlushed("r", 40, 400);
    view.logFlushed("r", 55, 150);
    assertEquals(55, view.held("r").logLines());
    assertEquals(550, view.held("r").logBytes());

    view.saved(running.withLog(50, 500).withProgress(70));
    assertEquals(55, view.held("r").logLines(), "the upsert keeps MAX(stored, saved)");
    assertEquals(550, view.held("r").logBytes());
    assertEquals(70, view.held("r").progress());

    view.saved(running.withLog(60, 600));
    assertEquals(60, view.held("r").logLines());
    assertEquals(600, view.held("r").logBytes());
  }

  @Test
  void theCachedJsonIsTheRunsApiJsonAndChangesWithTheRun() {
    RunView view = loaded(100, List.of(), List.of());
    Run pending = run("p", "s", RunStatus.PENDING, T0);
    view.saved(pending);
    Buffer first = view.page(ALL, null, 10).json().get(0);
    assertEquals(pending.toJson(), new JsonObject(first));

    Run ended = pending.started(1, 2L, Instant.ofEpochMilli(T0 + 1))
        .ended(RunStatus.COMPLETED, 0, null, null, Instant.ofEpochMilli(T0 + 9));
    view.saved(ended);

    assertEquals(ended.toJson(), new JsonObject(view.page(ALL, null, 10).json().get(0)));
  }

  @Test
  void aPageEncodesAsJsonObjectEncodeWould() {
    Run a = done("a", T0);
    Run b = done("b", T0 + 1);

    Buffer page = RunView.pageJson(List.of(b.toJson().toBuffer(), a.toJson().toBuffer()), "abc_-");
    Buffer empty = RunView.pageJson(List.of(), (String) null);

    assertEquals(new JsonObject().put("items", new io.vertx.core.json.JsonArray().add(b.toJson()).add(a.toJson()))
        .put("next_cursor", "abc_-").encode(), page.toString());
    assertEquals("{\"items\":[],\"next_cursor\":null}", empty.toString());
  }

  private static Buffer pageJson(RunView view, RunQuery query) {
    return view.pageJson(query).result();
  }

  @Test
  void aPageIsKeptAndAnsweredAgainUntilAnyChangeOfTheView() {
    RunView view = loaded(100, List.of(done("a", T0), done("b", T0 + 1), done("c", T0 + 2)), List.of());
    Buffer first = pageJson(view, ALL);
    assertSame(first, pageJson(view, ALL));
    assertEquals(List.of("c", "b", "a"), ids(new JsonObject(first)));
    // another question is another page
    RunQuery two = new RunQuery(null, null, null, null, 2, null);
    assertEquals(List.of("c", "b"), ids(new JsonObject(pageJson(view, two))));
    assertSame(first, pageJson(view, ALL));

    view.pinned("b", true);
    Buffer pinned = pageJson(view, ALL);
    assertNotSame(first, pinned);
    assertEquals(true, new JsonObject(pinned).getJsonArray("items").getJsonObject(1).getBoolean("pinned"));
    assertSame(pinned, pageJson(view, ALL));

    view.logFlushed("a", 7, 70);
    Buffer flushed = pageJson(view, ALL);
    assertEquals(7, new JsonObject(flushed).getJsonArray("items").getJsonObject(2).getLong("log_lines"));

    view.saved(done("d", T0 + 3));
    assertEquals(List.of("d", "c", "b", "a"), ids(new JsonObject(pageJson(view, ALL))));

    view.deleted(List.of("c"));
    Buffer deleted = pageJson(view, ALL);
    assertEquals(List.of("d", "b", "a"), ids(new JsonObject(deleted)));
    assertEquals(new JsonObject(view.pageJson(ALL).result()), new JsonObject(deleted));
  }

  @Test
  void aPageHoldingARunningRunIsBuiltForEachRead() {
    RunView view = loaded(100, List.of(done("a", T0)), List.of());
    view.saved(run("r", null, RunStatus.PENDING, T0 + 1).started(1, 2L, Instant.ofEpochMilli(T0 + 2)));
    Buffer first = pageJson(view, ALL);
    assertNotSame(first, pageJson(view, ALL));
    assertEquals(List.of("r", "a"), ids(new JsonObject(first)));
    // below the running run, the same question keeps its page
    RunQuery older = new RunQuery(null, null, null, Instant.ofEpochMilli(T0 + 1), 0, null);
    assertSame(pageJson(view, older), pageJson(view, older));
  }

  private static List<String> ids(JsonObject page) {
    return page.getJsonArray("items").stream().map(item -> ((JsonObject) item).getString("id")).toList();
  }

  @Test
  void aKeptPageAnswersOnlyTheSameFiltersCursorAndLimit() {
    RunQuery base = new RunQuery("s", RunStatus.COMPLETED, Instant.ofEpochMilli(T0), Instant.ofEpochMilli(T0 + 9), 5,
        "c", "p", "api", "r", "ada");
    assertTrue(RunView.sameQuestion(base, new RunQuery("s", RunStatus.COMPLETED, Instant.ofEpochMilli(T0),
        Instant.ofEpochMilli(T0 + 9), 7, "c", "p", "api", "r", "ada")));
    List<RunQuery> others = List.of(
        new RunQuery("t", RunStatus.COMPLETED, Instant.ofEpochMilli(T0), Instant.ofEpochMilli(T0 + 9), 5, "c", "p", "api", "r", "ada"),
        new RunQuery("s", RunStatus.FAILED, Instant.ofEpochMilli(T0), Instant.ofEpochMilli(T0 + 9), 5, "c", "p", "api", "r", "ada"),
        new RunQuery("s", RunStatus.COMPLETED, null, Instant.ofEpochMilli(T0 + 9), 5, "c", "p", "api", "r", "ada"),
        new RunQuery("s", RunStatus.COMPLETED, Instant.ofEpochMilli(T0), null, 5, "c", "p", "api", "r", "ada"),
        new RunQuery("s", RunStatus.COMPLETED, Instant.ofEpochMilli(T0), Instant.ofEpochMilli(T0 + 9), 5, "d", "p", "api", "r", "ada"),
        new RunQuery("s", RunStatus.COMPLETED, Instant.ofEpochMilli(T0), Instant.ofEpochMilli(T0 + 9), 5, "c", "q", "api", "r", "ada"),
        new RunQuery("s", RunStatus.COMPLETED, Instant.ofEpochMilli(T0), Instant.ofEpochMilli(T0 + 9), 5, "c", "p", "ui", "r", "ada"),
        new RunQuery("s", RunStatus.COMPLETED, Instant.ofEpochMilli(T0), Instant.ofEpochMilli(T0 + 9), 5, "c", "p", "api", "x", "ada"),
        new RunQuery("s", RunStatus.COMPLETED, Instant.ofEpochMilli(T0), Instant.ofEpochMilli(T0 + 9), 5, "c", "p", "api", "r", "bob"));
    for (RunQuery other : others) {
      assertFalse(RunView.sameQuestion(base, other), other.toString());
    }
    // a new filter of RunQuery must be compared too: one query above differs in each filter
    assertEquals(others.size() + 1, RunQuery.class.getRecordComponents().length,
        "RunQuery has a component sameQuestion does not know; compare it there and add a case here");
  }
}
