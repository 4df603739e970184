-- The limit a queued execution waits under, so that any execution of its flow that ends (of
-- whichever revision) can hand free slots on without knowing the limit itself.
ALTER TABLE flow_slots ADD COLUMN slot_limit BIGINT NOT NULL DEFAULT 1;
