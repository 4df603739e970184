-- Namespace files: one row per file, its whole content in the row (they are scripts, queries and
-- small projects), written in one statement so readers see the old or the new file. `revision`
-- counts the writes of a path.
CREATE TABLE namespace_files (
    namespace TEXT NOT NULL,
    path      TEXT NOT NULL,
    content   BLOB NOT NULL,
    size      INTEGER NOT NULL,
    created   INTEGER NOT NULL,
    updated   INTEGER NOT NULL,
    revision  INTEGER NOT NULL,
    PRIMARY KEY (namespace, path)
);
