//! Hand-written diesel schema, shared by both backends. It must match
//! `migrations/sqlite` and `migrations/postgres` (no diesel CLI in this project);
//! the store tests exercise every column on both engines, so a drift fails there.

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        password_hash -> Nullable<Text>,
        is_admin -> Bool,
        created_at -> BigInt,
    }
}

diesel::table! {
    tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        token_hash -> Text,
        created_at -> BigInt,
        expires_at -> Nullable<BigInt>,
        last_used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    participants (id) {
        id -> BigInt,
        participant_key -> Text,
        scheme -> Text,
        value -> Text,
        owner_id -> Nullable<BigInt>,
        extension -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
        sml_state -> Text,
        sml_error -> Nullable<Text>,
        lifecycle -> Text,
    }
}

diesel::table! {
    endpoint_profiles (id) {
        id -> BigInt,
        name -> Text,
        transport_profile -> Text,
        endpoint_url -> Text,
        certificate -> Text,
        service_description -> Text,
        technical_contact_url -> Text,
        technical_information_url -> Nullable<Text>,
        require_business_level_signature -> Bool,
        minimum_authentication_level -> Nullable<Text>,
        activation_date -> Nullable<Text>,
        expiration_date -> Nullable<Text>,
        owner_id -> Nullable<BigInt>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    services (id) {
        id -> BigInt,
        participant_id -> BigInt,
        doctype_scheme -> Text,
        doctype_value -> Text,
        doctype_key -> Text,
        redirect_href -> Nullable<Text>,
        redirect_certificate_uid -> Nullable<Text>,
        extension -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    processes (id) {
        id -> BigInt,
        service_id -> BigInt,
        position -> BigInt,
        scheme -> Text,
        value -> Text,
        extension -> Nullable<Text>,
    }
}

diesel::table! {
    endpoints (id) {
        id -> BigInt,
        process_id -> BigInt,
        position -> BigInt,
        profile_id -> Nullable<BigInt>,
        transport_profile -> Text,
        endpoint_url -> Text,
        certificate -> Text,
        service_description -> Text,
        technical_contact_url -> Text,
        technical_information_url -> Nullable<Text>,
        require_business_level_signature -> Bool,
        minimum_authentication_level -> Nullable<Text>,
        activation_date -> Nullable<Text>,
        expiration_date -> Nullable<Text>,
        extension -> Nullable<Text>,
    }
}

diesel::table! {
    business_cards (participant_id) {
        participant_id -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    business_entities (id) {
        id -> BigInt,
        participant_id -> BigInt,
        position -> BigInt,
        names_json -> Text,
        country_code -> Text,
        geographical_information -> Nullable<Text>,
        identifiers_json -> Text,
        websites_json -> Text,
        contacts_json -> Text,
        additional_information -> Nullable<Text>,
        registration_date -> Nullable<Text>,
    }
}

diesel::table! {
    documents (id) {
        id -> BigInt,
        participant_key -> Text,
        kind -> Text,
        doc_key -> Text,
        content -> Binary,
        etag -> Text,
        updated_at -> BigInt,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> BigInt,
        actor -> Text,
        action -> Text,
        participant_key -> Nullable<Text>,
        target -> Nullable<Text>,
        outcome -> Text,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    changes (id) {
        id -> BigInt,
        at -> BigInt,
        participant_key -> Text,
    }
}

diesel::table! {
    settings (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::joinable!(tokens -> users (user_id));
diesel::joinable!(services -> participants (participant_id));
diesel::joinable!(processes -> services (service_id));
diesel::joinable!(endpoints -> processes (process_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    tokens,
    participants,
    endpoint_profiles,
    services,
    processes,
    endpoints,
    business_cards,
    business_entities,
    documents,
    audit_log,
    changes,
    settings,
);

diesel::table! {
    sml_jobs (id) {
        id -> BigInt,
        participant_key -> Text,
        scheme -> Text,
        value -> Text,
        action -> Text,
        status -> Text,
        attempts -> Integer,
        next_run_at -> BigInt,
        last_error_code -> Nullable<Text>,
        last_error_message -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
        claimed_until -> Nullable<BigInt>,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        event_id -> Text,
        #[sql_name = "type"]
        event_type -> Text,
        created_at -> BigInt,
        data -> Text,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> Text,
        url -> Text,
        secret -> Text,
        event_types -> Text,
        active -> Bool,
        owner_id -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        subscription_id -> Text,
        event_row_id -> BigInt,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> BigInt,
        last_http_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));
diesel::joinable!(webhook_deliveries -> events (event_row_id));
diesel::allow_tables_to_appear_in_same_query!(events, webhook_subscriptions, webhook_deliveries);

diesel::table! {
    migrations (id) {
        id -> Text,
        direction -> Text,
        participant_key -> Text,
        participant -> Text,
        status -> Text,
        migration_key -> Nullable<Text>,
        auto_register -> Bool,
        bulk_id -> Nullable<Text>,
        attempts -> Integer,
        next_check_at -> BigInt,
        cleanup_at -> Nullable<BigInt>,
        error_code -> Nullable<Text>,
        error_message -> Nullable<Text>,
        details -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    migration_history (id) {
        id -> BigInt,
        migration_id -> Text,
        status -> Text,
        at -> BigInt,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    participant_archive (id) {
        id -> BigInt,
        participant_key -> Text,
        reason -> Text,
        snapshot -> Text,
        archived_at -> BigInt,
    }
}

diesel::table! {
    token_callers (id) {
        id -> Text,
        subject -> Text,
        seat_id -> Nullable<Text>,
        status -> Text,
        daily_quota -> Nullable<Integer>,
        quota_from -> Nullable<BigInt>,
        scheduled_quota -> Nullable<Integer>,
        blacklisted_at -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::table! {
    token_collections (id) {
        id -> BigInt,
        at -> BigInt,
        caller_id -> Nullable<Text>,
        caller_subject -> Nullable<Text>,
        client_ip -> Text,
        participant_key -> Nullable<Text>,
        outcome -> Text,
        http_status -> Integer,
        attempts -> BigInt,
    }
}

diesel::table! {
    token_prepare_claims (participant_key) {
        participant_key -> Text,
        claimant -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    scheme_migrations (id) {
        id -> BigInt,
        old_key -> Text,
        new_key -> Text,
        from_icd -> Text,
        to_icd -> Text,
        new_registered_at -> BigInt,
        overlap_until -> BigInt,
        old_removed_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    parked_participants (participant_key) {
        participant_key -> Text,
        last_seen_at -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(participants, parked_participants);
