-- SML registration: each participant's state at the SML, and the durable intents
-- (jobs) that bring the SML in line with the local database. Keep in step with
-- migrations/postgres.

ALTER TABLE participants ADD COLUMN sml_state TEXT NOT NULL DEFAULT 'unregistered';
ALTER TABLE participants ADD COLUMN sml_error TEXT;

CREATE TABLE sml_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    participant_key TEXT NOT NULL,
    scheme TEXT NOT NULL,
    value TEXT NOT NULL,
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_run_at BIGINT NOT NULL,
    last_error_code TEXT,
    last_error_message TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX sml_jobs_due ON sml_jobs (status, next_run_at);
CREATE INDEX sml_jobs_participant ON sml_jobs (participant_key);
