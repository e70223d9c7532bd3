//! `GET /api/v1/migration-tokens/{participant}`: hand an AP the migration key of a
//! participant hosted here, preparing the migration at the SML when none is open.
//!
//! The order matters for who can spend what:
//! 1. the certificate is verified (failures are bounded per address, and only counted);
//! 2. the verified caller spends the per-minute budgets (refusals only counted);
//! 3. its daily quota is checked and its audit row written in one transaction, serialised
//!    per caller across nodes, so concurrent requests cannot pass the quota together;
//! 4. the participant is checked and its open key handed out, or one prepared under a
//!    lease in the database, so two nodes never prepare a key each.

use std::net::IpAddr;
use std::time::Duration;

use peppol_id::ParticipantId;
use smp_core::ErrorClass;
use smp_store::parking::ParkingLock;
use smp_store::{DbConnection, MigrationQuery, NewCollection, migrations, parking, participants};

use super::token_error::{PENDING, QUOTA_OUTCOMES};
use super::{ApCaller, CallerStatus, TokenError, quota};
use crate::migration::{Direction, MigrationStatus, is_open_outbound, new_id};
use crate::{DomainError, ParkingDesk};
use smp_core::Lifecycle;
use smp_core::kernel::now_ms;

/// How long a node may take to prepare a key at the SML before another may try (longer
/// than any SML call: `sml.timeout_ms` is far below it).
const PREPARE_LEASE_MS: i64 = 2 * 60 * 1000;
/// How long a collection waits for another one preparing the same participant's key.
const PREPARE_WAIT_MS: i64 = 20 * 1000;
/// How often a waiting collection looks again.
const PREPARE_POLL: Duration = Duration::from_millis(50);

/// A collected migration key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CollectedToken {
    /// The participant, `scheme::value`.
    pub participant: String,
    /// The key to give the new SMP (it calls Migrate at the SML with it).
    pub migration_key: String,
}

/// What the quota check decided.
enum Admission {
    /// Served; the audit row `id` waits for the outcome.
    Admitted(i64),
    /// Blacklisted; the audit row is written.
    Refused,
}

/// One step of "the open key or prepare one".
enum Step {
    /// An open outbound migration's (sealed) key.
    Open(String),
    /// This collection holds the lease and prepares the key.
    Claimed,
    /// Another collection holds the lease.
    Wait,
}

