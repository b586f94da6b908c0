-- Chains and retries (issue 19). A run's place in a chain and in a retry series; not_before is when a
-- pending retry may start (epoch ms). chain_depth: 0 for a run no chain started, its parent's + 1.
ALTER TABLE runs ADD COLUMN parent_run_id TEXT;
ALTER TABLE runs ADD COLUMN retry_of TEXT;
ALTER TABLE runs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
ALTER TABLE runs ADD COLUMN not_before INTEGER;
ALTER TABLE runs ADD COLUMN chain_depth INTEGER NOT NULL DEFAULT 0;
-- 1 while the run owner holds a pending run for a later start (a retry waiting for not_before, a
-- chained run decided but not started yet): recovery leaves it, the next start starts it.
ALTER TABLE runs ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
CREATE INDEX runs_by_parent ON runs (parent_run_id);
CREATE INDEX runs_by_retry_of ON runs (retry_of);
-- a script's then and retry, JSON text (NULL: none)
ALTER TABLE scripts ADD COLUMN then_runs TEXT;
ALTER TABLE scripts ADD COLUMN retry TEXT;
