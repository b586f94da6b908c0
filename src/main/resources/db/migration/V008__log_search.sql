-- Search (GET /api/search): one full-text document per log_chunks row, the text of its lines with
-- terminal escapes stripped, one line per line. The trigram tokenizer matches any substring of 3 or
-- more characters, case-insensitively. Contentless: the text is kept only in the compressed chunk,
-- which confirms every match; contentless_delete lets deleted chunks take their document along.
-- detail = none keeps only which documents hold each trigram (no positions): a sixth of the size
-- and fast for common terms; a query asks for every trigram of the text, and the scan of the
-- candidate chunk does the rest.
CREATE VIRTUAL TABLE log_search USING fts5(text, tokenize = 'trigram', detail = none, content = '', contentless_delete = 1);

-- The chunk of each document (log_chunks has no rowid). indexed = 0: a chunk whose document the
-- search indexer, which trails the log writer, has not written yet (search scans those chunks).
CREATE TABLE log_search_docs (
  doc       INTEGER PRIMARY KEY,
  run_id    TEXT    NOT NULL,
  first_seq INTEGER NOT NULL,
  last_seq  INTEGER NOT NULL,
  indexed   INTEGER NOT NULL DEFAULT 0,
  UNIQUE (run_id, first_seq)
);

CREATE INDEX log_search_docs_pending ON log_search_docs (doc) WHERE indexed = 0;

INSERT INTO log_search_docs (run_id, first_seq, last_seq) SELECT run_id, first_seq, last_seq FROM log_chunks;

-- Every way of storing or deleting chunks (log writer, run delete, cleanup, script delete) keeps
-- the documents in step without knowing about them.
CREATE TRIGGER log_chunks_search_insert AFTER INSERT ON log_chunks BEGIN INSERT INTO log_search_docs (run_id, first_seq, last_seq) VALUES (new.run_id, new.first_seq, new.last_seq); END;

CREATE TRIGGER log_chunks_search_delete AFTER DELETE ON log_chunks BEGIN DELETE FROM log_search WHERE rowid = (SELECT doc FROM log_search_docs WHERE run_id = old.run_id AND first_seq = old.first_seq AND indexed = 1); DELETE FROM log_search_docs WHERE run_id = old.run_id AND first_seq = old.first_seq; END;
