-- Sluice schema, version 1. Times are integer nanoseconds since 1970-01-01 UTC.

-- Every revision of every flow; a delete marks all revisions of a flow deleted.
CREATE TABLE flows (
    namespace TEXT NOT NULL,
    id        TEXT NOT NULL,
    revision  INTEGER NOT NULL,
    source    TEXT NOT NULL,
    created   INTEGER NOT NULL,
    deleted   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (namespace, id, revision)
);

-- Executions: the engine's document plus the columns lists filter and sort on.
-- `seq` is insertion order, the tie-breaker for "newest first".
CREATE TABLE executions (
    seq       INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    namespace TEXT NOT NULL,
    flow_id   TEXT NOT NULL,
    state     TEXT NOT NULL,
    start_at  INTEGER,
    end_at    INTEGER,
    created   INTEGER NOT NULL,
    updated   INTEGER NOT NULL,
    document  TEXT NOT NULL
);
CREATE INDEX executions_by_start ON executions (start_at DESC, seq DESC);
CREATE INDEX executions_by_flow ON executions (namespace, flow_id, start_at DESC, seq DESC);
CREATE INDEX executions_by_state ON executions (state, start_at DESC, seq DESC);

-- The executor's mailbox. AUTOINCREMENT: an id is never reused, so a stale ack cannot hit a new event.
CREATE TABLE events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    at           INTEGER NOT NULL,
    body         TEXT NOT NULL
);
CREATE INDEX events_by_execution ON events (execution_id);

-- The work queue. A job is available when owner IS NULL or lease_until has passed.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    task_run_id  TEXT NOT NULL,
    attempt      INTEGER NOT NULL,
    payload      TEXT NOT NULL,
    owner        TEXT,
    lease_until  INTEGER,
    claims       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_by_execution ON jobs (execution_id);
CREATE INDEX jobs_by_task_run ON jobs (task_run_id);
CREATE INDEX jobs_by_owner ON jobs (owner);

-- Durable timers.
CREATE TABLE timers (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    task_run_id  TEXT NOT NULL,
    attempt      INTEGER NOT NULL,
    fire_at      INTEGER NOT NULL
);
CREATE INDEX timers_by_fire_at ON timers (fire_at, id);
CREATE INDEX timers_by_execution ON timers (execution_id);
CREATE INDEX timers_by_task_run ON timers (task_run_id);

-- One log stream per execution: a small integer key for the log rows, and the last sequence
-- number handed out. No foreign key to executions: a log line is never refused.
CREATE TABLE log_streams (
    id           INTEGER PRIMARY KEY,
    execution_id TEXT NOT NULL UNIQUE,
    last_seq     INTEGER NOT NULL
);

-- Log lines, clustered by (stream, seq): appends go to the end of a stream, pages are range scans.
-- level: 1 TRACE, 2 DEBUG, 3 INFO, 4 WARN, 5 ERROR.
CREATE TABLE logs (
    stream      INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    task_run_id TEXT,
    task_id     TEXT,
    attempt     INTEGER,
    at          INTEGER NOT NULL,
    level       INTEGER NOT NULL,
    message     TEXT NOT NULL,
    PRIMARY KEY (stream, seq)
) WITHOUT ROWID;

-- Task metrics.
CREATE TABLE metrics (
    id           INTEGER PRIMARY KEY,
    execution_id TEXT NOT NULL,
    task_run_id  TEXT NOT NULL,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    value        REAL NOT NULL,
    tags         TEXT NOT NULL
);
CREATE INDEX metrics_by_execution ON metrics (execution_id, id);
