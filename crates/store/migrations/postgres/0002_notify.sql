-- Wake-ups: NOTIFY on the channels below whenever work appears, sent by the database itself when
-- the writing transaction commits, whichever code path wrote the row. Listeners (see
-- PostgresStore::listen) still poll now and then: leases that run out and timers that come due
-- notify nobody.
--
--   sluice_events  a mailbox event was added             payload: its execution id
--   sluice_jobs    a job was queued, or released         payload: its execution id
--   sluice_timers  a durable timer was added             payload: its fire time, in nanoseconds
--
-- An execution id longer than 1000 bytes is sent as an empty payload (NOTIFY payloads are small).
-- PostgreSQL folds identical notifications of one transaction into one.

CREATE FUNCTION sluice_notify_execution() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_ARGV[0],
        CASE WHEN octet_length(NEW.execution_id) <= 1000 THEN NEW.execution_id ELSE '' END);
    RETURN NULL;
END
$$;

CREATE FUNCTION sluice_notify_timer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sluice_timers', NEW.fire_at::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER events_notify AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION sluice_notify_execution('sluice_events');
CREATE TRIGGER jobs_notify_queued AFTER INSERT ON jobs
    FOR EACH ROW EXECUTE FUNCTION sluice_notify_execution('sluice_jobs');
CREATE TRIGGER jobs_notify_released AFTER UPDATE OF owner ON jobs
    FOR EACH ROW WHEN (OLD.owner IS NOT NULL AND NEW.owner IS NULL)
    EXECUTE FUNCTION sluice_notify_execution('sluice_jobs');
CREATE TRIGGER timers_notify AFTER INSERT ON timers
    FOR EACH ROW EXECUTE FUNCTION sluice_notify_timer();
