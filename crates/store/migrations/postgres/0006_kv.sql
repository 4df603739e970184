-- The KV store: one row per pair of a namespace. `value` is the JSON document of the value as
-- text (the queries are the same as SQLite's), `kv_type` Kestra's name of its type; `expires`
-- (nanoseconds) makes a pair read as absent from then on, until a purge deletes it.
CREATE TABLE kv (
    namespace   text COLLATE "C" NOT NULL,
    key         text COLLATE "C" NOT NULL,
    kv_type     text NOT NULL,
    value       text NOT NULL,
    description text,
    created     bigint NOT NULL,
    updated     bigint NOT NULL,
    expires     bigint,
    PRIMARY KEY (namespace, key)
);
