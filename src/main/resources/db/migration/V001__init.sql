-- Runs and their output. Times are epoch milliseconds; status is the wire name (RunStatus.wire()).
CREATE TABLE runs (
  id              TEXT    NOT NULL PRIMARY KEY,
  script_id       TEXT,
  kind            TEXT,
  command         TEXT,
  status          TEXT    NOT NULL,
  exit_code       INTEGER,
  pid             INTEGER,
  pid_start       INTEGER,
  progress        INTEGER NOT NULL DEFAULT 0,
  trigger         TEXT,
  created_at      INTEGER NOT NULL,
  started_at      INTEGER,
  ended_at        INTEGER,
  timeout_seconds INTEGER NOT NULL DEFAULT 0,
  log_lines       INTEGER NOT NULL DEFAULT 0,
  log_bytes       INTEGER NOT NULL DEFAULT 0,
  restarted_from  TEXT,
  result          TEXT,
  error           TEXT,
  env             TEXT,
  cwd             TEXT
);

CREATE INDEX runs_by_created ON runs (created_at DESC, id DESC);
CREATE INDEX runs_by_script ON runs (script_id, created_at DESC, id DESC);
CREATE INDEX runs_by_status ON runs (status, created_at DESC);

-- Many lines per row (LogBlobCodec); line i of a row has seq first_seq + i.
CREATE TABLE log_chunks (
  run_id     TEXT    NOT NULL,
  first_seq  INTEGER NOT NULL,
  last_seq   INTEGER NOT NULL,
  line_count INTEGER NOT NULL,
  byte_count INTEGER NOT NULL,
  data       BLOB    NOT NULL,
  PRIMARY KEY (run_id, first_seq)
) WITHOUT ROWID;
