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

-- A step that kills a task run whose job a worker holds marks the job: that worker, maybe in
-- another process, stops the attempt. `sluice_kills` tells workers to look (payload: the task run).
ALTER TABLE jobs ADD COLUMN kill boolean NOT NULL DEFAULT false;
CREATE FUNCTION sluice_notify_kill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sluice_kills',
        CASE WHEN octet_length(NEW.task_run_id) <= 1000 THEN NEW.task_run_id ELSE '' END);
    RETURN NULL;
END
$$;
CREATE TRIGGER jobs_notify_kill AFTER UPDATE OF kill ON jobs
    FOR EACH ROW WHEN (NEW.kill AND NOT OLD.kill)
    EXECUTE FUNCTION sluice_notify_kill();
