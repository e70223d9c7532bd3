DROP TABLE sml_jobs;
ALTER TABLE participants DROP COLUMN sml_error;
ALTER TABLE participants DROP COLUMN sml_state;
