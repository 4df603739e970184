-- One executor at a time per execution, across every process sharing the database.
--
-- `revision` counts the stored versions of an execution: a step commit names the revision it
-- started from and is refused (nothing of it stored) when another commit came first, so two
-- executors can never both advance the same version (optimistic concurrency, the safety net).
--
-- `executor` / `executor_until` hold an execution for one executor while it steps it: executors
-- claim the executions that have pending events and nobody holds (FOR UPDATE SKIP LOCKED), so
-- they share the work instead of racing for it. A hold ends with the step's commit, or when it
-- runs out (the executor died).
ALTER TABLE executions
    ADD COLUMN revision bigint NOT NULL DEFAULT 0,
    ADD COLUMN executor text,
    ADD COLUMN executor_until bigint;
CREATE INDEX executions_by_executor ON executions (executor) WHERE executor IS NOT NULL;
