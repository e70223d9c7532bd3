//! Where a migration stands and which way it goes.

use serde::{Deserialize, Serialize};
use smp_core::stored_text;
use smp_store::MigrationRow;
use smp_store::states::{direction, migration_status};
use utoipa::ToSchema;

use crate::DomainError;

/// A migration's status, as the API and the database show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MigrationStatus {
    /// Inbound by watching: waiting until the old provider lets go.
    PendingDeregistration,
    /// Inbound by watching: the old provider let go; registration is up to the operator.
    DeregistrationConfirmed,
    /// Outbound: a key is open at the SML; the participant is still served here.
    Prepared,
    /// Inbound: Migrate (with a key) or the SML registration (after a watch) is under way.
    Registering,
    /// Done.
    Completed,
    /// Cancelled by an operator (outbound: the key was closed by migrating to ourselves).
    Cancelled,
    /// Stopped with an error code and message; `retry` may pick it up again.
    Failed,
}

stored_text!(MigrationStatus {
    PendingDeregistration => migration_status::PENDING_DEREGISTRATION,
    DeregistrationConfirmed => migration_status::DEREGISTRATION_CONFIRMED,
    Prepared => migration_status::PREPARED,
    Registering => migration_status::REGISTERING,
    Completed => migration_status::COMPLETED,
    Cancelled => migration_status::CANCELLED,
    Failed => migration_status::FAILED,
});

impl MigrationStatus {
    /// Whether nothing will move the migration any more (short of a retry).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Cancelled | Self::Failed)
    }
}

/// Which way a participant moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// To this SMP.
    Inbound,
    /// Away from this SMP.
    Outbound,
}

stored_text!(Direction {
    Inbound => direction::INBOUND,
    Outbound => direction::OUTBOUND,
});

/// The typed status and direction of a stored migration row.
pub(crate) fn state_of(row: &MigrationRow) -> Result<(Direction, MigrationStatus), DomainError> {
    Ok((
        Direction::from_stored(&row.direction)?,
        MigrationStatus::from_stored(&row.status)?,
    ))
}

/// Whether `row` is an open outbound migration (a key handed to the SML).
pub(crate) fn is_open_outbound(row: &MigrationRow) -> Result<bool, DomainError> {
    Ok(state_of(row)? == (Direction::Outbound, MigrationStatus::Prepared))
}

#[cfg(test)]
mod tests {
    use super::{Direction, MigrationStatus};

    #[test]
    fn json_and_stored_forms_agree() {
        for s in MigrationStatus::ALL {
            assert_eq!(
                serde_json::to_value(s).ok(),
                Some(serde_json::Value::String(s.as_str().into()))
            );
        }
        for d in Direction::ALL {
            assert_eq!(
                serde_json::to_value(d).ok(),
                Some(serde_json::Value::String(d.as_str().into()))
            );
        }
    }
}
