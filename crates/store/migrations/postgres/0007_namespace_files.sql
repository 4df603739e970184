-- Namespace files: one row per file, its whole content in the row (they are scripts, queries and
-- small projects), written in one statement so readers see the old or the new file. `revision`
-- counts the writes of a path.
CREATE TABLE namespace_files (
    namespace text COLLATE "C" NOT NULL,
    path      text COLLATE "C" NOT NULL,
    content   bytea NOT NULL,
    size      bigint NOT NULL,
    created   bigint NOT NULL,
    updated   bigint NOT NULL,
    revision  bigint NOT NULL,
    PRIMARY KEY (namespace, path)
);
