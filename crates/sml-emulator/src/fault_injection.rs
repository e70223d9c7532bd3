//! Faults injected at run time through the admin endpoint (or [`crate::Emulator::set_faults`]).

use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use crate::sml_fault::{FaultKind, SmlFault};

/// Answer the next `count` SOAP calls with this HTTP status and no body, changing nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpErrorFault {
    /// 500 or 503 (any 4xx/5xx is accepted).
    pub status: u16,
    /// How many calls.
    pub count: u32,
}

/// Commit the next `count` successful write calls, then drop the connection without answering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DropAfterCommit {
    /// How many calls.
    pub count: u32,
}

/// Answer the next `count` SOAP calls with this fault, changing nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InjectedSoapFault {
    /// The fault kind (and so the HTTP status).
    pub kind: FaultKind,
    /// The `ERR-nnn` number.
    pub code: u16,
    /// The message after `[ERR-nnn] `.
    pub message: String,
    /// How many calls.
    pub count: u32,
}

/// The active fault plan. In `POST /faults` every field present replaces the current one;
/// absent fields are left as they are. `DELETE /faults` clears everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultPlan {
    /// Delay added before every SOAP call is handled, until cleared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// See [`HttpErrorFault`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_error: Option<HttpErrorFault>,
    /// See [`DropAfterCommit`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_after_commit: Option<DropAfterCommit>,
    /// See [`InjectedSoapFault`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soap_fault: Option<InjectedSoapFault>,
}

impl FaultPlan {
    /// Why the plan cannot be applied, if it cannot.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if let Some(h) = &self.http_error
            && !(400..=599).contains(&h.status)
        {
            return Err(format!(
                "http_error.status must be a 4xx or 5xx status, got {}",
                h.status
            ));
        }
        if let Some(f) = &self.soap_fault
            && !(1..=999).contains(&f.code)
        {
            return Err(format!(
                "soap_fault.code must be between 1 and 999, got {}",
                f.code
            ));
        }
        Ok(())
    }
}

/// What to do with one SOAP call before it is executed.
#[derive(Debug, Default)]
pub(crate) struct BeforeCall {
    pub(crate) latency_ms: u64,
    pub(crate) http_error: Option<u16>,
    pub(crate) soap_fault: Option<SmlFault>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Faults(Arc<Mutex<FaultPlan>>);

impl Faults {
    fn with<T>(&self, f: impl FnOnce(&mut FaultPlan) -> T) -> T {
        // A poisoned lock only means another handler panicked mid-update; the plan is still usable.
        let mut plan = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut plan)
    }

    pub(crate) fn merge(&self, update: FaultPlan) -> FaultPlan {
        self.with(|plan| {
            if update.latency_ms.is_some() {
                plan.latency_ms = update.latency_ms;
            }
            if update.http_error.is_some() {
                plan.http_error = update.http_error;
            }
            if update.drop_after_commit.is_some() {
                plan.drop_after_commit = update.drop_after_commit;
            }
            if update.soap_fault.is_some() {
                plan.soap_fault = update.soap_fault;
            }
            plan.clone()
        })
    }

    pub(crate) fn clear(&self) {
        self.with(|plan| *plan = FaultPlan::default());
    }

    pub(crate) fn current(&self) -> FaultPlan {
        self.with(|plan| plan.clone())
    }

    /// Consumes one HTTP error or, failing that, one SOAP fault.
    pub(crate) fn before_call(&self) -> BeforeCall {
        self.with(|plan| {
            let mut out = BeforeCall {
                latency_ms: plan.latency_ms.unwrap_or(0),
                ..BeforeCall::default()
            };
            if let Some(h) = plan.http_error.as_mut().filter(|h| h.count > 0) {
                h.count -= 1;
                out.http_error = Some(h.status);
            } else if let Some(f) = plan.soap_fault.as_mut().filter(|f| f.count > 0) {
                f.count -= 1;
                out.soap_fault = Some(SmlFault::new(f.kind, f.code, f.message.clone()));
            }
            if plan.http_error.as_ref().is_some_and(|h| h.count == 0) {
                plan.http_error = None;
            }
            if plan.soap_fault.as_ref().is_some_and(|f| f.count == 0) {
                plan.soap_fault = None;
            }
            out
        })
    }

    /// True (and one use consumed) if this committed write must lose its response.
    pub(crate) fn drop_after_commit(&self) -> bool {
        self.with(|plan| {
            let hit = match plan.drop_after_commit.as_mut().filter(|d| d.count > 0) {
                Some(d) => {
                    d.count -= 1;
                    true
                }
                None => false,
            };
            if plan
                .drop_after_commit
                .as_ref()
                .is_some_and(|d| d.count == 0)
            {
                plan.drop_after_commit = None;
            }
            hit
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_run_down_and_http_errors_come_first() {
        let faults = Faults::default();
        let plan: FaultPlan = serde_json::from_str(
            r#"{"latency_ms":5,"http_error":{"status":503,"count":1},
                "soap_fault":{"kind":"InternalError","code":105,"message":"boom","count":1},
                "drop_after_commit":{"count":1}}"#,
        )
        .unwrap();
        plan.validate().unwrap();
        faults.merge(plan);
        let first = faults.before_call();
        assert_eq!((first.latency_ms, first.http_error), (5, Some(503)));
        assert!(first.soap_fault.is_none());
        let second = faults.before_call();
        assert_eq!(second.soap_fault.unwrap().code, 105);
        let third = faults.before_call();
        assert!(third.http_error.is_none() && third.soap_fault.is_none());
        assert!(faults.drop_after_commit());
        assert!(!faults.drop_after_commit());
        assert_eq!(faults.current().latency_ms, Some(5));
        faults.clear();
        assert_eq!(faults.current(), FaultPlan::default());
    }

    #[test]
    fn refuses_bad_plans() {
        assert!(serde_json::from_str::<FaultPlan>(r#"{"latency":1}"#).is_err());
        let plan = FaultPlan {
            http_error: Some(HttpErrorFault {
                status: 200,
                count: 1,
            }),
            ..FaultPlan::default()
        };
        assert!(plan.validate().is_err());
    }
}
