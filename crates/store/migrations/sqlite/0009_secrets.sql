-- Stored secrets, encrypted at rest: `value` is the AES-256-GCM ciphertext (with its tag) of the
-- secret under the key of the configuration, `nonce` the 12 random bytes it was sealed with.
CREATE TABLE secrets (
    namespace TEXT NOT NULL,
    name      TEXT NOT NULL,
    nonce     BLOB NOT NULL,
    value     BLOB NOT NULL,
    updated   INTEGER NOT NULL,
    PRIMARY KEY (namespace, name)
);
