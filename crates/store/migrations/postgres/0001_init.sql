-- Sluice schema for PostgreSQL, version 1: the same tables as SQLite's versions 1 to 3.
-- Times are bigint nanoseconds since 1970-01-01 UTC, as in SQLite: timestamptz keeps only
-- microseconds. Small counts (revisions, attempts, claims) are bigint too and read back as u32,
-- refusing values that do not fit. Every object is created in the first schema of the search_path.

-- Text that lists are sorted by is COLLATE "C": byte order, as SQLite sorts, whatever the
-- database's locale.
--
-- JSON columns are `json`, not `jsonb`: jsonb refuses the escape \u0000 (a NUL character, which
-- task output and log lines may hold and SQLite keeps), and the store only ever reads and writes
-- whole documents, which `json` keeps as written with no conversion either way. A column can
-- become jsonb later (ALTER COLUMN … TYPE jsonb) if queries inside documents need its indexes.

-- Every revision of every flow; a delete marks all revisions of a flow deleted.
CREATE TABLE flows (
    namespace text COLLATE "C" NOT NULL,
    id        text COLLATE "C" NOT NULL,
    revision  bigint NOT NULL,
    source    text NOT NULL,
    created   bigint NOT NULL,
    deleted   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (namespace, id, revision)
);

-- Executions: the engine's document plus the columns lists filter and sort on.
-- `seq` is insertion order, the tie-breaker for "newest first".
CREATE TABLE executions (
    seq       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id        text NOT NULL UNIQUE,
    namespace text NOT NULL,
    flow_id   text NOT NULL,
    state     text NOT NULL,
    start_at  bigint,
    end_at    bigint,
    created   bigint NOT NULL,
    updated   bigint NOT NULL,
    document  json NOT NULL
);
-- NULLS LAST: SQLite sorts a missing start after every start when listing newest first.
CREATE INDEX executions_by_start ON executions (start_at DESC NULLS LAST, seq DESC);
CREATE INDEX executions_by_flow ON executions (namespace, flow_id, start_at DESC NULLS LAST, seq DESC);
CREATE INDEX executions_by_state ON executions (state, start_at DESC NULLS LAST, seq DESC);

-- The executor's mailbox. Identity ids come from a sequence: never reused, so a stale ack cannot
-- hit a new event.
CREATE TABLE events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    execution_id text NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    at           bigint NOT NULL,
    body         json NOT NULL
);
CREATE INDEX events_by_execution ON events (execution_id);

-- The work queue. A job is available when owner IS NULL or lease_until has passed; claims take
-- the oldest available row with FOR UPDATE SKIP LOCKED.
CREATE TABLE jobs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    execution_id text NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    task_run_id  text NOT NULL,
    attempt      bigint NOT NULL,
    payload      json NOT NULL,
    owner        text,
    lease_until  bigint,
    claims       bigint NOT NULL DEFAULT 0
);
CREATE INDEX jobs_by_execution ON jobs (execution_id);
CREATE INDEX jobs_by_task_run ON jobs (task_run_id);
CREATE INDEX jobs_by_owner ON jobs (owner);
CREATE INDEX jobs_by_lease ON jobs (lease_until) WHERE owner IS NOT NULL;

-- Durable timers.
CREATE TABLE timers (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    execution_id text NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    task_run_id  text NOT NULL,
    attempt      bigint NOT NULL,
    fire_at      bigint NOT NULL
);
CREATE INDEX timers_by_fire_at ON timers (fire_at, id);
CREATE INDEX timers_by_execution ON timers (execution_id);
CREATE INDEX timers_by_task_run ON timers (task_run_id);

-- One log stream per execution: a small integer key for the log blocks, and the last sequence
-- number handed out. No foreign key to executions: a log line is never refused.
CREATE TABLE log_streams (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    execution_id text NOT NULL UNIQUE,
    last_seq     bigint NOT NULL
);

-- Log lines in blocks of consecutive lines of one stream written by one task-run attempt (or by
-- the execution itself). `lines` is a JSON array of [at, level, message] for first_seq..last_seq;
-- level: 1 TRACE, 2 DEBUG, 3 INFO, 4 WARN, 5 ERROR; max_level lets level filters skip blocks.
CREATE TABLE log_blocks (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stream      bigint NOT NULL,
    first_seq   bigint NOT NULL,
    last_seq    bigint NOT NULL,
    task_run_id text,
    task_id     text,
    attempt     bigint,
    max_level   smallint NOT NULL,
    lines       json NOT NULL
);
CREATE UNIQUE INDEX log_blocks_by_seq ON log_blocks (stream, last_seq);

-- One row per line, for people reading the database with psql.
CREATE VIEW log_lines AS
SELECT s.execution_id AS execution_id,
       b.first_seq + j.ordinality - 1 AS seq,
       b.task_run_id AS task_run_id,
       b.task_id AS task_id,
       b.attempt AS attempt,
       (j.value ->> 0)::bigint AS at,
       (j.value ->> 1)::smallint AS level,
       j.value ->> 2 AS message
FROM log_blocks b
JOIN log_streams s ON s.id = b.stream
CROSS JOIN LATERAL json_array_elements(b.lines) WITH ORDINALITY AS j (value, ordinality);

-- Task metrics.
CREATE TABLE metrics (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    execution_id text NOT NULL,
    task_run_id  text NOT NULL,
    name         text NOT NULL,
    kind         text NOT NULL,
    value        double precision NOT NULL,
    tags         json NOT NULL
);
CREATE INDEX metrics_by_execution ON metrics (execution_id, id);

-- Schedule state: when each trigger of each flow fires next. Firing compares and sets
-- `next_fire_at` in the same transaction that creates the execution, so a tick fires once.
CREATE TABLE triggers (
    namespace         text COLLATE "C" NOT NULL,
    flow_id           text COLLATE "C" NOT NULL,
    trigger_id        text COLLATE "C" NOT NULL,
    next_fire_at      bigint NOT NULL,
    last_fired_at     bigint,
    last_execution_id text,
    PRIMARY KEY (namespace, flow_id, trigger_id)
);
