-- Flow concurrency: one row per execution of a flow with a `concurrency` limit that holds a slot
-- (`running`) or waits for one (not `running`, in `position` order, the execution's `seq`: creation order). The row goes when the
-- execution ends, in the commit of its last step, which also hands the slot on. Taking and
-- handing on slots of one flow is serialised by a transaction-scoped advisory lock on the flow.
CREATE TABLE flow_slots (
    execution_id TEXT PRIMARY KEY,
    namespace TEXT NOT NULL,
    flow_id TEXT NOT NULL,
    running BOOLEAN NOT NULL,
    position BIGINT NOT NULL
);
CREATE INDEX flow_slots_by_flow ON flow_slots (namespace, flow_id, running, position);
