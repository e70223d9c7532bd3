-- Ferry initial schema (SQLite). Keep table/column names and types in step with
-- migrations/postgres: crates/smp-store/src/schema.rs describes both.
-- INTEGER PRIMARY KEY is SQLite's 64-bit rowid, read by diesel as BigInt.

CREATE TABLE users (
    id INTEGER PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    is_admin BOOLEAN NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE tokens (
    id INTEGER PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    last_used_at BIGINT
);
CREATE INDEX tokens_user_id ON tokens (user_id);

CREATE TABLE participants (
    id INTEGER PRIMARY KEY NOT NULL,
    participant_key TEXT NOT NULL UNIQUE,
    scheme TEXT NOT NULL,
    value TEXT NOT NULL,
    owner_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    extension TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX participants_owner_id ON participants (owner_id);

CREATE TABLE endpoint_profiles (
    id INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    transport_profile TEXT NOT NULL,
    endpoint_url TEXT NOT NULL,
    certificate TEXT NOT NULL,
    service_description TEXT NOT NULL,
    technical_contact_url TEXT NOT NULL,
    technical_information_url TEXT,
    require_business_level_signature BOOLEAN NOT NULL,
    minimum_authentication_level TEXT,
    activation_date TEXT,
    expiration_date TEXT,
    owner_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE services (
    id INTEGER PRIMARY KEY NOT NULL,
    participant_id BIGINT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    doctype_scheme TEXT NOT NULL,
    doctype_value TEXT NOT NULL,
    doctype_key TEXT NOT NULL,
    redirect_href TEXT,
    redirect_certificate_uid TEXT,
    extension TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (participant_id, doctype_key)
);

CREATE TABLE processes (
    id INTEGER PRIMARY KEY NOT NULL,
    service_id BIGINT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    scheme TEXT NOT NULL,
    value TEXT NOT NULL,
    extension TEXT,
    UNIQUE (service_id, position)
);

CREATE TABLE endpoints (
    id INTEGER PRIMARY KEY NOT NULL,
    process_id BIGINT NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    profile_id BIGINT REFERENCES endpoint_profiles (id) ON DELETE RESTRICT,
    transport_profile TEXT NOT NULL,
    endpoint_url TEXT NOT NULL,
    certificate TEXT NOT NULL,
    service_description TEXT NOT NULL,
    technical_contact_url TEXT NOT NULL,
    technical_information_url TEXT,
    require_business_level_signature BOOLEAN NOT NULL,
    minimum_authentication_level TEXT,
    activation_date TEXT,
    expiration_date TEXT,
    extension TEXT,
    UNIQUE (process_id, position)
);
CREATE INDEX endpoints_profile_id ON endpoints (profile_id);

CREATE TABLE business_cards (
    participant_id BIGINT PRIMARY KEY NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    updated_at BIGINT NOT NULL
);

CREATE TABLE business_entities (
    id INTEGER PRIMARY KEY NOT NULL,
    participant_id BIGINT NOT NULL REFERENCES business_cards (participant_id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    names_json TEXT NOT NULL,
    country_code TEXT NOT NULL,
    geographical_information TEXT,
    identifiers_json TEXT NOT NULL,
    websites_json TEXT NOT NULL,
    contacts_json TEXT NOT NULL,
    additional_information TEXT,
    registration_date TEXT,
    UNIQUE (participant_id, position)
);

CREATE TABLE documents (
    id INTEGER PRIMARY KEY NOT NULL,
    participant_key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('sg', 'sm', 'bc')),
    doc_key TEXT NOT NULL,
    content BLOB NOT NULL,
    etag TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (participant_key, kind, doc_key)
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    participant_key TEXT,
    target TEXT,
    outcome TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX audit_log_participant_key ON audit_log (participant_key, id);

-- AUTOINCREMENT: other nodes page through this table by id, so an id must never be
-- reused after pruning (plain rowids restart from max(id) + 1).
CREATE TABLE changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    at BIGINT NOT NULL,
    participant_key TEXT NOT NULL
);
CREATE INDEX changes_at ON changes (at);

CREATE TABLE settings (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
