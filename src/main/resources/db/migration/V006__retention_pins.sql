-- Pins (issue 20): a pinned run is never deleted by a cleanup; only the pin routes write it.
ALTER TABLE runs ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
-- what each rule deleted in the last pass, as JSON text ({"days": 3, "max_runs": 0, ...})
ALTER TABLE cleanup_state ADD COLUMN last_by_rule TEXT;
