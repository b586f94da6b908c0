-- Per-script overrides of the per-run limits (issue 7), as JSON text ({"cpu_seconds": 10, ...}; NULL: none).
-- A run keeps the override it was created with, so a queued run, a run waiting for a slot and a
-- restart of a run get the limits of the definition they were made from, across restarts.
ALTER TABLE scripts ADD COLUMN limits TEXT;
ALTER TABLE runs ADD COLUMN limits TEXT;
