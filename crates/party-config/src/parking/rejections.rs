//! Requests refused before they may cost an audit row: every refusal before the caller's
//! certificate is verified, and verified callers' requests over the per-minute limits.
//!
//! Writing one row for each would let anybody grow the audit log at the speed of TLS
//! handshakes. Instead they are counted in memory: cumulative totals per outcome (for
//! metrics), and per minute, address, caller and outcome, which the parking worker writes
//! as one audit row per group (`attempts` = how many) once the minute is over. The groups
//! of one minute are capped; beyond the cap an outcome's requests are counted together
//! under the address `*`.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};

use smp_store::NewCollection;

use super::{ApCaller, TokenError};

const MINUTE_MS: i64 = 60 * 1000;
/// Groups (address, caller, outcome) of one minute before the rest is counted as `*`.
const MAX_GROUPS_PER_MINUTE: usize = 100;
/// Finished minutes kept while the database cannot take them (then the oldest go).
const MAX_PENDING_MINUTES: usize = 60;

/// How many requests were refused with one outcome since the process started.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RejectionCount {
    /// The outcome code, e.g. `token.no_certificate`.
    pub code: &'static str,
    /// Its HTTP status.
    pub status: u16,
    /// Requests refused with it.
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Group {
    /// `None`: the overflow group `*`.
    ip: Option<IpAddr>,
    /// Fingerprint and subject, for verified callers over a per-minute limit.
    caller: Option<(String, String)>,
    code: &'static str,
    status: u16,
}

#[derive(Debug, Default)]
struct Minutes {
    current: i64,
    groups: HashMap<Group, i64>,
    /// Finished minutes not yet written: (minute start in ms, groups).
    finished: Vec<(i64, HashMap<Group, i64>)>,
}

impl Minutes {
    fn roll(&mut self, minute: i64) {
        if minute == self.current {
            return;
        }
        let done = std::mem::take(&mut self.groups);
        if !done.is_empty() {
            self.finished.push((self.current * MINUTE_MS, done));
            if self.finished.len() > MAX_PENDING_MINUTES {
                let (at, lost) = self.finished.remove(0);
                tracing::warn!(
                    at,
                    groups = lost.len(),
                    "dropping counts of refused token requests the database did not take"
                );
            }
        }
        self.current = minute;
    }
}

/// The in-memory counters; one per [`super::Parking`].
#[derive(Debug, Default)]
pub(crate) struct Rejections {
    totals: Mutex<BTreeMap<(&'static str, u16), u64>>,
    minutes: Mutex<Minutes>,
}

impl Rejections {
    /// Counts one refused request from `ip` (by `caller`, when it was verified).
    pub(crate) fn count(
        &self,
        ip: IpAddr,
        caller: Option<&ApCaller>,
        error: &TokenError,
        now_ms: i64,
    ) {
        let (code, status) = (error.code(), error.status());
        // A poisoned lock only means another request panicked mid-count; the counts are
        // still usable.
        *self
            .totals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((code, status))
            .or_default() += 1;
        let mut m = self.minutes.lock().unwrap_or_else(PoisonError::into_inner);
        m.roll(now_ms.div_euclid(MINUTE_MS));
        let mut group = Group {
            ip: Some(ip),
            caller: caller.map(|c| (c.fingerprint.clone(), c.subject.clone())),
            code,
            status,
        };
        if !m.groups.contains_key(&group) && m.groups.len() >= MAX_GROUPS_PER_MINUTE {
            group.ip = None;
            group.caller = None;
        }
        *m.groups.entry(group).or_default() += 1;
    }

    /// Totals per outcome since the process started, by code.
    pub(crate) fn totals(&self) -> Vec<RejectionCount> {
        self.totals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(&(code, status), &count)| RejectionCount {
                code,
                status,
                count,
            })
            .collect()
    }

    /// Takes the groups of the minutes that ended before `now_ms`, oldest first.
    pub(crate) fn take_finished(&self, now_ms: i64) -> Vec<Counted> {
        let mut m = self.minutes.lock().unwrap_or_else(PoisonError::into_inner);
        m.roll(now_ms.div_euclid(MINUTE_MS));
        let mut out: Vec<Counted> = std::mem::take(&mut m.finished)
            .into_iter()
            .flat_map(|(at, groups)| {
                groups.into_iter().map(move |(group, attempts)| Counted {
                    at,
                    group,
                    attempts,
                })
            })
            .collect();
        out.sort_by_key(|a| (a.at, a.group.ip));
        out
    }

