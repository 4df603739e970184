-- The KV store: one row per pair of a namespace. `value` is the JSON document of the value,
-- `kv_type` Kestra's name of its type; `expires` (nanoseconds) makes a pair read as absent from
-- then on, until a purge deletes it.
CREATE TABLE kv (
    namespace   TEXT NOT NULL,
    key         TEXT NOT NULL,
    kv_type     TEXT NOT NULL,
    value       TEXT NOT NULL,
    description TEXT,
    created     INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    expires     INTEGER,
    PRIMARY KEY (namespace, key)
);
