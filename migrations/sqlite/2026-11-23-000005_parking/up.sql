-- The parking SMP: callers of the migration-token collection API (identified by the
-- SHA-256 fingerprint of their AP certificate), an audit row per collection attempt,
-- and a lifecycle flag on participants (only active ones hand out keys). Keep in step
-- with migrations/postgres.

CREATE TABLE token_callers (
    id TEXT PRIMARY KEY NOT NULL,
    subject TEXT NOT NULL,
    seat_id TEXT,
    status TEXT NOT NULL DEFAULT 'active',
    daily_quota INTEGER,
    quota_from BIGINT,
    scheduled_quota INTEGER,
    blacklisted_at BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE token_collections (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    at BIGINT NOT NULL,
    caller_id TEXT,
    caller_subject TEXT,
    client_ip TEXT NOT NULL,
    participant_key TEXT,
    outcome TEXT NOT NULL,
    http_status INTEGER NOT NULL
);
CREATE INDEX token_collections_caller ON token_collections (caller_id, at);
CREATE INDEX token_collections_at ON token_collections (at);

ALTER TABLE participants ADD COLUMN lifecycle TEXT NOT NULL DEFAULT 'active';
