-- Schedule state: when each trigger of each flow fires next. Firing compares and sets
-- `next_fire_at` in the same transaction that creates the execution, so a tick fires once.
CREATE TABLE triggers (
    namespace         TEXT NOT NULL,
    flow_id           TEXT NOT NULL,
    trigger_id        TEXT NOT NULL,
    next_fire_at      INTEGER NOT NULL,
    last_fired_at     INTEGER,
    last_execution_id TEXT,
    PRIMARY KEY (namespace, flow_id, trigger_id)
);
