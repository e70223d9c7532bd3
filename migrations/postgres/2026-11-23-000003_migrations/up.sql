-- Participant migrations between SMPs (the Peppol migration-key protocol), their status
-- (details: JSON with the staged capabilities, current provider and creator),
-- history, and archived copies of participants that left. Keep in step
-- with migrations/sqlite.

CREATE TABLE migrations (
    id TEXT PRIMARY KEY NOT NULL,
    direction TEXT NOT NULL,
    participant_key TEXT COLLATE "C" NOT NULL,
    participant TEXT NOT NULL,
    status TEXT NOT NULL,
    migration_key TEXT,
    auto_register BOOLEAN NOT NULL DEFAULT FALSE,
    bulk_id TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_check_at BIGINT NOT NULL,
    cleanup_at BIGINT,
    error_code TEXT,
    error_message TEXT,
    details TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX migrations_due ON migrations (status, next_check_at);
CREATE INDEX migrations_participant ON migrations (participant_key);
CREATE INDEX migrations_bulk ON migrations (bulk_id);

CREATE TABLE migration_history (
    id BIGSERIAL PRIMARY KEY,
    migration_id TEXT NOT NULL REFERENCES migrations (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    at BIGINT NOT NULL,
    note TEXT
);
CREATE INDEX migration_history_migration ON migration_history (migration_id);

CREATE TABLE participant_archive (
    id BIGSERIAL PRIMARY KEY,
    participant_key TEXT COLLATE "C" NOT NULL,
    reason TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    archived_at BIGINT NOT NULL
);
CREATE INDEX participant_archive_key ON participant_archive (participant_key);
