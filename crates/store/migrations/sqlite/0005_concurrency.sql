-- Flow concurrency: one row per execution of a flow with a `concurrency` limit that holds a slot
-- (`running` = 1) or waits for one (`running` = 0, in `position` order, the execution's `seq`: creation order). The row goes when the
-- execution ends, in the commit of its last step, which also hands the slot on.
CREATE TABLE flow_slots (
    execution_id TEXT PRIMARY KEY,
    namespace TEXT NOT NULL,
    flow_id TEXT NOT NULL,
    running INTEGER NOT NULL,
    position INTEGER NOT NULL
);
CREATE INDEX flow_slots_by_flow ON flow_slots (namespace, flow_id, running, position);
