-- Notifications (issue 19): the durable outbox of webhook deliveries. body is the exact JSON sent
-- (the signature covers these bytes); times are epoch milliseconds; status pending|delivered|failed.
CREATE TABLE notifications (
  id               TEXT    NOT NULL PRIMARY KEY,
  run_id           TEXT    NOT NULL,
  event            TEXT    NOT NULL,
  url              TEXT    NOT NULL,
  secret           TEXT,
  headers          TEXT,
  body             TEXT    NOT NULL,
  status           TEXT    NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  last_status_code INTEGER,
  last_error       TEXT,
  next_attempt_at  INTEGER,
  delivered_at     INTEGER,
  created_at       INTEGER NOT NULL
);
CREATE INDEX notifications_by_created ON notifications (created_at DESC, id DESC);
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
CREATE INDEX notifications_by_run ON notifications (run_id, created_at DESC);
-- a script's notify, JSON text (NULL: none)
ALTER TABLE scripts ADD COLUMN notify TEXT;
-- a run's deliveries go with it, whichever path deletes it (DELETE /api/runs/{id}, cleanup, a script's delete)
-- (one line: the migration runner splits statements at a semicolon that ends a line)
CREATE TRIGGER runs_delete_notifications AFTER DELETE ON runs BEGIN DELETE FROM notifications WHERE run_id = OLD.id; END;
