-- What a run used (issue 18), measured when it ended: JSON text such as {"cpu_user_ms": 12,
-- "cpu_system_ms": 3, "max_rss_bytes": null, "peak_processes": null, "containment": "cgroup"};
-- NULL while it runs, for js runs and for runs ended before this column existed.
ALTER TABLE runs ADD COLUMN usage TEXT;
