-- Task runs as rows of their own, so a step writes the task runs it changed instead of the whole
-- execution. An execution's document keeps everything else; its `taskRunList` is read from here.
CREATE TABLE task_runs (
    execution_id text NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    id           text NOT NULL,
    position     bigint NOT NULL,
    document     text NOT NULL,
    PRIMARY KEY (execution_id, id)
);
CREATE INDEX task_runs_in_order ON task_runs (execution_id, position);
-- The task runs of executions stored before: their documents keep the old list, which is not read.
INSERT INTO task_runs (execution_id, id, position, document)
SELECT e.id, r.value ->> 'id', r.n - 1, r.value::text
FROM executions e, json_array_elements(e.document -> 'taskRunList') WITH ORDINALITY AS r (value, n);
