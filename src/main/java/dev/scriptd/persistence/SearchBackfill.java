package dev.scriptd.persistence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the search documents of chunks stored before the search index existed (the migration
 * marks them {@code indexed = 0}), in the background after start: a few chunks per write
 * transaction, so live log writes get the database in between, with progress in the log. Until it
 * ends, search does not find lines of those older chunks.
 */
final class SearchBackfill {
  private static final Logger LOG = LoggerFactory.getLogger(SearchBackfill.class);
  private static final int BATCH = 32;
  private static final String COUNT = "SELECT count(*) FROM log_search_docs WHERE indexed = 0";
  private static final String SELECT = "SELECT d.doc, c.first_seq, c.data FROM log_search_docs d "
      + "JOIN log_chunks c ON c.run_id = d.run_id AND c.first_seq = d.first_seq "
      + "WHERE d.indexed = 0 ORDER BY d.doc LIMIT ?";
  /** Only while the chunk is still there: a delete meanwhile took its doc row along. */
  private static final String INSERT = "INSERT OR REPLACE INTO log_search (rowid, text) "
      + "SELECT doc, ? FROM log_search_docs WHERE doc = ? AND indexed = 0";
  private static final String MARK = "UPDATE log_search_docs SET indexed = 1 WHERE doc = ?";

  private final Vertx vertx;
  private final Database db;
  private volatile boolean stopped;

  SearchBackfill(Vertx vertx, Database db) {
    this.vertx = vertx;
    this.db = db;
  }

  /** Completes when every chunk has its document, or at the first failure (logged), or once stopped. */
  Future<Void> start() {
    return db.reader().query(COUNT).execute().compose(rows -> {
      long pending = rows.iterator().next().getLong(0);
      if (pending == 0) {
        return Future.succeededFuture();
      }
      LOG.info("search index: writing the documents of {} log chunks stored before it existed", pending);
      long started = System.nanoTime();
      LogBlobCodec codec = new LogBlobCodec();
      return step(codec, pending, new long[1])
          .onSuccess(v -> LOG.info("search index: backfill done in {} ms",
              (System.nanoTime() - started) / 1_000_000))
          .eventually(() -> {
            codec.close();
            return Future.succeededFuture();
          });
    }).onFailure(err -> {
      if (!stopped) {
        LOG.error("search index backfill stopped; older lines are not searchable yet (it resumes at the next start)", err);
      }
    });
  }

  void stop() {
    stopped = true;
  }

  private Future<Void> step(LogBlobCodec codec, long pending, long[] done) {
    if (stopped) {
      return Future.succeededFuture();
    }
    return db.reader().preparedQuery(SELECT).execute(Tuple.of(BATCH))
        .compose(rows -> vertx.executeBlocking(() -> {
          List<Tuple> documents = new ArrayList<>();
          for (Row row : rows) {
            Object data = row.getValue("data");
            byte[] bytes = data instanceof Buffer buffer ? buffer.getBytes() : (byte[]) data;
            String text = LogSearch.document(codec.decode(bytes, row.getLong("first_seq")));
            documents.add(Tuple.of(text, row.getLong("doc")));
          }
          return documents;
        }, false))
        .compose(documents -> {
          if (documents.isEmpty()) {
            return Future.succeededFuture();
          }
          List<Tuple> docs = documents.stream().map(doc -> Tuple.of(doc.getLong(1))).toList();
          return db.write(conn -> conn.preparedQuery(INSERT).executeBatch(documents)
                  .compose(v -> conn.preparedQuery(MARK).executeBatch(docs)))
              .compose(v -> {
                long before = done[0];
                done[0] += documents.size();
                if (done[0] / 10_000 != before / 10_000) {
                  LOG.info("search index backfill: {} of {} chunks", done[0], pending);
                }
                return documents.size() < BATCH ? Future.succeededFuture() : step(codec, pending, done);
              });
        });
  }
}
