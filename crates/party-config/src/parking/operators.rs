//! Operator controls for the parking SMP: callers and their usage, reactivation, quotas,
//! scheduled allowances, the limits in force, participant lifecycle, and the collection log.
//! Administrators only; every change leaves an audit row.

use peppol_id::ParticipantId;
use smp_store::{CallerRow, CollectionRow, DbConnection, parking};

use super::token_error::QUOTA_OUTCOMES;
use super::{CallerStatus, ParkingLimits, quota};
use crate::{Actor, DomainError, ParkingDesk};
use smp_core::Lifecycle;
use smp_core::kernel::blocks::{page_offset, rfc3339};
use smp_core::kernel::{now_ms, record};

/// A caller of the collection API and its usage today.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CallerView {
    /// SHA-256 fingerprint (hex) of the caller's certificate.
    pub id: String,
    pub subject: String,
    pub seat_id: Option<String>,
    /// Whether it may collect keys.
    pub status: CallerStatus,
    /// Requests counted against the quota since UTC midnight (or the last blacklisting).
    pub used_today: i64,
    /// The quota in force now.
    pub quota: i64,
    /// The caller's own daily quota (`null`: the default).
    pub daily_quota: Option<i32>,
    /// A larger allowance and when it starts.
    pub scheduled: Option<ScheduledAllowance>,
    /// The last blacklisting, also after a reactivation.
    pub blacklisted_at: Option<String>,
    pub created_at: String,
}

/// An allowance that replaces the daily quota from a given time on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScheduledAllowance {
    /// RFC 3339 start, e.g. `2026-12-01T00:00:00Z`.
    #[schema(example = "2026-12-01T00:00:00Z")]
    pub from: String,
    /// Successful collections per UTC day from then on (0 to 2147483647).
    #[serde(deserialize_with = "super::whole_number::u32")]
    #[schema(maximum = 2_147_483_647)]
    pub daily_quota: u32,
}

/// One collection attempt from the log, or several refused ones counted together.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CollectionView {
    /// When; for counted refusals, the start of their minute.
    pub at: String,
    /// `null` when the certificate was not verified.
    pub caller_id: Option<String>,
    pub caller_subject: Option<String>,
    /// The client's address; `*` for refusals counted together beyond the per-minute cap.
    pub client_ip: String,
    pub participant: Option<String>,
    /// `ok`, a `token.*` code, or `pending` (still being served, or its node stopped).
    pub outcome: String,
    pub http_status: i32,
    /// How many requests the row stands for: 1, or more for refusals counted per minute
    /// (certificate defects and per-minute limits).
    pub attempts: i64,
}

