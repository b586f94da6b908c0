-- Cron schedule state (issue 5), one row per scheduled script; times are epoch milliseconds.
-- version: the script version this row was armed for (a new version re-arms from armed_at, no catch-up).
-- last_fire_at: the latest fire time dealt with (run, or skipped by the misfire policy); a time at or
-- before it never fires again, across restarts.
CREATE TABLE schedule_state (
  script_id    TEXT    NOT NULL PRIMARY KEY,
  version      INTEGER NOT NULL,
  armed_at     INTEGER NOT NULL,
  last_fire_at INTEGER,
  next_fire_at INTEGER,
  updated_at   INTEGER NOT NULL
);

-- deleting a script deletes its schedule state
-- (one line: migrations are split at lines that end with a semicolon)
CREATE TRIGGER scripts_delete_schedule_state AFTER DELETE ON scripts
  BEGIN DELETE FROM schedule_state WHERE script_id = OLD.id; END;
