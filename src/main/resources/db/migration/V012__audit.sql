-- Who did what (issue 22). The name of the caller who started a run (NULL: cron, chain, retry,
-- public endpoint); the audit log, append-only and hash-chained; and its anchor.
ALTER TABLE runs ADD COLUMN created_by TEXT;
CREATE INDEX runs_by_created_by ON runs (created_by, created_at, id) WHERE created_by IS NOT NULL;

-- One row per record; seq is the chain's order (one writer assigns it). at is milliseconds since
-- the epoch; details is a canonical JSON object. hash = SHA-256 hex of prev_hash followed by the
-- record's canonical JSON (src/docs/security.md, "Audit log").
CREATE TABLE audit (
  seq        INTEGER PRIMARY KEY,
  id         TEXT    NOT NULL UNIQUE,
  at         INTEGER NOT NULL,
  actor_type TEXT    NOT NULL,
  actor_id   TEXT,
  actor_name TEXT,
  action     TEXT    NOT NULL,
  target     TEXT,
  result     TEXT    NOT NULL,
  status     INTEGER,
  ip         TEXT,
  details    TEXT    NOT NULL,
  prev_hash  TEXT    NOT NULL,
  hash       TEXT    NOT NULL
);
CREATE INDEX audit_by_at ON audit (at);

-- After audit.days dropped the oldest records: the hash the first kept record follows, so the
-- chain stays checkable from there. One row at most.
CREATE TABLE audit_anchor (
  id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  prev_hash  TEXT    NOT NULL,
  dropped    INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
