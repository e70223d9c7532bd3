-- SML job claims. Keep in step with migrations/postgres.
--
-- A worker claims a job (a lease until `claimed_until`, unix ms) before it calls the SML, and
-- the claim ends when it records the outcome. While a job is claimed its call may be in
-- flight: a newer intent for the participant does not supersede it but waits behind it, so
-- that no node deletes a participant at the SML while another node's create is still on its
-- way (found by the two-node soak: participants left at the SML after a delete).
ALTER TABLE sml_jobs ADD COLUMN claimed_until BIGINT;
