-- Task runs as rows of their own, so a step writes the task runs it changed instead of the whole
-- execution. An execution's document keeps everything else; its `taskRunList` is read from here.
CREATE TABLE task_runs (
    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    id           TEXT NOT NULL,
    position     INTEGER NOT NULL,
    document     TEXT NOT NULL,
    PRIMARY KEY (execution_id, id)
);
CREATE INDEX task_runs_in_order ON task_runs (execution_id, position);
-- The task runs of executions stored before: their documents keep the old list, which is not read.
INSERT INTO task_runs (execution_id, id, position, document)
SELECT e.id, json_extract(r.value, '$.id'), CAST(r.key AS INTEGER), r.value
FROM executions e, json_each(e.document, '$.taskRunList') r;
