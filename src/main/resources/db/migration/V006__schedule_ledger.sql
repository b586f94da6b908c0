-- The schedule ledger (issue 20): one row per due fire time of a script's schedule, with what the
-- scheduler decided for it; times are epoch milliseconds.
-- outcome: started|queued|skipped_forbid|missed|caught_up|failed_to_start, or NULL for the moment
-- between claiming the fire time and hearing whether its run started.
-- The primary key (script_id, fire_time) is a fence: the scheduler claims a fire time with an insert
-- that does nothing on conflict, and starts a run only when its insert added the row.
CREATE TABLE schedule_fires (
  script_id  TEXT    NOT NULL,
  fire_time  INTEGER NOT NULL,
  decided_at INTEGER NOT NULL,
  outcome    TEXT,
  run_id     TEXT,
  detail     TEXT    NOT NULL,
  PRIMARY KEY (script_id, fire_time)
);

-- retention deletes by age
CREATE INDEX schedule_fires_fire_time ON schedule_fires (fire_time);

-- deleting a script deletes its ledger
-- (one line: migrations are split at lines that end with a semicolon)
CREATE TRIGGER scripts_delete_schedule_fires AFTER DELETE ON scripts
  BEGIN DELETE FROM schedule_fires WHERE script_id = OLD.id; END;