impl ParkingDesk<'_> {
    /// Serves one collection request. `caller_chain` is the client's certificate chain as
    /// sent in the TLS handshake (leaf first; empty when none was sent).
    ///
    /// A request of a verified caller within the per-minute limits is an audit row of its
    /// own, written before any key leaves. Requests refused before that (certificate
    /// defects, limits) are counted in memory ([`ParkingDesk::rejected_requests`]) and
    /// written by the parking worker as one row per minute, address, caller and outcome,
    /// so that nobody can grow the log one row per request.
    pub fn collect_migration_token(
        &self,
        caller_chain: &[Vec<u8>],
        client_ip: IpAddr,
        pid_segment: &str,
    ) -> Result<CollectedToken, TokenError> {
        let now = now_ms();
        let caller = match self.verify(caller_chain, client_ip, now) {
            Ok(caller) => caller,
            Err(e) => return Err(self.refused(client_ip, None, e, now)),
        };
        if let Err(e) = self.desk.limiter.admit(client_ip, now) {
            return Err(self.refused(client_ip, Some(&caller), e, now));
        }
        let mut row = NewCollection {
            at: now,
            caller_id: Some(caller.fingerprint.clone()),
            caller_subject: Some(caller.subject.clone()),
            client_ip: client_ip.to_string(),
            participant_key: None,
            outcome: PENDING.to_owned(),
            http_status: 0,
        };
        let (row_id, result) = match self.admit(&caller, &row, now) {
            Ok(Admission::Admitted(id)) => (Some(id), self.serve(pid_segment, &mut row)),
            Ok(Admission::Refused) => return Err(blacklisted(&caller)),
            Err(e) => (None, Err(e)),
        };
        self.finish(row_id, row, result)
    }

    /// The caller's certificate, checked; refused without a check when this address
    /// failed too often this minute.
    fn verify(&self, chain: &[Vec<u8>], ip: IpAddr, now: i64) -> Result<ApCaller, TokenError> {
        self.desk.limiter.admit_unverified(ip, now)?;
        self.desk.trust.classify(chain).inspect_err(|e| {
            if e.class() == ErrorClass::Unauthenticated {
                self.desk.limiter.failed_verification(ip, now);
            }
        })
    }

    /// Counts a request refused before it got an audit row of its own.
    fn refused(
        &self,
        ip: IpAddr,
        caller: Option<&ApCaller>,
        error: TokenError,
        now: i64,
    ) -> TokenError {
        if error.status() >= 500 {
            tracing::error!(error = %error, "migration token collection failed");
        }
        self.desk.rejections.count(ip, caller, &error, now);
        error
    }

    /// Refuses blacklisted callers, and blacklists a caller whose requests today reached
    /// its quota (the blacklisting commits although the request is refused). The count and
    /// this request's audit row are one transaction, serialised per caller on every node.
    fn admit(
        &self,
        caller: &ApCaller,
        row: &NewCollection,
        now: i64,
    ) -> Result<Admission, TokenError> {
        let default = self.desk.limiter.limits().daily_quota;
        self.core
            .store()
            .write(|conn| -> Result<Admission, TokenError> {
                parking::lock(conn, ParkingLock::Caller, &caller.fingerprint)?;
                let found = parking::ensure_caller(
                    conn,
                    &caller.fingerprint,
                    &caller.subject,
                    caller.seat_id.as_deref(),
                    now,
                )?;
                let status = CallerStatus::from_stored(&found.status)
                    .map_err(|e| TokenError::Internal(e.to_string()))?;
                let refused = if status == CallerStatus::Blacklisted {
                    true
                } else {
                    let since = quota::usage_since(&found, status, now);
                    let used = parking::count_since(conn, &found.id, since, &QUOTA_OUTCOMES)?;
                    let over = used >= quota::quota_of(&found, default, now);
                    if over {
                        parking::blacklist(conn, &found.id, now)?;
                        tracing::warn!(caller = %found.subject, used, "token caller blacklisted: daily quota exceeded");
                    }
                    over
                };
                if refused {
                    let e = blacklisted(caller);
                    parking::record(
                        conn,
                        &NewCollection {
                            outcome: e.code().to_owned(),
                            http_status: i32::from(e.status()),
                            ..row.clone()
                        },
                    )?;
                    return Ok(Admission::Refused);
                }
                Ok(Admission::Admitted(parking::record_returning_id(
                    conn, row,
                )?))
            })
    }

    /// Everything after the quota: the participant, then its key.
    fn serve(&self, segment: &str, row: &mut NewCollection) -> Result<CollectedToken, TokenError> {
        let pid = ParticipantId::from_path_segment(segment).map_err(|e| {
            TokenError::InvalidParticipant {
                reason: e.to_string(),
            }
        })?;
        let key = pid.key();
        row.participant_key = Some(key.clone());
        self.check_participant(&pid, &key)?;
        self.open_or_prepare(&pid, &key)
    }

    /// Writes the outcome into the audit row (or the whole row when the quota check
    /// failed before writing it). Without it, no key leaves.
    fn finish(
        &self,
        row_id: Option<i64>,
        mut row: NewCollection,
        result: Result<CollectedToken, TokenError>,
    ) -> Result<CollectedToken, TokenError> {
        let (outcome, http_status) = match &result {
            Ok(_) => ("ok", 200),
            Err(e) => (e.code(), i32::from(e.status())),
        };
        if let Err(e) = &result
            && e.status() >= 500
        {
            tracing::error!(error = %e, "migration token collection failed");
        }
        let written = self.core.store().write(|conn| match row_id {
            Some(id) => parking::set_outcome(
                conn,
                id,
                row.participant_key.as_deref(),
                outcome,
                http_status,
            )
            .map(|_| ()),
            None => {
                row.outcome = outcome.to_owned();
                row.http_status = http_status;
                parking::record(conn, &row)
            }
        });
        if let Err(e) = written {
            tracing::error!(error = %e, "could not record a token collection");
            return Err(TokenError::Internal(e.to_string()));
        }
        result
    }

    /// The open outbound migration's key, or a new one prepared at the SML. Nodes take a
    /// lease in the database before preparing, so only one of them calls the SML; the
    /// others wait for its key.
    fn open_or_prepare(
        &self,
        pid: &ParticipantId,
        key: &str,
    ) -> Result<CollectedToken, TokenError> {
        let claimant = new_id("prep").map_err(internal)?;
        let deadline = now_ms() + PREPARE_WAIT_MS;
        loop {
            let now = now_ms();
            let step = self
                .core
                .store()
                .write(|conn| -> Result<Step, TokenError> {
                    parking::lock(conn, ParkingLock::Participant, key)?;
                    if let Some(sealed) = open_key(conn, key)? {
                        return Ok(Step::Open(sealed));
                    }
                    match parking::prepare_claim(conn, key)? {
                        Some(c) if c.expires_at > now && c.claimant != claimant => Ok(Step::Wait),
                        _ => {
                            parking::set_prepare_claim(
                                conn,
                                key,
                                &claimant,
                                now + PREPARE_LEASE_MS,
                            )?;
                            Ok(Step::Claimed)
                        }
                    }
                })?;
            match step {
                Step::Open(sealed) => {
                    return Ok(CollectedToken {
                        participant: pid.to_string(),
                        migration_key: self.h.sealer.open(&sealed).map_err(internal)?,
                    });
                }
                Step::Claimed => break,
                Step::Wait if now < deadline => std::thread::sleep(PREPARE_POLL),
                Step::Wait => {
                    return Err(TokenError::Internal(format!(
                        "another collection has been preparing the migration key of {pid} for over {} s",
                        PREPARE_WAIT_MS / 1000
                    )));
                }
            }
        }
        let prepared = self.prepare(pid);
        if let Err(e) = self
            .core
            .store()
            .write(|conn| parking::release_prepare_claim(conn, key, &claimant))
        {
            // The lease runs out by itself.
            tracing::warn!(error = %e, participant = %pid, "could not release a key preparation lease");
        }
        prepared
    }

    /// Prepares the migration at the SML (under the lease).
    fn prepare(&self, pid: &ParticipantId) -> Result<CollectedToken, TokenError> {
        let admin = self
            .core
            .users()
            .unchecked_local_admin()
            .map_err(internal)?;
        let view = self
            .h
            .migrations()
            .prepare_outbound(&admin, pid)
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

/// The sealed key of the participant's open outbound migration.
fn open_key(conn: &mut DbConnection, key: &str) -> Result<Option<String>, TokenError> {
    Ok(migrations::open_for_participant(conn, key)?
        .into_iter()
        .find(|m| is_open_outbound(m).unwrap_or(false))
        .and_then(|m| m.migration_key))
}

fn blacklisted(caller: &ApCaller) -> TokenError {
    TokenError::Blacklisted {
        seat: caller
            .seat_id
            .clone()
            .unwrap_or_else(|| caller.subject.clone()),
    }
}

fn internal(e: impl std::fmt::Display) -> TokenError {
    TokenError::Internal(e.to_string())
}
