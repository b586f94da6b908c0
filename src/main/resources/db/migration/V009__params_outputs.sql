-- Parameters and outputs (issue 19): a script's parameters are a JSON Schema, JSON text (NULL: none)
ALTER TABLE scripts ADD COLUMN parameters TEXT;
-- a run's parameter values after defaults (JSON text, real values: a restart needs them), the names
-- of the secret ones (JSON list; the API shows them as "***") and the outputs it declared (JSON)
ALTER TABLE runs ADD COLUMN params TEXT;
ALTER TABLE runs ADD COLUMN param_secrets TEXT;
ALTER TABLE runs ADD COLUMN outputs TEXT;
