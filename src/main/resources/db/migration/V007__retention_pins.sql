-- Pins (issue 20): a pinned run is never deleted by a cleanup; only the pin routes write it.
ALTER TABLE runs ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
-- what each rule deleted in the last pass, as JSON text ({"days": 3, "max_runs": 0, ...})
ALTER TABLE cleanup_state ADD COLUMN last_by_rule TEXT;
-- a script's override of the server's retention settings, JSON text ({"days": 7, ...}; NULL: none)
ALTER TABLE scripts ADD COLUMN retention TEXT;
