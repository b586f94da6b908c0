-- Two scripts cannot serve the same method and path: endpoint_key is "METHOD path" of a script's
-- endpoint (null without one), unique. A database from before this rule may already hold two
-- scripts on one route: the first saved keeps the key, the other gets it (or a 409) at its next save.
ALTER TABLE scripts ADD COLUMN endpoint_key TEXT;
UPDATE scripts SET endpoint_key = upper(json_extract(endpoint, '$.method')) || ' ' || json_extract(endpoint, '$.path')
  WHERE rowid IN (SELECT min(rowid) FROM scripts WHERE json_extract(endpoint, '$.path') IS NOT NULL
    GROUP BY upper(json_extract(endpoint, '$.method')), json_extract(endpoint, '$.path'));
CREATE UNIQUE INDEX scripts_by_endpoint ON scripts (endpoint_key);
