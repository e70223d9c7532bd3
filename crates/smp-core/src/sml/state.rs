//! A participant's state at the SML.

/// Where a participant stands at the SML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmlState {
    /// Not registered and not meant to be (no SML configured, or `create-in-sml=false`).
    Unregistered,
    /// A registration is queued or being retried.
    Pending,
    /// The SML has it for this SMP.
    Registered,
    /// The SML refused; `sml_error` says why (an operator must act).
    Failed,
    /// Staged for an inbound migration: published here, not yet ours at the SML.
    Migrating,
}

impl SmlState {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unregistered => "unregistered",
            Self::Pending => "pending",
            Self::Registered => "registered",
            Self::Failed => "failed",
            Self::Migrating => "migrating",
        }
    }
}