    /// Puts back what [`take_finished`](Self::take_finished) returned, when it could not be
    /// written (the next tick tries again).
    pub(crate) fn put_back(&self, counted: Vec<Counted>) {
        let mut m = self.minutes.lock().unwrap_or_else(PoisonError::into_inner);
        let mut by_minute: BTreeMap<i64, HashMap<Group, i64>> = BTreeMap::new();
        for (at, groups) in std::mem::take(&mut m.finished) {
            by_minute.insert(at, groups);
        }
        for c in counted {
            *by_minute
                .entry(c.at)
                .or_default()
                .entry(c.group)
                .or_default() += c.attempts;
        }
        let mut restored: Vec<_> = by_minute.into_iter().collect();
        let excess = restored.len().saturating_sub(MAX_PENDING_MINUTES);
        restored.drain(..excess);
        m.finished = restored;
    }
}

/// Refused requests of one minute with the same address, caller and outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Counted {
    /// Start of the minute (unix ms).
    at: i64,
    group: Group,
    /// How many requests.
    pub(crate) attempts: i64,
}

impl Counted {
    /// The audit row that stands for them (with [`Counted::attempts`]).
    pub(crate) fn row(&self) -> NewCollection {
        let g = &self.group;
        NewCollection {
            at: self.at,
            caller_id: g.caller.as_ref().map(|c| c.0.clone()),
            caller_subject: g.caller.as_ref().map(|c| c.1.clone()),
            client_ip: g.ip.map_or_else(|| "*".to_owned(), |ip| ip.to_string()),
            participant_key: None,
            outcome: g.code.to_owned(),
            http_status: i32::from(g.status),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn counted_per_minute_address_and_outcome_and_written_when_the_minute_is_over() {
        let r = Rejections::default();
        let e = TokenError::NoCertificate;
        for t in [1, 2, 3] {
            r.count(ip("10.0.0.1"), None, &e, MINUTE_MS * 5 + t);
        }
        r.count(ip("10.0.0.2"), None, &e, MINUTE_MS * 5 + 4);
        r.count(
            ip("10.0.0.1"),
            None,
            &TokenError::GlobalLimit,
            MINUTE_MS * 5 + 5,
        );
        assert!(
            r.take_finished(MINUTE_MS * 5 + 59_000).is_empty(),
            "minute not over"
        );
        let rows: Vec<_> = r
            .take_finished(MINUTE_MS * 6)
            .iter()
            .map(|c| (c.row(), c.attempts))
            .collect();
        let got: Vec<_> = rows
            .iter()
            .map(|(row, n)| (row.at, row.client_ip.as_str(), row.outcome.as_str(), *n))
            .collect();
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(got.contains(&(MINUTE_MS * 5, "10.0.0.1", "token.no_certificate", 3)));
        assert!(got.contains(&(MINUTE_MS * 5, "10.0.0.2", "token.no_certificate", 1)));
        assert!(got.contains(&(MINUTE_MS * 5, "10.0.0.1", "token.global_limit", 1)));
        assert!(r.take_finished(MINUTE_MS * 7).is_empty(), "taken once");
        let totals = r.totals();
        assert!(totals.contains(&RejectionCount {
            code: "token.no_certificate",
            status: 401,
            count: 4
        }));
    }

    #[test]
    fn groups_are_capped_and_rows_can_be_put_back() {
        let r = Rejections::default();
        let e = TokenError::NoCertificate;
        for n in 0..(MAX_GROUPS_PER_MINUTE as u32 + 50) {
            r.count(IpAddr::from([10, 1, (n >> 8) as u8, n as u8]), None, &e, 1);
        }
        let rows = r.take_finished(MINUTE_MS);
        assert_eq!(rows.len(), MAX_GROUPS_PER_MINUTE + 1);
        let star = rows.iter().find(|c| c.row().client_ip == "*").unwrap();
        assert_eq!(star.attempts, 50);
        r.put_back(rows);
        // A request of the next minute meanwhile does not mix with the ones put back.
        r.count(IpAddr::from([10, 9, 9, 9]), None, &e, MINUTE_MS + 1);
        let again = r.take_finished(MINUTE_MS * 2);
        assert_eq!(again.len(), MAX_GROUPS_PER_MINUTE + 2);
        assert_eq!(again.iter().map(|c| c.attempts).sum::<i64>(), 151);
        assert_eq!(again.last().map(|c| c.row().at), Some(MINUTE_MS));
    }
}
