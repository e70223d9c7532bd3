//! Limits on token collection: a daily quota per caller (counted in the database from
//! `token_collections` since UTC midnight, so it holds across restarts and nodes) and
//! per-minute limits per IP address and overall (in memory, per node: they only shield
//! this process from bursts).
//!
//! Only callers whose certificate was verified spend these budgets: otherwise anybody
//! without a certificate could use up the global limit and lock every AP out. Requests
//! whose certificate check fails are bounded separately, per IP address (by the same
//! per-IP figure), so that they cannot make this node check certificates without end.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use smp_store::CallerRow;

use super::{CallerStatus, TokenError};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const MINUTE_MS: i64 = 60 * 1000;

/// The limits in force; operators change them at run time.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ParkingLimits {
    /// Successful collections (and participant look-ups) per caller per UTC day, unless the
    /// caller has its own quota.
    #[serde(deserialize_with = "super::whole_number::u32")]
    #[schema(value_type = i64, minimum = 1, maximum = 4_294_967_295_u32)]
    pub daily_quota: u32,
    /// Requests per client IP address per minute.
    #[serde(deserialize_with = "super::whole_number::u32")]
    #[schema(value_type = i64, minimum = 1, maximum = 4_294_967_295_u32)]
    pub per_ip_per_minute: u32,
    /// Requests per minute overall.
    #[serde(deserialize_with = "super::whole_number::u32")]
    #[schema(value_type = i64, minimum = 1, maximum = 4_294_967_295_u32)]
    pub global_per_minute: u32,
}

impl Default for ParkingLimits {
    fn default() -> Self {
        Self {
            daily_quota: 1000,
            per_ip_per_minute: 60,
            global_per_minute: 600,
        }
    }
}

/// Start of the UTC day holding `now_ms`.
pub(crate) fn utc_midnight(now_ms: i64) -> i64 {
    now_ms - now_ms.rem_euclid(DAY_MS)
}

/// Where today's usage is counted from: UTC midnight, or for an active caller its last
/// blacklisting if later (a reactivated caller gets a fresh allowance).
pub(crate) fn usage_since(caller: &CallerRow, status: CallerStatus, now_ms: i64) -> i64 {
    let midnight = utc_midnight(now_ms);
    match (caller.blacklisted_at, status) {
        (Some(at), CallerStatus::Active) => midnight.max(at),
        (Some(_), CallerStatus::Blacklisted) | (None, _) => midnight,
    }
}

/// The quota that applies to `caller` at `now_ms`.
pub(crate) fn quota_of(caller: &CallerRow, default: u32, now_ms: i64) -> i64 {
    match (caller.quota_from, caller.scheduled_quota) {
        (Some(from), Some(q)) if from <= now_ms => i64::from(q),
        _ => caller.daily_quota.map_or(i64::from(default), i64::from),
    }
}

/// Fixed one-minute windows: cheap, and a burst straddling two windows gets at most twice
/// the limit, which is fine for shielding.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    daily_quota: AtomicU32,
    per_ip: AtomicU32,
    global: AtomicU32,
    windows: Mutex<Windows>,
}

#[derive(Debug, Default)]
struct Windows {
    minute: i64,
    /// Verified requests this minute.
    global: u32,
    /// Verified requests this minute by address.
    per_ip: HashMap<IpAddr, u32>,
    /// Failed certificate checks this minute by address.
    unverified: HashMap<IpAddr, u32>,
}

impl RateLimiter {
    pub(crate) fn new(limits: ParkingLimits) -> Self {
        Self {
            daily_quota: AtomicU32::new(limits.daily_quota),
            per_ip: AtomicU32::new(limits.per_ip_per_minute),
            global: AtomicU32::new(limits.global_per_minute),
            windows: Mutex::new(Windows::default()),
        }
    }

