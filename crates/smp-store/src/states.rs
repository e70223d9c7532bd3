//! The stored text of every state column: the one place each text is spelled.
//!
//! The domain's state enums (`smp_core::SmlState`, `party_config::MigrationStatus`, …) map
//! their variants to these constants and read rows back through them, so the database, the
//! domain and the queries here agree by construction. Nothing else spells these texts.

/// `migrations.status`.
pub mod migration_status {
    pub const PENDING_DEREGISTRATION: &str = "pending_deregistration";
    pub const DEREGISTRATION_CONFIRMED: &str = "deregistration_confirmed";
    pub const PREPARED: &str = "prepared";
    pub const REGISTERING: &str = "registering";
    pub const COMPLETED: &str = "completed";
    pub const CANCELLED: &str = "cancelled";
    pub const FAILED: &str = "failed";
    /// The statuses nothing moves on from by itself.
    pub const FINAL: [&str; 3] = [COMPLETED, CANCELLED, FAILED];
}

/// `migrations.direction`.
pub mod direction {
    pub const INBOUND: &str = "inbound";
    pub const OUTBOUND: &str = "outbound";
}

/// `participants.sml_state`.
pub mod sml_state {
    pub const UNREGISTERED: &str = "unregistered";
    pub const PENDING: &str = "pending";
    pub const REGISTERED: &str = "registered";
    pub const FAILED: &str = "failed";
    pub const MIGRATING: &str = "migrating";
}

/// `sml_jobs.action`.
pub mod job_action {
    pub const CREATE: &str = "create";
    pub const DELETE: &str = "delete";
}

/// `sml_jobs.status`.
pub mod job_status {
    pub const PENDING: &str = "pending";
    pub const DONE: &str = "done";
    pub const FAILED: &str = "failed";
    pub const SUPERSEDED: &str = "superseded";
}

/// `webhook_deliveries.status`.
pub mod delivery_status {
    pub const PENDING: &str = "pending";
    pub const DELIVERED: &str = "delivered";
    pub const FAILED: &str = "failed";
}

/// `token_callers.status`.
pub mod caller_status {
    pub const ACTIVE: &str = "active";
    pub const BLACKLISTED: &str = "blacklisted";
}

/// `participants.lifecycle`.
pub mod lifecycle {
    pub const ACTIVE: &str = "active";
    pub const INACTIVE: &str = "inactive";
}
