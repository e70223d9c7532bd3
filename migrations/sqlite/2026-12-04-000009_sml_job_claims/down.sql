ALTER TABLE sml_jobs DROP COLUMN claimed_until;
