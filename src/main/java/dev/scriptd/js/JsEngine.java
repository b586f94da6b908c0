package dev.scriptd.js;

import dev.scriptd.config.JsConfig;
import dev.scriptd.domain.LogStream;
import dev.scriptd.domain.RunOutputs;
import dev.scriptd.domain.RunStatus;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.ResourceLimits;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.IOAccess;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shared GraalJS {@link Engine}, the cache of compiled sources, and the watchdog that enforces
 * the limits. {@link #execute} is blocking and runs on a worker thread; everything else is
 * thread-safe.
 *
 * <p>Contexts: a program run gets a new {@link Context} on the shared engine (parsed code is
 * shared through the engine; globals never leak from one run to the next). Endpoint calls are
 * different: a new context costs far more than a call (GraalJS builds a realm), so after a call
 * evaluated its program in a new context, the context is pooled per script version. When the
 * program defines {@code handle(request)}, later calls only call {@code handle}; otherwise later
 * calls evaluate the program again as a block (JsBlock: its top-level {@code let} would otherwise
 * be declared twice). A pooled context serves {@code js.context_max_uses} calls, then it is
 * replaced; state a program keeps in globals lives as long as its context, as in a serverless
 * function. Contexts of different scripts (or versions) are never shared.
 *
 * <p>Limits: a wall-clock deadline and a memory guard, both checked by the watchdog every
 * {@link #WATCHDOG_MS} ms, which cancels the context ({@code close(true)}); and a statement limit
 * ({@link ResourceLimits}). GraalJS community edition has no per-context heap cap, so the memory
 * guard is an estimate: an execution is cancelled once (a) its thread allocated more than
 * {@code js.max_allocated_bytes} since it started (exact, garbage included) and (b) the heap
 * retained after garbage collection (the pools' collection usage) grew by more than that bound
 * since it started. (a) alone would stop a loop that only makes garbage; (b) makes the guard
 * follow what is kept, but only as fresh as the last collection, and it is shared: with several
 * programs running, each one that allocated past the bound while the heap grew is cancelled.
 */
final class JsEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JsEngine.class);
  static final long WATCHDOG_MS = 10;
  /** Nothing of the host is reachable (HostAccess.NONE, with the mappings CONSTRAINED forbids off). */
  private static final HostAccess NO_HOST_ACCESS = HostAccess.newBuilder().allowMutableTargetMappings().build();

  private final JsConfig config;
  private final Engine engine;
  private final ResourceLimits limits;
  private final Map<String, Source> cache;
  private final AtomicLong compilations = new AtomicLong();
  private final AtomicLong executions = new AtomicLong();
  private final AtomicInteger inUse = new AtomicInteger();
  private final Set<JsExecution> running = ConcurrentHashMap.newKeySet();
  private final Map<String, ConcurrentLinkedDeque<Pooled>> pool = new ConcurrentHashMap<>();
  private final AtomicInteger pooled = new AtomicInteger();
  private final AtomicLong contextsCreated = new AtomicLong();
  private final ScheduledExecutorService watchdog;
  private final com.sun.management.ThreadMXBean threads;
  private final List<MemoryPoolMXBean> heapPools;

  JsEngine(JsConfig config) {
    this.config = config;
    this.engine = Engine.newBuilder("js")
        .sandbox(SandboxPolicy.CONSTRAINED)
        .out(OutputStream.nullOutputStream())
        .err(OutputStream.nullOutputStream())
        .option("engine.WarnInterpreterOnly", "false")
        .build();
    this.limits = ResourceLimits.newBuilder().statementLimit(config.maxStatements(), null).build();
    this.cache = new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Source> eldest) {
        return size() > config.cacheSize();
      }
    };
    this.threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    if (threads.isThreadAllocatedMemorySupported() && !threads.isThreadAllocatedMemoryEnabled()) {
      threads.setThreadAllocatedMemoryEnabled(true);
    }
    this.heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(pool -> pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported())
        .toList();
    this.watchdog = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "scriptd-js-watchdog");
      thread.setDaemon(true);
      return thread;
    });
    watchdog.scheduleWithFixedDelay(this::watch, WATCHDOG_MS, WATCHDOG_MS, TimeUnit.MILLISECONDS);
  }

  /** The cache key of an ad-hoc program: its content hash. */
  static String adHocKey(String program) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(program.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String scriptKey(String scriptId, long version) {
    return "script:" + scriptId + ":" + version;
  }

  /**
   * An idle endpoint context that evaluated its program once: with the {@code handle} function it
   * defined, or (a plain program) with the program as a block to evaluate again (see JsBlock).
   */
  private static final class Pooled {
    final String key;
    final Context context;
    final AtomicReference<JsOutput> output;
    final Value handle;
    final Source block;
    final Value parse;
    int uses;

    Pooled(String key, Context context, AtomicReference<JsOutput> output, Value handle, Source block, Value parse) {
      this.key = key;
      this.context = context;
      this.output = output;
      this.handle = handle;
      this.block = block;
      this.parse = parse;
    }
  }

  /** Drops every cached source and pooled context of a script (it changed or was deleted). */
  void invalidate(String scriptId) {
    String prefix = "script:" + scriptId + ":";
    synchronized (cache) {
      cache.keySet().removeIf(key -> key.startsWith(prefix));
    }
    for (String key : List.copyOf(pool.keySet())) {
      if (key.startsWith(prefix)) {
        drain(pool.remove(key));
      }
    }
  }

  private void drain(ConcurrentLinkedDeque<Pooled> idle) {
    if (idle == null) {
      return;
    }
    for (Pooled entry = idle.poll(); entry != null; entry = idle.poll()) {
      pooled.decrementAndGet();
      closeQuietly(entry.context);
    }
  }

  private Pooled takePooled(String key) {
    ConcurrentLinkedDeque<Pooled> idle = pool.get(key);
    Pooled entry = idle == null ? null : idle.poll();
    if (entry != null) {
      pooled.decrementAndGet();
    }
    return entry;
  }

  private boolean givePooled(Pooled entry) {
    if (pooled.incrementAndGet() > config.poolSize()) {
      pooled.decrementAndGet();
      return false;
    }
    pool.computeIfAbsent(entry.key, k -> new ConcurrentLinkedDeque<>()).push(entry);
    return true;
  }

  long contextsCreated() {
    return contextsCreated.get();
  }

  long compilations() {
    return compilations.get();
  }

  long executions() {
    return executions.get();
  }

  int contextsInUse() {
    return inUse.get();
  }

  int cachedSources() {
    synchronized (cache) {
      return cache.size();
    }
  }

  /** Asks a running execution to stop; the watchdog cancels it within a tick. */
  void stop(JsExecution execution, RunStatus status, String error) {
    execution.requestStop(status, error);
    watchdog.execute(() -> cancel(execution));
  }

  /** Blocking: runs the program to its end, its cancellation or its failure. Never throws. */
  Outcome execute(JsExecution execution) {
    executions.incrementAndGet();
    execution.threadId = Thread.currentThread().getId();
    execution.allocatedAtStart = allocated(execution.threadId);
    execution.retainedAtStart = retainedHeap();
    inUse.incrementAndGet();
    running.add(execution);
    Context context = null;
    Pooled reusable = null;
    boolean keep = false;
    try {
      Source source = source(execution.source);
      reusable = execution.request == null ? null : takePooled(execution.source.key());
      AtomicReference<JsOutput> output;
      if (reusable != null) {
        context = reusable.context;
        output = reusable.output;
        output.set(execution.output);
        context.resetLimits();
      } else {
        context = newContext();
        contextsCreated.incrementAndGet();
        output = new AtomicReference<>(execution.output);
      }
      execution.context = context;
      if (execution.stop.get() != null) {
        return stopped(execution);
      }
      Value value;
      if (reusable != null) {
        Value bindings = context.getBindings("js");
        bindings.putMember("params", reusable.parse.execute(execution.paramsJson));
        Value request = reusable.parse.execute(execution.request.encode());
        if (reusable.handle != null) {
          value = reusable.handle.execute(request);
        } else {
          bindings.putMember("request", request);
          value = context.eval(reusable.block);
        }
      } else {
        Value bindings = context.getBindings("js");
        install(bindings, output);
        Value parse = context.eval("js", "JSON.parse");
        Value request = null;
        bindings.putMember("params", parse.execute(execution.paramsJson));
        if (execution.request != null) {
          request = parse.execute(execution.request.encode());
          bindings.putMember("request", request);
        }
        value = context.eval(source);
        if (execution.request != null) {
          Value handle = bindings.getMember("handle");
          if (handle != null && handle.canExecute()) {
            value = handle.execute(request);
            reusable = new Pooled(execution.source.key(), context, output, handle, null, parse);
          } else {
            Source block = block(execution.source, context);
            if (block != null) {
              reusable = new Pooled(execution.source.key(), context, output, null, block, parse);
            }
          }
        }
      }
      Object result = JsValues.toJson(value, config.maxResultBytes());
      keep = reusable != null && ++reusable.uses < config.contextMaxUses();
      return new Outcome(RunStatus.COMPLETED, result, null);
    } catch (PolyglotException e) {
      if (execution.stop.get() != null && (e.isCancelled() || e.isInterrupted())) {
        return stopped(execution);
      }
      if (e.isResourceExhausted()) {
        return new Outcome(RunStatus.FAILED, null, "statement limit exceeded: the program ran more than "
            + config.maxStatements() + " statements (js.max_statements)");
      }
      return new Outcome(RunStatus.FAILED, null, describe(e));
    } catch (JsValues.TooLarge e) {
      return new Outcome(RunStatus.FAILED, null, e.getMessage());
    } catch (IllegalStateException e) {
      // the watchdog closed the context between two calls
      if (execution.stop.get() != null) {
        return stopped(execution);
      }
      LOG.warn("execution of run {} failed", execution.id(), e);
      return new Outcome(RunStatus.FAILED, null, "the execution failed: " + e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("execution of run {} failed", execution.id(), e);
      return new Outcome(RunStatus.FAILED, null, "the execution failed: " + e);
    } finally {
      running.remove(execution);
      synchronized (execution) {
        execution.context = null; // the watchdog cancels no more after this
      }
      inUse.decrementAndGet();
      if (reusable != null) {
        reusable.output.set(null);
      }
      boolean pooledNow = keep && !execution.cancelled && execution.stop.get() == null && givePooled(reusable);
      if (context != null && !pooledNow) {
        closeQuietly(context);
      }
    }
  }

  private static Outcome stopped(JsExecution execution) {
    JsExecution.Stop stop = execution.stop.get();
    return new Outcome(stop.status(), null, stop.error());
  }

  private Source source(JsSource program) {
    synchronized (cache) {
      Source cached = cache.get(program.key());
      if (cached != null) {
        return cached;
      }
    }
    Source built = Source.newBuilder("js", program.program(), program.name()).cached(true).buildLiteral();
    compilations.incrementAndGet();
    synchronized (cache) {
      Source raced = cache.putIfAbsent(program.key(), built);
      return raced != null ? raced : built;
    }
  }

  /**
   * A plain endpoint program as a block to evaluate again in its context (cached beside its
   * source); null when it cannot be wrapped or the block does not parse (then every call gets a
   * new context, as before).
   */
  private Source block(JsSource program, Context context) {
    String key = program.key() + "#block";
    synchronized (cache) {
      Source cached = cache.get(key);
      if (cached != null) {
        return cached;
      }
    }
    String text = JsBlock.wrap(program.program());
    if (text == null) {
      return null;
    }
    Source built = Source.newBuilder("js", text, program.name()).cached(true).buildLiteral();
    try {
      context.parse(built);
    } catch (PolyglotException e) {
      LOG.debug("{}: its program cannot be evaluated again as a block ({}); no pooled context",
          program.name(), e.getMessage());
      return null;
    }
    synchronized (cache) {
      Source raced = cache.putIfAbsent(key, built);
      return raced != null ? raced : built;
    }
  }

  private Context newContext() {
    return Context.newBuilder("js")
        .engine(engine)
        .sandbox(SandboxPolicy.CONSTRAINED)
        .out(OutputStream.nullOutputStream())
        .err(OutputStream.nullOutputStream())
        .allowHostAccess(NO_HOST_ACCESS)
        .allowHostClassLookup(name -> false)
        .allowIO(IOAccess.NONE)
        .allowCreateThread(false)
        .allowCreateProcess(false)
        .allowNativeAccess(false)
        .allowEnvironmentAccess(EnvironmentAccess.NONE)
        .allowPolyglotAccess(PolyglotAccess.NONE)
        .resourceLimits(limits)
        .build();
  }

  /**
   * {@code logPrint}, {@code console.log/info/debug} (stdout) and {@code console.warn/error}
   * (stderr), writing to the output of the execution the context currently serves, and
   * {@code setOutput(name, value)}, which declares one of its outputs.
   */
  private static void install(Value bindings, AtomicReference<JsOutput> output) {
    ProxyExecutable out = args -> {
      write(output, LogStream.STDOUT, args);
      return null;
    };
    ProxyExecutable err = args -> {
      write(output, LogStream.STDERR, args);
      return null;
    };
    ProxyExecutable setOutput = args -> {
      JsOutput current = output.get();
      if (current == null || args.length < 1 || !args[0].isString()) {
        return false;
      }
      Object value;
      try {
        value = args.length < 2 || args[1].isNull() ? null : JsValues.toJson(args[1], RunOutputs.MAX_BYTES);
      } catch (JsValues.TooLarge e) {
        return current.declareTooLarge();
      }
      return current.declare(args[0].asString(), value);
    };
    bindings.putMember("setOutput", setOutput);
    bindings.putMember("logPrint", out);
    bindings.putMember("console", ProxyObject.fromMap(Map.of(
        "log", out, "info", out, "debug", out, "warn", err, "error", err)));
  }

  private static void write(AtomicReference<JsOutput> output, LogStream stream, Value[] args) {
    JsOutput current = output.get();
    if (current != null) {
      current.add(stream, join(args));
    }
  }

  private static String join(Value[] args) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < args.length; i++) {
      if (i > 0) {
        text.append(' ');
      }
      text.append(args[i].isString() ? args[i].asString() : args[i].toString());
    }
    return text.toString();
  }

  private static String describe(PolyglotException e) {
    String message = e.getMessage() == null ? "the program failed" : e.getMessage();
    SourceSection location = e.getSourceLocation();
    if (e.isGuestException() && location != null && location.isAvailable()) {
      message += " (line " + location.getStartLine() + ")";
    }
    return message;
  }

  private long allocated(long threadId) {
    return threads.isThreadAllocatedMemoryEnabled() ? threads.getThreadAllocatedBytes(threadId) : 0;
  }

  /** Heap in use right after the last collection of each pool (what the collector could not free). */
  private long retainedHeap() {
    long total = 0;
    for (MemoryPoolMXBean pool : heapPools) {
      MemoryUsage usage = pool.getCollectionUsage();
      if (usage != null) {
        total += usage.getUsed();
      }
    }
    return total;
  }

  /** Watchdog tick: stop requests, deadlines, the memory guard. */
  private void watch() {
    long now = System.nanoTime();
    long retained = running.isEmpty() ? 0 : retainedHeap();
    for (JsExecution execution : running) {
      try {
        if (execution.stop.get() == null) {
          if (now - execution.deadlineNanos > 0) {
            execution.requestStop(RunStatus.TIMED_OUT, "timed out after " + execution.timeoutText());
          } else if (execution.threadId >= 0
              && allocated(execution.threadId) - execution.allocatedAtStart > config.maxAllocatedBytes()
              && retained - execution.retainedAtStart > config.maxAllocatedBytes()) {
            execution.requestStop(RunStatus.FAILED, "memory limit exceeded: the program allocated more than "
                + config.maxAllocatedBytes() + " bytes (js.max_allocated_bytes)");
          }
        }
        if (execution.stop.get() != null) {
          cancel(execution);
        }
      } catch (RuntimeException e) {
        LOG.warn("watchdog check of run {} failed", execution.id(), e);
      }
    }
  }

  /** Serialised with the end of the execution, so a context handed back to the pool is never cancelled. */
  private static void cancel(JsExecution execution) {
    synchronized (execution) {
      Context context = execution.context;
      if (context != null && !execution.cancelled) {
        execution.cancelled = true;
        closeQuietly(context);
      }
    }
  }

  private static void closeQuietly(Context context) {
    try {
      context.close(true);
    } catch (PolyglotException | IllegalStateException e) {
      // cancelled or already closed: nothing left to release
    }
  }

  @Override
  public void close() {
    watchdog.shutdownNow();
    running.forEach(execution -> execution.requestStop(RunStatus.KILLED, "the server is stopping"));
    running.forEach(JsEngine::cancel);
    List.copyOf(pool.keySet()).forEach(key -> drain(pool.remove(key)));
    try {
      engine.close(true);
    } catch (RuntimeException e) {
      LOG.debug("engine close", e);
    }
  }

  /** How an execution ended: COMPLETED with a result, or FAILED / TIMED_OUT / KILLED with an error. */
  record Outcome(RunStatus status, Object result, String error) {
  }
}
