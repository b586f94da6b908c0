-- The cluster node that runs a run (its cluster manager node id); NULL on a single node and for runs
-- from before this column. When a node leaves the cluster, another marks its pending and running
-- runs lost, found by this column.
ALTER TABLE runs ADD COLUMN node TEXT;
CREATE INDEX runs_by_node ON runs (node) WHERE node IS NOT NULL;