impl ParkingDesk<'_> {
    /// Every caller with its usage today.
    pub fn parking_callers(&self, actor: &Actor) -> Result<Vec<CallerView>, DomainError> {
        actor.require_admin()?;
        let now = now_ms();
        let default = self.desk.limits().daily_quota;
        self.core.store().read(|conn| {
            parking::callers(conn)?
                .into_iter()
                .map(|row| caller_view(conn, &row, default, now))
                .collect()
        })
    }

    /// One caller with its usage today.
    pub fn parking_caller(&self, actor: &Actor, id: &str) -> Result<CallerView, DomainError> {
        actor.require_admin()?;
        let now = now_ms();
        let default = self.desk.limits().daily_quota;
        self.core.store().read(|conn| {
            let row = parking::caller(conn, id)?.ok_or_else(|| not_found(id))?;
            caller_view(conn, &row, default, now)
        })
    }

    /// Lifts a blacklisting; usage is counted afresh from the blacklisting on.
    pub fn reactivate_caller(&self, actor: &Actor, id: &str) -> Result<CallerView, DomainError> {
        self.change_caller(actor, id, "parking.caller.reactivate", |conn, _| {
            parking::reactivate(conn, id)
        })?;
        self.parking_caller(actor, id)
    }

    /// Sets the caller's own daily quota (`None`: back to the default).
    pub fn set_caller_quota(
        &self,
        actor: &Actor,
        id: &str,
        quota: Option<u32>,
    ) -> Result<CallerView, DomainError> {
        let q = quota.map(to_i32).transpose()?;
        self.change_caller(actor, id, "parking.caller.quota", |conn, _| {
            parking::set_daily_quota(conn, id, q)
        })?;
        self.parking_caller(actor, id)
    }

    /// Schedules a larger allowance from a date on (`None` clears it).
    pub fn schedule_caller_allowance(
        &self,
        actor: &Actor,
        id: &str,
        allowance: Option<&ScheduledAllowance>,
    ) -> Result<CallerView, DomainError> {
        let (from, q) = match allowance {
            Some(a) => (Some(parse_time(&a.from)?), Some(to_i32(a.daily_quota)?)),
            None => (None, None),
        };
        self.change_caller(actor, id, "parking.caller.schedule", |conn, _| {
            parking::schedule_quota(conn, id, from, q)
        })?;
        self.parking_caller(actor, id)
    }

    /// The limits in force on this node (administrators).
    pub fn limits(&self, actor: &Actor) -> Result<ParkingLimits, DomainError> {
        actor.require_admin()?;
        Ok(self.desk.limits())
    }

    /// Changes the limits in force on this node (until restart; the configuration holds
    /// the lasting values).
    pub fn set_parking_limits(
        &self,
        actor: &Actor,
        limits: ParkingLimits,
    ) -> Result<ParkingLimits, DomainError> {
        actor.require_admin()?;
        if limits.daily_quota == 0 || limits.per_ip_per_minute == 0 || limits.global_per_minute == 0
        {
            return Err(DomainError::invalid(
                "limits",
                "every limit must be at least 1",
            ));
        }
        let now = now_ms();
        let detail = serde_json::to_string(&limits).ok();
        self.core.write(|conn, touched| {
            record(conn, touched, actor, "parking.limits", None, detail, now)
        })?;
        self.desk.limiter.set_limits(limits);
        Ok(self.desk.limits())
    }

    /// Marks a participant `active` (it hands out keys) or `inactive` (it does not).
    pub fn set_participant_lifecycle(
        &self,
        actor: &Actor,
        pid: &ParticipantId,
        lifecycle: Lifecycle,
    ) -> Result<(), DomainError> {
        actor.require_admin()?;
        let key = pid.key();
        let now = now_ms();
        self.core.write(|conn, touched| {
            if !parking::set_lifecycle(conn, &key, lifecycle.as_str())? {
                return Err(DomainError::ParticipantNotFound {
                    participant: pid.to_string(),
                });
            }
            record(
                conn,
                touched,
                actor,
                "participant.lifecycle",
                None,
                Some(format!("{key} {lifecycle}")),
                now,
            )
        })
    }

    /// The collection log, newest first; `caller` narrows to one caller.
    pub fn token_collections(
        &self,
        actor: &Actor,
        caller: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<CollectionView>, DomainError> {
        actor.require_admin()?;
        // Refused like every other page offset, not silently read as 0.
        let offset = page_offset(Some(offset))?;
        let rows = self
            .core
            .store()
            .read(|conn| parking::collections(conn, caller, offset, limit.clamp(1, 1000)))?;
        Ok(rows.iter().map(collection_view).collect())
    }

    fn change_caller(
        &self,
        actor: &Actor,
        id: &str,
        action: &str,
        f: impl FnOnce(&mut DbConnection, i64) -> Result<bool, smp_store::StoreError>,
    ) -> Result<(), DomainError> {
        actor.require_admin()?;
        let now = now_ms();
        self.core.write(|conn, touched| {
            if !f(conn, now)? {
                return Err(not_found(id));
            }
            record(conn, touched, actor, action, None, Some(id.to_owned()), now)
        })
    }
}

fn caller_view(
    conn: &mut DbConnection,
    row: &CallerRow,
    default: u32,
    now: i64,
) -> Result<CallerView, DomainError> {
    let status = CallerStatus::from_stored(&row.status)?;
    let used_today = parking::count_since(
        conn,
        &row.id,
        quota::usage_since(row, status, now),
        &QUOTA_OUTCOMES,
    )?;
    Ok(CallerView {
        id: row.id.clone(),
        subject: row.subject.clone(),
        seat_id: row.seat_id.clone(),
        status,
        used_today,
        quota: quota::quota_of(row, default, now),
        daily_quota: row.daily_quota,
        scheduled: match (row.quota_from, row.scheduled_quota) {
            (Some(from), Some(q)) => Some(ScheduledAllowance {
                from: rfc3339(from),
                daily_quota: u32::try_from(q).unwrap_or(0),
            }),
            _ => None,
        },
        blacklisted_at: row.blacklisted_at.map(rfc3339),
        created_at: rfc3339(row.created_at),
    })
}

fn collection_view(row: &CollectionRow) -> CollectionView {
    CollectionView {
        at: rfc3339(row.at),
        caller_id: row.caller_id.clone(),
        caller_subject: row.caller_subject.clone(),
        client_ip: row.client_ip.clone(),
        participant: row.participant_key.clone(),
        outcome: row.outcome.clone(),
        http_status: row.http_status,
        attempts: row.attempts,
    }
}

fn not_found(id: &str) -> DomainError {
    DomainError::TokenCallerNotFound { id: id.to_owned() }
}

fn to_i32(q: u32) -> Result<i32, DomainError> {
    i32::try_from(q).map_err(|_| DomainError::invalid("dailyQuota", "too large"))
}

fn parse_time(s: &str) -> Result<i64, DomainError> {
    use time::format_description::well_known::Rfc3339;
    let t = time::OffsetDateTime::parse(s, &Rfc3339).map_err(|_| {
        DomainError::invalid(
            "from",
            "must be an RFC 3339 time, e.g. 2026-12-01T00:00:00Z",
        )
    })?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000)
        .map_err(|_| DomainError::invalid("from", "out of range"))
}
