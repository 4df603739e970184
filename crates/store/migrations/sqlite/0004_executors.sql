-- One executor at a time per execution (see the PostgreSQL migration 0003): `revision` counts the
-- stored versions of an execution and a step commit must name the one it started from;
-- `executor` / `executor_until` hold an execution for the executor stepping it.
ALTER TABLE executions ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE executions ADD COLUMN executor TEXT;
ALTER TABLE executions ADD COLUMN executor_until INTEGER;
CREATE INDEX executions_by_executor ON executions (executor) WHERE executor IS NOT NULL;
-- A step that kills a task run whose job a worker holds marks the job; the worker stops it.
ALTER TABLE jobs ADD COLUMN kill INTEGER NOT NULL DEFAULT 0;