    pub(crate) fn limits(&self) -> ParkingLimits {
        ParkingLimits {
            daily_quota: self.daily_quota.load(Ordering::Relaxed),
            per_ip_per_minute: self.per_ip.load(Ordering::Relaxed),
            global_per_minute: self.global.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn set_limits(&self, limits: ParkingLimits) {
        self.daily_quota
            .store(limits.daily_quota, Ordering::Relaxed);
        self.per_ip
            .store(limits.per_ip_per_minute, Ordering::Relaxed);
        self.global
            .store(limits.global_per_minute, Ordering::Relaxed);
    }

    /// The windows of the minute holding `now_ms`.
    fn windows(&self, now_ms: i64) -> std::sync::MutexGuard<'_, Windows> {
        let minute = now_ms.div_euclid(MINUTE_MS);
        // A poisoned lock only means another request panicked mid-count; the counts are
        // still usable.
        let mut w = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if w.minute != minute {
            *w = Windows {
                minute,
                ..Windows::default()
            };
        }
        w
    }

    /// Counts one request of a verified caller from `ip` at `now_ms`, or refuses it. A
    /// refused request is not counted, so a caller that waits gets through.
    pub(crate) fn admit(&self, ip: IpAddr, now_ms: i64) -> Result<(), TokenError> {
        let limits = self.limits();
        let mut w = self.windows(now_ms);
        let from_ip = w.per_ip.get(&ip).copied().unwrap_or(0);
        if from_ip >= limits.per_ip_per_minute {
            return Err(TokenError::IpLimit { ip: ip.to_string() });
        }
        if w.global >= limits.global_per_minute {
            return Err(TokenError::GlobalLimit);
        }
        w.global += 1;
        w.per_ip.insert(ip, from_ip + 1);
        Ok(())
    }

    /// Refuses a request from `ip` before its certificate is checked when this minute's
    /// failed checks from `ip` reached the per-IP limit. Counts nothing: see
    /// [`failed_verification`](Self::failed_verification).
    pub(crate) fn admit_unverified(&self, ip: IpAddr, now_ms: i64) -> Result<(), TokenError> {
        let limit = self.per_ip.load(Ordering::Relaxed);
        if self
            .windows(now_ms)
            .unverified
            .get(&ip)
            .copied()
            .unwrap_or(0)
            >= limit
        {
            return Err(TokenError::IpLimit { ip: ip.to_string() });
        }
        Ok(())
    }

    /// Counts a failed certificate check from `ip`.
    pub(crate) fn failed_verification(&self, ip: IpAddr, now_ms: i64) {
        *self.windows(now_ms).unverified.entry(ip).or_default() += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(daily: Option<i32>, from: Option<i64>, scheduled: Option<i32>) -> CallerRow {
        CallerRow {
            id: "x".into(),
            subject: "CN=x".into(),
            seat_id: None,
            status: CallerStatus::Active.into(),
            daily_quota: daily,
            quota_from: from,
            scheduled_quota: scheduled,
            blacklisted_at: None,
            created_at: 0,
        }
    }

    #[test]
    fn quotas_default_override_and_schedule() {
        assert_eq!(quota_of(&caller(None, None, None), 1000, 5), 1000);
        assert_eq!(quota_of(&caller(Some(3), None, None), 1000, 5), 3);
        assert_eq!(quota_of(&caller(Some(3), Some(10), Some(50)), 1000, 5), 3);
        assert_eq!(quota_of(&caller(Some(3), Some(10), Some(50)), 1000, 10), 50);
    }

    #[test]
    fn reactivated_callers_count_from_their_blacklisting() {
        let mut c = caller(None, None, None);
        assert_eq!(usage_since(&c, CallerStatus::Active, DAY_MS + 5), DAY_MS);
        c.blacklisted_at = Some(DAY_MS + 3);
        assert_eq!(
            usage_since(&c, CallerStatus::Blacklisted, DAY_MS + 5),
            DAY_MS
        );
        assert_eq!(
            usage_since(&c, CallerStatus::Active, DAY_MS + 5),
            DAY_MS + 3
        );
        // A blacklisting yesterday does not reach into today.
        assert_eq!(
            usage_since(&c, CallerStatus::Active, 2 * DAY_MS + 5),
            2 * DAY_MS
        );
    }

    #[test]
    fn midnight_is_utc() {
        assert_eq!(utc_midnight(DAY_MS * 3 + 5), DAY_MS * 3);
        assert_eq!(utc_midnight(DAY_MS * 3), DAY_MS * 3);
    }

    #[test]
    fn per_ip_then_global_limits_per_minute() {
        let l = RateLimiter::new(ParkingLimits {
            daily_quota: 1,
            per_ip_per_minute: 2,
            global_per_minute: 3,
        });
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        assert!(l.admit(a, 0).is_ok());
        assert!(l.admit(a, 1).is_ok());
        assert_eq!(l.admit(a, 2).unwrap_err().code(), "token.ip_limit");
        assert!(l.admit(b, 3).is_ok());
        assert_eq!(l.admit(b, 4).unwrap_err().code(), "token.global_limit");
        // The next minute starts afresh.
        assert!(l.admit(a, MINUTE_MS).is_ok());
        l.set_limits(ParkingLimits {
            daily_quota: 1,
            per_ip_per_minute: 1,
            global_per_minute: 3,
        });
        assert_eq!(
            l.admit(a, MINUTE_MS + 1).unwrap_err().code(),
            "token.ip_limit"
        );
    }

    #[test]
    fn failed_certificate_checks_are_bounded_per_ip_apart_from_the_budgets() {
        let l = RateLimiter::new(ParkingLimits {
            daily_quota: 1,
            per_ip_per_minute: 2,
            global_per_minute: 2,
        });
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..2 {
            assert!(l.admit_unverified(a, 0).is_ok());
            l.failed_verification(a, 0);
        }
        assert_eq!(
            l.admit_unverified(a, 1).unwrap_err().code(),
            "token.ip_limit"
        );
        assert!(l.admit_unverified(b, 1).is_ok());
        // The verified budgets are untouched: the global two are still there.
        assert!(l.admit(b, 2).is_ok());
        assert!(l.admit(b, 3).is_ok());
        assert_eq!(l.admit(b, 4).unwrap_err().code(), "token.ip_limit");
        // A new minute forgives.
        assert!(l.admit_unverified(a, MINUTE_MS).is_ok());
    }
}
