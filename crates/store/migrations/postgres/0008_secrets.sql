-- Stored secrets, encrypted at rest: `value` is the AES-256-GCM ciphertext (with its tag) of the
-- secret under the key of the configuration, `nonce` the 12 random bytes it was sealed with.
CREATE TABLE secrets (
    namespace text COLLATE "C" NOT NULL,
    name      text COLLATE "C" NOT NULL,
    nonce     bytea NOT NULL,
    value     bytea NOT NULL,
    updated   bigint NOT NULL,
    PRIMARY KEY (namespace, name)
);
