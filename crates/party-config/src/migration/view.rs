//! The migration resource as the API shows it.

use serde::{Deserialize, Serialize};
use smp_store::{HistoryRow, MigrationRow};
use utoipa::ToSchema;

use super::{Details, Direction, MigrationStatus, state_of};
use crate::DomainError;
use smp_core::kernel::blocks::rfc3339;

/// The access point a participant is currently served by (from its current SMP's metadata).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CurrentAccessPoint {
    /// The endpoint URL published for it.
    pub endpoint_url: String,
    /// The Peppol seat id (CN of the endpoint certificate's subject), e.g. `PBE000001`.
    pub seat_id: Option<String>,
}

/// One status change.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// The status entered.
    pub status: MigrationStatus,
    /// RFC 3339.
    pub at: String,
    /// Why, when there is more to say.
    pub note: Option<String>,
}

/// A migration.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MigrationView {
    /// `mig_…`.
    pub id: String,
    /// Which way the participant moves.
    pub direction: Direction,
    /// `scheme::value`.
    pub participant: String,
    /// Where it stands.
    pub status: MigrationStatus,
    /// Outbound: the key to hand to the new provider, only in the answer that prepared it
    /// (afterwards: `POST /api/v1/migrations/{id}/reveal-key`, audited).
    pub migration_key: Option<String>,
    /// Inbound without a key: register as soon as the old provider lets go.
    pub auto_register: bool,
    /// The SMP the participant's NAPTR record points at, when known.
    pub current_smp: Option<String>,
    /// The access point that SMP publishes, when known.
    pub current_ap: Option<CurrentAccessPoint>,
    /// Why it failed (`sml.err_nnn`, …).
    pub error_code: Option<String>,
    /// The SML's (or Ferry's) message.
    pub error_message: Option<String>,
    /// Part of this bulk request.
    pub bulk_id: Option<String>,
    /// What the operator can do next.
    pub next_steps: Vec<String>,
    /// Status changes, oldest first.
    pub history: Vec<HistoryEntry>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

/// An open outbound migration's key, revealed on request (and audited).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevealedKey {
    /// `mig_…`.
    pub migration_id: String,
    /// `scheme::value`.
    pub participant: String,
    /// The key the new provider passes to Migrate.
    pub migration_key: String,
}

/// Filters for listing migrations.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MigrationFilter {
    /// Only this status.
    pub status: Option<MigrationStatus>,
    /// Only this direction.
    pub direction: Option<Direction>,
    /// Only this participant (`scheme::value`).
    pub participant: Option<String>,
    /// Only this bulk request.
    pub bulk_id: Option<String>,
    /// Items to skip.
    pub offset: Option<i64>,
    /// Page size (default 50, at most 1000).
    pub limit: Option<i64>,
}

impl MigrationView {
    pub(crate) fn from_rows(
        row: &MigrationRow,
        history: &[HistoryRow],
    ) -> Result<Self, DomainError> {
        let details = Details::of(row)?;
        let (direction, status) = state_of(row)?;
        Ok(Self {
            id: row.id.clone(),
            direction,
            participant: row.participant.clone(),
            status,
            // A key is a credential: it is shown once, in the answer that prepared it, and
            // later only through the audited reveal (`Migrations::reveal_key`).
            migration_key: None,
            auto_register: row.auto_register,
            current_smp: details.current_smp.clone(),
            current_ap: details.current_ap.clone(),
            error_code: row.error_code.clone(),
            error_message: row.error_message.clone(),
            bulk_id: row.bulk_id.clone(),
            next_steps: next_steps(row, direction, status, &details),
            history: history
                .iter()
                .map(|h| {
                    Ok(HistoryEntry {
                        status: MigrationStatus::from_stored(&h.status)?,
                        at: rfc3339(h.at),
                        note: h.note.clone(),
                    })
                })
                .collect::<Result<_, DomainError>>()?,
            created_at: rfc3339(row.created_at),
            updated_at: rfc3339(row.updated_at),
        })
    }
}

fn next_steps(
    row: &MigrationRow,
    direction: Direction,
    status: MigrationStatus,
    details: &Details,
) -> Vec<String> {
    let id = &row.id;
    let steps: Vec<String> = match (direction, status) {
        (Direction::Outbound, MigrationStatus::Prepared) => vec![
            "Give the migration key to the new provider; it calls Migrate at the SML with it."
                .into(),
            "Ferry keeps serving the participant and removes it once the SML shows the takeover."
                .into(),
            format!(
                "To call it off: POST /api/v1/migrations/{id}/cancel (migrates the participant back to this SMP)."
            ),
        ],
        (Direction::Inbound, MigrationStatus::PendingDeregistration) => {
            let holder = details
                .current_smp
                .clone()
                .unwrap_or_else(|| "its current SMP".into());
            let mut steps = vec![format!(
                "The participant is registered with {holder}: ask the participant to have its current provider \
                 deregister it, or to give you a migration key and create the migration again with it."
            )];
            steps.push(if row.auto_register {
                "Ferry registers it automatically as soon as the old provider lets go.".into()
            } else {
                "Ferry notifies you (migration.completed is not sent) when the old provider lets go.".into()
            });
            steps.push(format!("Check now: POST /api/v1/migrations/{id}/check."));
            steps
        }
        (Direction::Inbound, MigrationStatus::DeregistrationConfirmed) => {
            vec!["The old provider deregistered the participant: register it (POST /api/v1/participants).".into()]
        }
        (_, MigrationStatus::Registering) => vec![format!(
            "Ferry is registering the participant; POST /api/v1/migrations/{id}/check to check now."
        )],
        (_, MigrationStatus::Failed) => vec![
            "Read errorCode/errorMessage (the SML's code and message).".into(),
            format!("After fixing the cause: POST /api/v1/migrations/{id}/retry."),
        ],
        (Direction::Inbound, MigrationStatus::Prepared)
        | (Direction::Outbound, MigrationStatus::PendingDeregistration)
        | (Direction::Outbound, MigrationStatus::DeregistrationConfirmed)
        | (_, MigrationStatus::Completed | MigrationStatus::Cancelled) => Vec::new(),
    };
    steps
}
