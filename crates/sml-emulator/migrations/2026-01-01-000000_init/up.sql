-- SMP entries. An SMP is bound to one certificate (SHA-256 of its DER, lower-case hex).
CREATE TABLE smp (
    smp_id TEXT PRIMARY KEY NOT NULL,
    logical_address TEXT NOT NULL,
    physical_address TEXT NOT NULL,
    cert_fingerprint TEXT NOT NULL,
    cert_subject TEXT NOT NULL,
    -- PrepareChangeCertificate: the certificate that takes over from `pending_valid_from` (xs:date, YYYY-MM-DD).
    pending_cert_fingerprint TEXT,
    pending_cert_subject TEXT,
    pending_valid_from TEXT
);

-- Registered participants; `value_key` is the lower-cased value (identifiers are case-insensitive).
CREATE TABLE participant (
    scheme TEXT NOT NULL,
    value_key TEXT NOT NULL,
    value TEXT NOT NULL,
    smp_id TEXT NOT NULL REFERENCES smp (smp_id),
    PRIMARY KEY (scheme, value_key)
);

-- Open migration records (PrepareToMigrate); at most one per participant, re-prepare replaces it.
CREATE TABLE migration (
    scheme TEXT NOT NULL,
    value_key TEXT NOT NULL,
    old_smp_id TEXT NOT NULL,
    migration_key TEXT NOT NULL,
    PRIMARY KEY (scheme, value_key)
);
