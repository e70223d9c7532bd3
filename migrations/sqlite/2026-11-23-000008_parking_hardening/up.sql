-- Parking hardening. Keep in step with migrations/postgres.
--
-- `attempts`: requests refused before the caller's certificate was verified (and verified
-- callers' requests over the per-minute limits) are no longer one audit row each but one
-- row per minute, address and outcome that says how many there were; every other row is 1.
ALTER TABLE token_collections ADD COLUMN attempts BIGINT NOT NULL DEFAULT 1;

-- Who is preparing a participant's migration key at the SML right now (a lease, so that
-- nodes sharing the database prepare one key between them, not one each).
CREATE TABLE token_prepare_claims (
    participant_key TEXT PRIMARY KEY NOT NULL,
    claimant TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
