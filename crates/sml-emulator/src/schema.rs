// Mirrors migrations/2026-01-01-000000_init/up.sql.
diesel::table! {
    smp (smp_id) {
        smp_id -> Text,
        logical_address -> Text,
        physical_address -> Text,
        cert_fingerprint -> Text,
        cert_subject -> Text,
        pending_cert_fingerprint -> Nullable<Text>,
        pending_cert_subject -> Nullable<Text>,
        pending_valid_from -> Nullable<Text>,
    }
}

diesel::table! {
    participant (scheme, value_key) {
        scheme -> Text,
        value_key -> Text,
        value -> Text,
        smp_id -> Text,
    }
}

diesel::table! {
    migration (scheme, value_key) {
        scheme -> Text,
        value_key -> Text,
        old_smp_id -> Text,
        migration_key -> Text,
    }
}

diesel::allow_tables_to_appear_in_same_query!(smp, participant, migration);
