-- The PostgreSQL schema (database.url = postgresql://...), equal to the SQLite schema after its
-- migrations V001..V015, so this first migration has version 15; a later change gets one migration
-- with the same version number in both folders.
--
-- Same tables, columns, unique constraints and indexes as on SQLite, with these translations:
-- - every integer column is BIGINT: the stores bind Java longs, and the PostgreSQL client does not
--   narrow a Long into an int4 parameter; 0/1 flags (enabled, queued, pinned, held, indexed) too;
-- - BLOB is BYTEA; JSON documents stay TEXT (cast to jsonb where a query reads into them);
-- - SQLite's automatic rowid keys (audit.seq, log_search_docs.doc) are identity columns;
-- - SQLite's triggers become trigger functions, each written on one line: the migration runner
--   splits a script at every line that ends with a semicolon;
-- - search: SQLite's FTS5 trigram table log_search becomes a plain table holding each chunk's
--   document (lower-cased, escapes stripped) under a pg_trgm GIN index, which answers substring
--   LIKE queries. pg_trgm ships with PostgreSQL and is a trusted extension from PostgreSQL 13, so the
--   database's owner may create it; scriptd's user must own the database (or an administrator
--   creates the extension once beforehand).
-- - V015's endpoint_key is a plain column filled by the script store, unique as on SQLite.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Runs and their output. Times are epoch milliseconds; status is the wire name (RunStatus.wire()).
CREATE TABLE runs (
  id              TEXT    NOT NULL PRIMARY KEY,
  script_id       TEXT,
  kind            TEXT,
  command         TEXT,
  status          TEXT    NOT NULL,
  exit_code       BIGINT,
  pid             BIGINT,
  pid_start       BIGINT,
  progress        BIGINT  NOT NULL DEFAULT 0,
  trigger         TEXT,
  created_at      BIGINT  NOT NULL,
  started_at      BIGINT,
  ended_at        BIGINT,
  timeout_seconds BIGINT  NOT NULL DEFAULT 0,
  log_lines       BIGINT  NOT NULL DEFAULT 0,
  log_bytes       BIGINT  NOT NULL DEFAULT 0,
  restarted_from  TEXT,
  result          TEXT,
  error           TEXT,
  env             TEXT,
  cwd             TEXT,
  queued          BIGINT  NOT NULL DEFAULT 0,
  limits          TEXT,
  pinned          BIGINT  NOT NULL DEFAULT 0,
  params          TEXT,
  param_secrets   TEXT,
  outputs         TEXT,
  parent_run_id   TEXT,
  retry_of        TEXT,
  attempt         BIGINT  NOT NULL DEFAULT 1,
  not_before      BIGINT,
  chain_depth     BIGINT  NOT NULL DEFAULT 0,
  held            BIGINT  NOT NULL DEFAULT 0,
  created_by      TEXT,
  usage           TEXT
);

CREATE INDEX runs_by_created ON runs (created_at DESC, id DESC);
CREATE INDEX runs_by_script ON runs (script_id, created_at DESC, id DESC);
CREATE INDEX runs_by_status ON runs (status, created_at DESC, id DESC);
CREATE INDEX runs_by_ended ON runs (ended_at);
CREATE INDEX runs_by_parent ON runs (parent_run_id);
CREATE INDEX runs_by_retry_of ON runs (retry_of);
CREATE INDEX runs_by_created_by ON runs (created_by, created_at, id) WHERE created_by IS NOT NULL;

-- Many lines per row (LogBlobCodec); line i of a row has seq first_seq + i.
CREATE TABLE log_chunks (
  run_id     TEXT    NOT NULL,
  first_seq  BIGINT  NOT NULL,
  last_seq   BIGINT  NOT NULL,
  line_count BIGINT  NOT NULL,
  byte_count BIGINT  NOT NULL,
  data       BYTEA   NOT NULL,
  PRIMARY KEY (run_id, first_seq)
);

-- Saved scripts. env, schedule, endpoint, limits, retention, parameters, then_runs, retry and
-- notify are JSON text; endpoint_key is "METHOD path" of the endpoint (null without one).
CREATE TABLE scripts (
  id              TEXT    NOT NULL PRIMARY KEY,
  name            TEXT    NOT NULL UNIQUE,
  kind            TEXT    NOT NULL,
  command         TEXT,
  program         TEXT,
  timeout_seconds BIGINT  NOT NULL,
  env             TEXT    NOT NULL,
  cwd             TEXT,
  enabled         BIGINT  NOT NULL,
  schedule        TEXT,
  endpoint        TEXT,
  concurrency     TEXT    NOT NULL,
  version         BIGINT  NOT NULL,
  created_at      BIGINT  NOT NULL,
  updated_at      BIGINT  NOT NULL,
  limits          TEXT,
  retention       TEXT,
  parameters      TEXT,
  then_runs       TEXT,
  retry           TEXT,
  notify          TEXT,
  endpoint_key    TEXT
);
CREATE UNIQUE INDEX scripts_by_endpoint ON scripts (endpoint_key);

-- totals of the retention job, one row
CREATE TABLE cleanup_state (
  id                 BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
  last_run_at        BIGINT,
  last_deleted_runs  BIGINT NOT NULL DEFAULT 0,
  last_freed_bytes   BIGINT NOT NULL DEFAULT 0,
  last_duration_ms   BIGINT NOT NULL DEFAULT 0,
  total_deleted_runs BIGINT NOT NULL DEFAULT 0,
  total_freed_bytes  BIGINT NOT NULL DEFAULT 0,
  last_by_rule       TEXT
);
INSERT INTO cleanup_state (id) VALUES (1);

-- API tokens: only the SHA-256 of a token is stored (hex).
CREATE TABLE tokens (
  id           TEXT    NOT NULL PRIMARY KEY,
  name         TEXT    NOT NULL,
  role         TEXT    NOT NULL,
  hash         TEXT    NOT NULL UNIQUE,
  created_at   BIGINT  NOT NULL,
  last_used_at BIGINT
);

-- Cron schedule state, one row per scheduled script.
CREATE TABLE schedule_state (
  script_id    TEXT    NOT NULL PRIMARY KEY,
  version      BIGINT  NOT NULL,
  armed_at     BIGINT  NOT NULL,
  last_fire_at BIGINT,
  next_fire_at BIGINT,
  updated_at   BIGINT  NOT NULL
);

-- The schedule ledger; the primary key is the scheduler's fence (an insert that does nothing on conflict).
CREATE TABLE schedule_fires (
  script_id  TEXT    NOT NULL,
  fire_time  BIGINT  NOT NULL,
  decided_at BIGINT  NOT NULL,
  outcome    TEXT,
  run_id     TEXT,
  detail     TEXT    NOT NULL,
  PRIMARY KEY (script_id, fire_time)
);
CREATE INDEX schedule_fires_fire_time ON schedule_fires (fire_time);

-- deleting a script deletes its schedule state and its ledger
CREATE FUNCTION scripts_delete_schedule() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM schedule_state WHERE script_id = OLD.id; DELETE FROM schedule_fires WHERE script_id = OLD.id; RETURN NULL; END $$;
CREATE TRIGGER scripts_delete_schedule AFTER DELETE ON scripts FOR EACH ROW EXECUTE FUNCTION scripts_delete_schedule();

-- Search. The chunk of each document; indexed = 0: a chunk whose document the search indexer, which
-- trails the log writer, has not written yet (search scans those chunks).
CREATE TABLE log_search_docs (
  doc       BIGINT  GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  run_id    TEXT    NOT NULL,
  first_seq BIGINT  NOT NULL,
  last_seq  BIGINT  NOT NULL,
  indexed   BIGINT  NOT NULL DEFAULT 0,
  UNIQUE (run_id, first_seq)
);
CREATE INDEX log_search_docs_pending ON log_search_docs (doc) WHERE indexed = 0;

-- One document per chunk: its lines with terminal escapes stripped, one per line, lower-cased by
-- the server (so matching does not depend on the database's locale); the trigram index finds the
-- documents that may contain a text, and the scan of the chunk confirms each match.
CREATE TABLE log_search (
  doc  BIGINT NOT NULL PRIMARY KEY,
  text TEXT   NOT NULL
);
CREATE INDEX log_search_text ON log_search USING gin (text gin_trgm_ops);
-- The documents that contain a text (pattern: '%text%', lower-cased, LIKE-escaped). The planner
-- counts a sequential scan as cheap, since the table's rows are small, but each row's document is
-- a large TOASTed text that LIKE must decompress: this function reads through the index instead.
CREATE FUNCTION log_search_matching(pattern TEXT) RETURNS SETOF BIGINT LANGUAGE sql STABLE ROWS 100 SET enable_seqscan = off AS $$ SELECT doc FROM log_search WHERE text LIKE pattern $$;

-- every way of storing or deleting chunks keeps the documents in step without knowing about them
CREATE FUNCTION log_chunks_search_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO log_search_docs (run_id, first_seq, last_seq) VALUES (NEW.run_id, NEW.first_seq, NEW.last_seq); RETURN NULL; END $$;
CREATE TRIGGER log_chunks_search_insert AFTER INSERT ON log_chunks FOR EACH ROW EXECUTE FUNCTION log_chunks_search_insert();
CREATE FUNCTION log_chunks_search_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM log_search WHERE doc IN (SELECT doc FROM log_search_docs WHERE run_id = OLD.run_id AND first_seq = OLD.first_seq); DELETE FROM log_search_docs WHERE run_id = OLD.run_id AND first_seq = OLD.first_seq; RETURN NULL; END $$;
CREATE TRIGGER log_chunks_search_delete AFTER DELETE ON log_chunks FOR EACH ROW EXECUTE FUNCTION log_chunks_search_delete();

-- Notifications: the durable outbox of webhook deliveries; body is the exact JSON sent.
CREATE TABLE notifications (
  id               TEXT    NOT NULL PRIMARY KEY,
  run_id           TEXT    NOT NULL,
  event            TEXT    NOT NULL,
  url              TEXT    NOT NULL,
  secret           TEXT,
  headers          TEXT,
  body             TEXT    NOT NULL,
  status           TEXT    NOT NULL,
  attempts         BIGINT  NOT NULL DEFAULT 0,
  last_status_code BIGINT,
  last_error       TEXT,
  next_attempt_at  BIGINT,
  delivered_at     BIGINT,
  created_at       BIGINT  NOT NULL
);
CREATE INDEX notifications_by_created ON notifications (created_at DESC, id DESC);
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
CREATE INDEX notifications_by_run ON notifications (run_id, created_at DESC);

-- a run's deliveries go with it, whichever path deletes it
CREATE FUNCTION runs_delete_notifications() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM notifications WHERE run_id = OLD.id; RETURN NULL; END $$;
CREATE TRIGGER runs_delete_notifications AFTER DELETE ON runs FOR EACH ROW EXECUTE FUNCTION runs_delete_notifications();

-- The audit log, append-only and hash-chained; seq is the chain's order.
CREATE TABLE audit (
  seq        BIGINT  GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  id         TEXT    NOT NULL UNIQUE,
  at         BIGINT  NOT NULL,
  actor_type TEXT    NOT NULL,
  actor_id   TEXT,
  actor_name TEXT,
  action     TEXT    NOT NULL,
  target     TEXT,
  result     TEXT    NOT NULL,
  status     BIGINT,
  ip         TEXT,
  details    TEXT    NOT NULL,
  prev_hash  TEXT    NOT NULL,
  hash       TEXT    NOT NULL
);
CREATE INDEX audit_by_at ON audit (at);

-- the hash the first kept audit record follows, after audit.days dropped older ones; one row at most
CREATE TABLE audit_anchor (
  id         BIGINT  NOT NULL PRIMARY KEY CHECK (id = 1),
  prev_hash  TEXT    NOT NULL,
  dropped    BIGINT  NOT NULL,
  updated_at BIGINT  NOT NULL
);

-- Single sign-on sessions; only the SHA-256 of the session id is stored (hex).
CREATE TABLE sessions (
  hash       TEXT    NOT NULL PRIMARY KEY,
  subject    TEXT    NOT NULL,
  name       TEXT    NOT NULL,
  role       TEXT    NOT NULL,
  created_at BIGINT  NOT NULL,
  expires_at BIGINT  NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
