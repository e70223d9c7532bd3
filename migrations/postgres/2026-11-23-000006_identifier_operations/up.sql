-- Identifier operations: scheme-ID migrations (e.g. Belgian 9956 → 0208), one row per
-- participant copied to the new scheme with the stages it has passed; and parked
-- participants bulk-imported from a registry dump, with the last import that listed them.
-- Keep in step with migrations/sqlite.

CREATE TABLE scheme_migrations (
    id BIGSERIAL PRIMARY KEY,
    old_key TEXT COLLATE "C" NOT NULL UNIQUE,
    new_key TEXT COLLATE "C" NOT NULL,
    from_icd TEXT NOT NULL,
    to_icd TEXT NOT NULL,
    new_registered_at BIGINT NOT NULL,
    overlap_until BIGINT NOT NULL,
    old_removed_at BIGINT
);
CREATE INDEX scheme_migrations_pair ON scheme_migrations (from_icd, to_icd, old_removed_at);

CREATE TABLE parked_participants (
    participant_key TEXT COLLATE "C" PRIMARY KEY,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX parked_participants_seen ON parked_participants (last_seen_at);
