-- Saved scripts (issue 4). env, schedule and endpoint are JSON text; times are epoch milliseconds.
CREATE TABLE scripts (
  id              TEXT    NOT NULL PRIMARY KEY,
  name            TEXT    NOT NULL UNIQUE,
  kind            TEXT    NOT NULL,
  command         TEXT,
  program         TEXT,
  timeout_seconds INTEGER NOT NULL,
  env             TEXT    NOT NULL,
  cwd             TEXT,
  enabled         INTEGER NOT NULL,
  schedule        TEXT,
  endpoint        TEXT,
  concurrency     TEXT    NOT NULL,
  version         INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);

-- 1 while a run waits in its script's queue: recovery leaves such pending runs alone.
ALTER TABLE runs ADD COLUMN queued INTEGER NOT NULL DEFAULT 0;

-- the status filter pages in (created_at, id) order without sorting (V001's index lacked id)
DROP INDEX runs_by_status;
CREATE INDEX runs_by_status ON runs (status, created_at DESC, id DESC);

-- retention scans finished runs by end time
CREATE INDEX runs_by_ended ON runs (ended_at);

-- totals of the retention job, one row
CREATE TABLE cleanup_state (
  id                INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  last_run_at       INTEGER,
  last_deleted_runs INTEGER NOT NULL DEFAULT 0,
  last_freed_bytes  INTEGER NOT NULL DEFAULT 0,
  last_duration_ms  INTEGER NOT NULL DEFAULT 0,
  total_deleted_runs INTEGER NOT NULL DEFAULT 0,
  total_freed_bytes INTEGER NOT NULL DEFAULT 0
);
INSERT INTO cleanup_state (id) VALUES (1);
