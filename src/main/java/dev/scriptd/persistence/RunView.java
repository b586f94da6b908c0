package dev.scriptd.persistence;

import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.bus.RunQuery;
import dev.scriptd.bus.RunReads;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Live and recent runs, read by every HTTP instance directly (see {@link RunReads}). It holds every
 * pending and running run plus the newest {@code capacity} finished ones, each with its API JSON
 * encoded once. The persistence verticle changes it after each commit and before it acknowledges
 * the write, so a read that starts after an acknowledgement sees the change.
 *
 * <p>Completeness: the view holds every stored run whose (created_at, id) is above {@code floor}
 * (null: every run). A history page is answered here only when that proves it equal to the
 * database's answer: its {@code limit + 1} matches all lie above the floor, or every possible match
 * does; otherwise the reader pool is asked from the caller's context, and a run the view does not
 * hold is read through the database's lookups (on PostgreSQL the caller's event loop's own pipelined
 * connection: no wait for a free connection, no hop to another loop). Evicting the oldest finished run raises the floor to its key; live runs below the floor
 * stay (for {@link #runJson}) until they end.
 *
 * <p>Pages answered from memory that hold no running run (whose duration moves) are kept as one
 * buffer each, at most {@value #KEPT_PAGES} of up to {@value #KEPT_PAGE_BYTES} bytes, and answered
 * again as they are until the view changes: every change counts up {@code version}, and a kept page
 * of an older version is built anew.
 *
 * <p>Clustered, the view holds nothing and every read goes to the shared database: other nodes
 * change runs there without this node's persistence seeing it, so memory could only miss their
 * newest runs or answer an older state of them. A read still sees every acknowledged save, because
 * a save is answered only after its commit, on whichever node made it.
 */
public final class RunView implements RunReads {
  static final int DEFAULT_PAGE = 100;
  static final int MAX_PAGE = 1000;
  static final int KEPT_PAGES = 16;
  static final int KEPT_PAGE_BYTES = 256 * 1024;

  /** A run's place in the history order: created_at, then id (both compared as SQLite does). */
  record Key(long createdAtMs, String id) implements Comparable<Key> {
    static Key of(Run run) {
      return new Key(run.createdAt().toEpochMilli(), run.id());
    }

    @Override
    public int compareTo(Key other) {
      int byTime = Long.compare(createdAtMs, other.createdAtMs);
      return byTime != 0 ? byTime : id.compareTo(other.id);
    }
  }

  /**
   * A held run; its JSON is encoded at most once unless it is running (duration_ms moves), into
   * direct memory outside the heap: responses then hand these bytes to the socket without a copy.
   */
  private static final class Entry {
    final Run run;
    private volatile Buffer json;
    private volatile Buffer cursorTail;

    Entry(Run run) {
      this.run = run;
    }

    Buffer json() {
      if (run.status() == RunStatus.RUNNING) {
        return run.toJson().toBuffer();
      }
      Buffer encoded = json;
      if (encoded == null) {
        encoded = direct(run.toJson().toBuffer().getBytes());
        json = encoded;
      }
      return encoded;
    }

    /** The end of a page whose last run this is: its cursor, quoted (base64url needs no escape), and "}". */
    Buffer cursorTail() {
      Buffer tail = cursorTail;
      if (tail == null) {
        String cursor = new RunCursor(run.createdAt().toEpochMilli(), run.id()).encode();
        tail = direct(("\"" + cursor + "\"}").getBytes(StandardCharsets.US_ASCII));
        cursorTail = tail;
      }
      return tail;
    }
  }

  /** Bytes in a JDK direct buffer (freed by the garbage collector, never by a release). */
  private static Buffer direct(byte[] bytes) {
    ByteBuffer memory = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    return BufferInternal.buffer(Unpooled.wrappedBuffer(memory));
  }

  /** A buffer's bytes (a page's joined parts) copied into one JDK direct buffer, as {@link #direct(byte[])}. */
  private static Buffer direct(Buffer parts) {
    ByteBuf source = ((BufferInternal) parts).getByteBuf();
    ByteBuffer memory = ByteBuffer.allocateDirect(source.readableBytes());
    source.getBytes(source.readerIndex(), memory);
    return BufferInternal.buffer(Unpooled.wrappedBuffer(memory.flip()));
  }

  private static final Buffer ITEMS = direct("{\"items\":[".getBytes(StandardCharsets.US_ASCII));
  private static final Buffer COMMA = direct(new byte[] {','});
  private static final Buffer NEXT = direct("],\"next_cursor\":".getBytes(StandardCharsets.US_ASCII));
  private static final Buffer NO_CURSOR = direct("null}".getBytes(StandardCharsets.US_ASCII));

  private final int capacity;
  /** Holds nothing: every read goes to the database (see the class comment). */
  private final boolean clustered;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final TreeMap<Key, Entry> byKey = new TreeMap<>();
  private final Map<String, Key> keys = new HashMap<>();
  private Key floor;
  private int finishedAboveFloor;
  private volatile Pool reader;
  /** Where a read of one run by id goes, asked on the caller's event loop (see Database#lookups). */
  private volatile Supplier<SqlClient> lookups;
  /** Counts the view's changes (written under the write lock, read under the read lock). */
  private long version;
  /**
   * The kept pages, replaced whole on each change (few entries, read on every list: a scan with
   * {@link #sameQuestion} is cheaper than hashing a query record).
   */
  private volatile KeptPage[] keptPages = new KeptPage[0];

  /** A page as answered at {@code version} to a query (its cursor included) with this limit, in one buffer. */
  private record KeptPage(RunQuery query, int limit, long version, Buffer json) {
  }

  /** A single node's view: {@code capacity} finished runs kept ({@code persistence.view_runs}). */
  public RunView(int capacity) {
    this(capacity, false);
  }

  /**
   * {@code clustered}: this node shares its database with other nodes, so the view holds nothing
   * and every read goes to the database; otherwise as {@link #RunView(int)}.
   */
  public RunView(int capacity, boolean clustered) {
    this.capacity = Math.max(0, capacity);
    this.clustered = clustered;
  }

  int capacity() {
    return capacity;
  }

  /** Whether the view holds nothing and reads go to the database (a node of a cluster). */
  boolean clustered() {
    return clustered;
  }

  // ---- changes, from the persistence verticle after each commit

  /**
   * Fills the view at start: {@code newest} are the newest {@code capacity + 1} stored runs (newest
   * first), {@code live} every pending or running one.
   */
  void load(Pool readerPool, List<Run> newest, List<Run> live) {
    load(readerPool, readerPool == null ? null : () -> readerPool, newest, live);
  }

  /** As {@link #load(Pool, List, List)}; a run by id is read through the client {@code lookupClient} gives the caller. */
  void load(Pool readerPool, Supplier<SqlClient> lookupClient, List<Run> newest, List<Run> live) {
    if (clustered) {
      lookups = lookupClient;
      reader = readerPool;
      return;
    }
    lock.writeLock().lock();
    try {
      version++;
      byKey.clear();
      keys.clear();
      finishedAboveFloor = 0;
      floor = null;
      List<Run> held = newest;
      if (newest.size() > capacity) {
        floor = Key.of(newest.get(capacity));
        held = newest.subList(0, capacity);
      }
      for (Run run : held) {
        put(run);
      }
      for (Run run : live) {
        put(run);
      }
      evict();
      lookups = lookupClient;
      reader = readerPool;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** The run row as it is now stored (see {@link #stored}). */
  void saved(Run run) {
    if (clustered) {
      return;
    }
    lock.writeLock().lock();
    try {
      version++;
      Key key = keys.get(run.id());
      Entry old = key == null ? null : byKey.get(key);
      Run stored = stored(old == null ? null : old.run, run);
      if (stored.status().isFinal() && !above(Key.of(stored))) {
        // a finished run below the floor is not held; the database answers for it
        remove(run.id());
        return;
      }
      put(stored);
      evict();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * What the upsert leaves in the row: it never lowers log_lines or log_bytes that log flushes
   * counted, and never touches the pin (see RunRows.upsert).
   */
  static Run stored(Run before, Run saved) {
    if (before == null) {
      return saved;
    }
    long lines = Math.max(before.logLines(), saved.logLines());
    long bytes = Math.max(before.logBytes(), saved.logBytes());
    Run counted = lines == saved.logLines() && bytes == saved.logBytes() ? saved : saved.withLog(lines, bytes);
    return counted.pinned() == before.pinned() ? counted : counted.withPinned(before.pinned());
  }

  /**
   * {@code run} with the pin the view holds for it: the run owner's copy never learns of a pin set
   * through the API while the run was live, and its answers and events must not undo it.
   */
  Run withStoredPin(Run run) {
    lock.readLock().lock();
    try {
      Key key = keys.get(run.id());
      Entry entry = key == null ? null : byKey.get(key);
      return entry == null || entry.run.pinned() == run.pinned() ? run : run.withPinned(entry.run.pinned());
    } finally {
      lock.readLock().unlock();
    }
  }

  /** A committed change of a run's pin. */
  void pinned(String id, boolean pinned) {
    if (clustered) {
      return;
    }
    lock.writeLock().lock();
    try {
      version++;
      Key key = keys.get(id);
      if (key == null) {
        return;
      }
      Run run = byKey.get(key).run;
      byKey.put(key, new Entry(run.withPinned(pinned)));
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** A committed log flush: as LogBatcher's runs update, lines to at least lastSeq, bytes added. */
  void logFlushed(String id, long lastSeq, long bytes) {
    if (clustered) {
      return;
    }
    lock.writeLock().lock();
    try {
      version++;
      Key key = keys.get(id);
      if (key == null) {
        return;
      }
      Run run = byKey.get(key).run;
      byKey.put(key, new Entry(run.withLog(Math.max(run.logLines(), lastSeq), run.logBytes() + bytes)));
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Runs whose rows a committed transaction deleted. */
  void deleted(Collection<String> ids) {
    if (clustered) {
      return;
    }
    lock.writeLock().lock();
    try {
      version++;
      for (String id : ids) {
        remove(id);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  private boolean above(Key key) {
    return floor == null || key.compareTo(floor) > 0;
  }

  private void put(Run run) {
    Key key = Key.of(run);
    Key oldKey = keys.put(run.id(), key);
    if (oldKey != null) {
      Entry old = byKey.remove(oldKey);
      if (old.run.status().isFinal() && above(oldKey)) {
        finishedAboveFloor--;
      }
    }
    byKey.put(key, new Entry(run));
    if (run.status().isFinal() && above(key)) {
      finishedAboveFloor++;
    }
  }

  private void remove(String id) {
    Key key = keys.remove(id);
    if (key == null) {
      return;
    }
    Entry old = byKey.remove(key);
    if (old.run.status().isFinal() && above(key)) {
      finishedAboveFloor--;
    }
  }

  /** Drops the oldest finished runs above the floor, raising it past each run it passes. */
  private void evict() {
    while (finishedAboveFloor > capacity) {
      Map.Entry<Key, Entry> oldest = floor == null ? byKey.firstEntry() : byKey.higherEntry(floor);
      floor = oldest.getKey();
      if (oldest.getValue().run.status().isFinal()) {
        byKey.remove(floor);
        keys.remove(floor.id());
        finishedAboveFloor--;
      }
    }
  }

  // ---- answers from memory

  /** The held run, or null when the view does not hold it. */
  Run held(String id) {
    lock.readLock().lock();
    try {
      Key key = keys.get(id);
      return key == null ? null : byKey.get(key).run;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Held runs, for tests: every one, newest first. */
  List<Run> heldRuns() {
    lock.readLock().lock();
    try {
      List<Run> runs = new ArrayList<>(byKey.size());
      byKey.descendingMap().values().forEach(entry -> runs.add(entry.run));
      return runs;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The floor's key, for tests: null while the view holds every run. */
  Key floor() {
    lock.readLock().lock();
    try {
      return floor;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** A page answered from memory, or null when the view cannot prove it complete. */
  record Page(List<Run> runs, List<Buffer> json, String nextCursor, Buffer tail) {
  }

  Page page(RunQuery query, RunCursor after, int limit) {
    lock.readLock().lock();
    try {
      // below the cursor and below "to" (the smallest key of that millisecond: created_at < to)
      Key upper = after == null ? null : new Key(after.createdAtMs(), after.id());
      if (query.to() != null) {
        Key to = new Key(query.to().toEpochMilli(), "");
        upper = upper == null || to.compareTo(upper) < 0 ? to : upper;
      }
      NavigableMap<Key, Entry> region;
      if (upper == null) {
        region = floor == null ? byKey : byKey.tailMap(floor, false);
      } else if (floor == null) {
        region = byKey.headMap(upper, false);
      } else {
        region = upper.compareTo(floor) <= 0 ? java.util.Collections.emptyNavigableMap()
            : byKey.subMap(floor, false, upper, false);
      }
      long from = query.from() == null ? Long.MIN_VALUE : query.from().toEpochMilli();
      List<Entry> matches = new ArrayList<>(Math.min(limit + 1, 64));
      for (Entry entry : region.descendingMap().values()) {
        Run run = entry.run;
        if (run.createdAt().toEpochMilli() < from) {
          break;
        }
        if (query.scriptId() != null && !query.scriptId().equals(run.scriptId())
            || query.status() != null && query.status() != run.status()
            || query.createdBy() != null && !query.createdBy().equals(run.createdBy())
            || query.parentRunId() != null && !query.parentRunId().equals(run.lineage().parentRunId())
            || query.retryOf() != null && !query.retryOf().equals(run.lineage().retryOf())
            || query.trigger() != null && !query.trigger().equals(run.trigger())) {
          continue;
        }
        matches.add(entry);
        if (matches.size() > limit) {
          break;
        }
      }
      boolean complete = matches.size() > limit || floor == null || from > floor.createdAtMs();
      if (!complete) {
        return null;
      }
      int count = Math.min(limit, matches.size());
      List<Run> runs = new ArrayList<>(count);
      List<Buffer> json = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        runs.add(matches.get(i).run);
        json.add(matches.get(i).json());
      }
      String next = null;
      Buffer tail = NO_CURSOR;
      if (matches.size() > limit) {
        Run last = runs.get(limit - 1);
        next = new RunCursor(last.createdAt().toEpochMilli(), last.id()).encode();
        tail = matches.get(limit - 1).cursorTail();
      }
      return new Page(runs, json, next, tail);
    } finally {
      lock.readLock().unlock();
    }
  }

  // ---- RunReads: memory first, else the reader pool from the caller's context

  @Override
  public Future<Buffer> runJson(String id) {
    Buffer json;
    lock.readLock().lock();
    try {
      Key key = keys.get(id);
      json = key == null ? null : byKey.get(key).json();
    } finally {
      lock.readLock().unlock();
    }
    if (json != null) {
      return Future.succeededFuture(json);
    }
    Supplier<SqlClient> lookup = lookups;
    SqlClient client = lookup == null ? null : lookup.get();
    if (client == null) {
      return notOpen();
    }
    return onCaller(client.preparedQuery(RunRows.SELECT_ONE).execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) {
        throw new ReplyException(ReplyFailure.RECIPIENT_FAILURE, ReplyCodes.NOT_FOUND,
            "run " + id + " not found");
      }
      return RunRows.fromRow(rows.iterator().next()).toJson().toBuffer();
    }));
  }

  @Override
  public Future<Buffer> pageJson(RunQuery query) {
    RunCursor after;
    try {
      after = query.cursor() == null || query.cursor().isEmpty() ? null : RunCursor.decode(query.cursor());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, ReplyCodes.BAD_REQUEST,
          "cursor is not valid; pass back the next_cursor of a previous page"));
    }
    int limit = query.limit() <= 0 ? DEFAULT_PAGE : Math.min(query.limit(), MAX_PAGE);
    Buffer answered = clustered ? null : fromMemory(query, limit, after);
    if (answered != null) {
      return Future.succeededFuture(answered);
    }
    Pool pool = reader;
    if (pool == null) {
      return notOpen();
    }
    RunRows.PageQuery sql = RunRows.page(query, after, limit);
    return onCaller(pool.preparedQuery(sql.sql()).execute(sql.params()).map(rows -> {
      List<Buffer> json = new ArrayList<>(Math.min(rows.size(), limit));
      Run last = null;
      for (Row row : rows) {
        if (json.size() == limit) {
          return pageJson(json, new RunCursor(last.createdAt().toEpochMilli(), last.id()).encode());
        }
        last = RunRows.fromRow(row);
        json.add(last.toJson().toBuffer());
      }
      return pageJson(json, NO_CURSOR);
    }));
  }

  /** The page from memory (kept, or built and kept when it may be), or null when the database must answer. */
  private Buffer fromMemory(RunQuery query, int limit, RunCursor after) {
    lock.readLock().lock();
    try {
      for (KeptPage kept : keptPages) {
        if (kept.version() == version && kept.limit() == limit && sameQuestion(kept.query(), query)) {
          return kept.json();
        }
      }
      Page page = page(query, after, limit);
      if (page == null) {
        return null;
      }
      Buffer json = pageJson(page.json(), page.tail());
      if (json.length() > KEPT_PAGE_BYTES || holdsRunning(page)) {
        return json;
      }
      Buffer flat = direct(json);
      keep(new KeptPage(query, limit, version, flat));
      return flat;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Adds a page in place of older ones: of another version, or of the same question. */
  private synchronized void keep(KeptPage page) {
    List<KeptPage> kept = new ArrayList<>(KEPT_PAGES);
    for (KeptPage old : keptPages) {
      if (old.version() == page.version() && kept.size() < KEPT_PAGES - 1
          && !(old.limit() == page.limit() && sameQuestion(old.query(), page.query()))) {
        kept.add(old);
      }
    }
    kept.add(page);
    keptPages = kept.toArray(new KeptPage[0]);
  }

  /** The same filters and cursor (limits are compared apart). */
  static boolean sameQuestion(RunQuery a, RunQuery b) {
    return Objects.equals(a.cursor(), b.cursor()) && Objects.equals(a.scriptId(), b.scriptId())
        && a.status() == b.status() && Objects.equals(a.from(), b.from())
        && Objects.equals(a.to(), b.to()) && Objects.equals(a.parentRunId(), b.parentRunId())
        && Objects.equals(a.trigger(), b.trigger()) && Objects.equals(a.retryOf(), b.retryOf())
        && Objects.equals(a.createdBy(), b.createdBy());
  }

  private static boolean holdsRunning(Page page) {
    for (Run run : page.runs()) {
      if (run.status() == RunStatus.RUNNING) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Future<JsonObject> stats(RunQuery query) {
    Pool pool = reader;
    return pool == null ? notOpen() : onCaller(RunRows.stats(pool, query));
  }

  /**
   * {"items":[...],"next_cursor":...} as JsonObject.encode() writes it: the runs' own buffers
   * joined, not copied (a list of 50 is about 25 KB). When every part lies in direct memory the
   * socket write gathers them as they are; a heap part (a running run) makes Netty copy the page once.
   */
  static Buffer pageJson(List<Buffer> items, String nextCursor) {
    return pageJson(items, nextCursor == null ? NO_CURSOR
        : direct(("\"" + nextCursor + "\"}").getBytes(StandardCharsets.US_ASCII)));
  }

  private static Buffer pageJson(List<Buffer> items, Buffer tail) {
    ByteBuf[] parts = new ByteBuf[items.size() * 2 + 3];
    int n = 0;
    parts[n++] = ((BufferInternal) ITEMS).getByteBuf();
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        parts[n++] = ((BufferInternal) COMMA).getByteBuf();
      }
      parts[n++] = ((BufferInternal) items.get(i)).getByteBuf();
    }
    parts[n++] = ((BufferInternal) NEXT).getByteBuf();
    parts[n++] = ((BufferInternal) tail).getByteBuf();
    return BufferInternal.buffer(Unpooled.wrappedBuffer(n, java.util.Arrays.copyOf(parts, n)));
  }

  private static <T> Future<T> notOpen() {
    return Future.failedFuture(new ReplyException(ReplyFailure.NO_HANDLERS, "the database is not open"));
  }

  /** Completes on the calling context: HTTP answers only from its own event loop. */
  private static <T> Future<T> onCaller(Future<T> result) {
    Context caller = Vertx.currentContext();
    if (caller == null) {
      return result;
    }
    Promise<T> promise = Promise.promise();
    result.onComplete(done -> {
      if (Vertx.currentContext() == caller) {
        promise.handle(done);
      } else {
        caller.runOnContext(v -> promise.handle(done));
      }
    });
    return promise.future();
  }
}
