package dev.scriptd.persistence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the search documents of stored chunks ({@code log_search_docs.indexed = 0}), trailing the
 * log writer: trigram-indexing a line costs about as much as storing it, so doing it in the log
 * writer's transaction cut durable ingest by more than half. It works only once the log writer has been
 * idle for a while, a few chunks per write transaction, so a burst of output is stored at full
 * speed and indexed after. Search scans the chunks not indexed yet, so a stored line is found at once.
 * Also writes, after start, the documents of chunks stored before the index existed (the
 * migration left them at 0), with progress in the log. Used on the verticle's context only.
 */
final class SearchIndexer {
  private static final Logger LOG = LoggerFactory.getLogger(SearchIndexer.class);
  private static final int BATCH = 4;
  private static final String COUNT = "SELECT count(*) FROM log_search_docs WHERE indexed = 0";
  private static final String SELECT = "SELECT d.doc, c.first_seq, c.data FROM log_search_docs d "
      + "JOIN log_chunks c ON c.run_id = d.run_id AND c.first_seq = d.first_seq "
      + "WHERE d.indexed = 0 ORDER BY d.doc LIMIT ?";
  private static final String MARK = "UPDATE log_search_docs SET indexed = 1 WHERE doc = ?";

  private final Vertx vertx;
  private final Database db;
  private final BooleanSupplier writerBusy;
  private final long idleWaitMs;
  private final LogBlobCodec codec = new LogBlobCodec();
  private boolean running;
  private long lastStoredAt;
  private boolean again;
  private boolean stopped;
  private long indexed;

  /**
   * writerBusy: whether the log writer has lines to write; the indexer works only once it has not
   * been busy nor stored anything for idleWaitMs.
   */
  SearchIndexer(Vertx vertx, Database db, BooleanSupplier writerBusy, long idleWaitMs) {
    this.vertx = vertx;
    this.db = db;
    this.writerBusy = writerBusy;
    this.idleWaitMs = Math.max(1, idleWaitMs);
  }

  /** Reports chunks left from before the index, then indexes them. */
  void start() {
    db.reader().query(COUNT).execute().onSuccess(rows -> {
      long pending = rows.iterator().next().getLong(0);
      if (pending > 0) {
        LOG.info("search index: {} stored log chunks to index (searchable meanwhile, more slowly)", pending);
      }
      kick();
    }).onFailure(this::failed);
  }

  /** Something was stored: index it once the log writer is idle. */
  void kick() {
    lastStoredAt = System.nanoTime();
    if (stopped) {
      return;
    }
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    step();
  }

  void stop() {
    stopped = true;
  }

  /** Frees the codec's native memory (after stop, once no step runs). */
  void close() {
    stopped = true;
    if (!running) {
      codec.close();
    }
  }

  private void step() {
    if (stopped) {
      running = false;
      codec.close();
      return;
    }
    // idle: nothing to write and nothing stored for a while (a live stream commits every flush interval)
    long quietMs = (System.nanoTime() - lastStoredAt) / 1_000_000;
    if (writerBusy.getAsBoolean() || quietMs < idleWaitMs) {
      vertx.setTimer(Math.max(1, idleWaitMs - quietMs), id -> step());
      return;
    }
    db.reader().preparedQuery(SELECT).execute(Tuple.of(BATCH))
        .compose(rows -> vertx.executeBlocking(() -> documents(rows), false))
        .compose(documents -> documents.isEmpty() ? Future.succeededFuture(0) : write(documents))
        .onSuccess(count -> {
          if (count == BATCH || again) {
            again = false;
            step();
          } else {
            running = false;
            if (stopped) {
              codec.close();
            }
          }
        })
        .onFailure(err -> {
          running = false;
          if (stopped) {
            codec.close();
          }
          failed(err);
        });
  }

  private List<Tuple> documents(Iterable<Row> rows) {
    List<Tuple> documents = new ArrayList<>();
    for (Row row : rows) {
      Object data = row.getValue("data");
      byte[] bytes = data instanceof Buffer buffer ? buffer.getBytes() : (byte[]) data;
      documents.add(Tuple.of(db.dialect().searchDocument(codec.decode(bytes, row.getLong("first_seq"))), row.getLong("doc")));
    }
    return documents;
  }

  private Future<Integer> write(List<Tuple> documents) {
    List<Tuple> docs = documents.stream().map(doc -> Tuple.of(doc.getLong(1))).toList();
    return db.write(conn -> conn.preparedQuery(db.dialect().searchInsert()).executeBatch(documents)
            .compose(v -> conn.preparedQuery(MARK).executeBatch(docs)))
        .map(v -> {
          long before = indexed;
          indexed += documents.size();
          if (indexed / 100_000 != before / 100_000) {
            LOG.info("search index: {} chunks indexed since start", indexed);
          }
          return documents.size();
        });
  }

  private void failed(Throwable err) {
    if (!stopped) {
      LOG.error("search indexing paused until more lines are stored (search still scans unindexed chunks)", err);
    }
  }
}
