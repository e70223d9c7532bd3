//! `GET /api/v1/migration-tokens/{participant}`: hand an AP the migration key of a
//! participant hosted here, preparing the migration at the SML when none is open.

use std::net::IpAddr;

use peppol_id::ParticipantId;
use smp_store::{MigrationQuery, NewCollection, migrations, parking, participants};

use super::token_error::QUOTA_OUTCOMES;
use super::{ApCaller, CallerStatus, TokenError, quota};
use crate::migration::{Direction, MigrationStatus, is_open_outbound};
use crate::{DomainError, ParkingDesk};
use smp_core::Lifecycle;
use smp_core::kernel::now_ms;

/// A collected migration key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CollectedToken {
    /// The participant, `scheme::value`.
    pub participant: String,
    /// The key to give the new SMP (it calls Migrate at the SML with it).
    pub migration_key: String,
}

/// What the audit row knows so far.
#[derive(Default)]
struct Seen {
    caller: Option<ApCaller>,
    participant_key: Option<String>,
}

impl ParkingDesk<'_> {
    /// Serves one collection request. `caller_chain` is the client's certificate chain as
    /// sent in the TLS handshake (leaf first; empty when none was sent). Every outcome,
    /// success or not, leaves a `token_collections` row.
    pub fn collect_migration_token(
        &self,
        caller_chain: &[Vec<u8>],
        client_ip: IpAddr,
        pid_segment: &str,
    ) -> Result<CollectedToken, TokenError> {
        let now = now_ms();
        let mut seen = Seen::default();
        let result = self.collect(caller_chain, client_ip, pid_segment, now, &mut seen);
        let (outcome, http_status) = match &result {
            Ok(_) => ("ok", 200),
            Err(e) => (e.code(), i32::from(e.status())),
        };
        if let Err(e) = &result
            && e.status() >= 500
        {
            tracing::error!(error = %e, "migration token collection failed");
        }
        let row = NewCollection {
            at: now,
            caller_id: seen.caller.as_ref().map(|c| c.fingerprint.clone()),
            caller_subject: seen.caller.as_ref().map(|c| c.subject.clone()),
            client_ip: client_ip.to_string(),
            participant_key: seen.participant_key,
            outcome: outcome.to_owned(),
            http_status,
        };
        if let Err(e) = self.core.store().write(|conn| parking::record(conn, &row)) {
            // The audit row is part of the contract: without it, no key leaves.
            tracing::error!(error = %e, "could not record a token collection");
            return Err(TokenError::Internal(e.to_string()));
        }
        result
    }

    fn collect(
        &self,
        chain: &[Vec<u8>],
        ip: IpAddr,
        segment: &str,
        now: i64,
        seen: &mut Seen,
    ) -> Result<CollectedToken, TokenError> {
        self.desk.limiter.admit(ip, now)?;
        let caller = self.desk.trust.classify(chain)?;
        seen.caller = Some(caller.clone());
        self.check_quota(&caller, now)?;

        let pid = ParticipantId::from_path_segment(segment).map_err(|e| {
            TokenError::InvalidParticipant {
                reason: e.to_string(),
            }
        })?;
        let key = pid.key();
        seen.participant_key = Some(key.clone());
        self.check_participant(&pid, &key)?;

        // A poisoned lock only means another collection panicked; the guard protects no data.
        let _one_at_a_time = self
            .desk
            .prepare
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let open = self
            .core
            .store()
            .read(|conn| migrations::open_for_participant(conn, &key))?;
        if let Some(stored) = open
            .into_iter()
            .find(|m| is_open_outbound(m).unwrap_or(false))
            .and_then(|m| m.migration_key)
        {
            return Ok(CollectedToken {
                participant: pid.to_string(),
                migration_key: self.h.sealer.open(&stored).map_err(internal)?,
            });
        }
        let admin = self
            .core
            .users()
            .unchecked_local_admin()
            .map_err(internal)?;
        let view = self
            .h
            .migrations()
            .prepare_outbound(&admin, &pid)
            .map_err(|e| match e {
                DomainError::ParticipantNotFound { .. } => TokenError::UnknownParticipant {
                    participant: pid.to_string(),
                },
                DomainError::NotRegisteredInSml { .. } => TokenError::ParticipantInactive {
                    participant: pid.to_string(),
                },
                other => internal(other),
            })?;
        let migration_key = view
            .migration_key
            .ok_or_else(|| TokenError::Internal(format!("migration {} has no key", view.id)))?;
        Ok(CollectedToken {
            participant: pid.to_string(),
            migration_key,
        })
    }

    /// Refuses blacklisted callers, and blacklists a caller whose requests today reached
    /// its quota (the blacklisting commits although the request is refused).
    fn check_quota(&self, caller: &ApCaller, now: i64) -> Result<(), TokenError> {
        let default = self.desk.limiter.limits().daily_quota;
        let refused = self.core.store().write(|conn| -> Result<bool, TokenError> {
            let row = parking::ensure_caller(
                conn,
                &caller.fingerprint,
                &caller.subject,
                caller.seat_id.as_deref(),
                now,
            )?;
            let status = CallerStatus::from_stored(&row.status)
                .map_err(|e| TokenError::Internal(e.to_string()))?;
            if status == CallerStatus::Blacklisted {
                return Ok(true);
            }
            let since = quota::usage_since(&row, status, now);
            let used = parking::count_since(conn, &row.id, since, &QUOTA_OUTCOMES)?;
            if used >= quota::quota_of(&row, default, now) {
                parking::blacklist(conn, &row.id, now)?;
                tracing::warn!(caller = %row.subject, used, "token caller blacklisted: daily quota exceeded");
                return Ok(true);
            }
            Ok(false)
        })?;
        if refused {
            return Err(TokenError::Blacklisted {
                seat: caller
                    .seat_id
                    .clone()
                    .unwrap_or_else(|| caller.subject.clone()),
            });
        }
        Ok(())
    }

    /// Hosted here, active, and not gone to another SMP.
    fn check_participant(&self, pid: &ParticipantId, key: &str) -> Result<(), TokenError> {
        let (row, lifecycle, left, archived) = self.core.store().read(|conn| {
            let row = participants::get_by_key(conn, key)?;
            let lifecycle = parking::lifecycle(conn, key)?;
            let (completed, _) = migrations::list(
                conn,
                &MigrationQuery {
                    status: Some(MigrationStatus::Completed.as_str().into()),
                    direction: Some(Direction::Outbound.as_str().into()),
                    participant_key: Some(key.to_owned()),
                    bulk_id: None,
                    offset: 0,
                    limit: 1,
                },
            )?;
            let archived = !migrations::archived(conn, key)?.is_empty();
            Ok::<_, smp_store::StoreError>((row, lifecycle, completed.into_iter().next(), archived))
        })?;
        let participant = pid.to_string();
        let Some(row) = row else {
            return Err(if left.is_some() || archived {
                TokenError::AlreadyMigrated { participant }
            } else {
                TokenError::UnknownParticipant { participant }
            });
        };
        // Still served during the grace period after the takeover, but no longer ours.
        if left.is_some_and(|m| m.updated_at >= row.created_at) {
            return Err(TokenError::AlreadyMigrated { participant });
        }
        let active = lifecycle
            .as_deref()
            .map(Lifecycle::from_stored)
            .transpose()
            .map_err(|e| TokenError::Internal(e.to_string()))?
            == Some(Lifecycle::Active);
        if !active {
            return Err(TokenError::ParticipantInactive { participant });
        }
        Ok(())
    }
}

fn internal(e: impl std::fmt::Display) -> TokenError {
    TokenError::Internal(e.to_string())
}
