//! The delivery worker: POSTs due deliveries, records each outcome with a guarded update.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use smp_store::{DeliveryOutcome, DueDelivery, EventRow, webhooks};

use super::signature::webhook_signature;
use crate::kernel::now_ms;
use crate::states::DeliveryStatus;
use crate::views::rfc3339;
use crate::{DomainError, Events};

/// After this many failed attempts a delivery is given up (`failed`).
pub(crate) const MAX_ATTEMPTS: i32 = 12;
/// Longest wait between two attempts.
const MAX_BACKOFF_MS: i64 = 60 * 60 * 1000;
/// Longest error text kept per delivery.
const MAX_ERROR_CHARS: usize = 500;
/// Subscriptions served side by side in one run.
const LANES: usize = 8;
/// Timeout of one POST, connection included.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// Sends one webhook request; returns the HTTP status, or why no answer came.
pub trait WebhookSender: Send + Sync {
    /// POSTs `body` with `headers` to `url`.
    fn post(&self, url: &str, headers: &[(String, String)], body: &[u8]) -> Result<u16, String>;
}

/// [`WebhookSender`] over HTTP(S) (reqwest, blocking, 10 s timeouts, no redirects: a
/// redirect counts as a failed attempt, so a signed payload never lands at a URL
/// nobody subscribed).
///
/// Create it on a plain thread, not inside an async runtime (reqwest's blocking client
/// refuses to run there).
#[derive(Debug, Clone)]
pub struct HttpWebhookSender {
    client: reqwest::blocking::Client,
}

impl HttpWebhookSender {
    /// A sender with Ferry's user agent.
    pub fn new() -> Result<Self, DomainError> {
        let client = reqwest::blocking::Client::builder()
            .timeout(HTTP_TIMEOUT)
            .connect_timeout(HTTP_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Ferry-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| DomainError::Corrupt(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self { client })
    }
}

impl WebhookSender for HttpWebhookSender {
    fn post(&self, url: &str, headers: &[(String, String)], body: &[u8]) -> Result<u16, String> {
        let mut request = self.client.post(url).body(body.to_vec());
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let response = request.send().map_err(|e| error_chain(&e))?;
        Ok(response.status().as_u16())
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// What one run of the delivery worker did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryRunSummary {
    /// Deliveries answered with 2xx.
    pub delivered: usize,
    /// Deliveries that will be tried again later.
    pub retrying: usize,
    /// Deliveries given up after the last attempt.
    pub failed: usize,
}

pub(crate) fn backoff_ms(attempts: i32) -> i64 {
    let exp = u32::try_from(attempts.clamp(0, 30)).unwrap_or(30);
    (1000_i64 << exp).min(MAX_BACKOFF_MS)
}

/// The payload: `{"id","type","created_at","data"}`. Built from the stored event only,
/// so every attempt sends the same bytes (and the same signature).
pub(crate) fn payload(event: &EventRow) -> Result<Vec<u8>, DomainError> {
    let quoted = |s: &str| {
        serde_json::to_string(s)
            .map_err(|e| DomainError::Corrupt(format!("cannot encode event field: {e}")))
    };
    // The data was written by `emit` as serde_json output; check it still is JSON rather
    // than sign whatever a manual edit left behind.
    serde_json::from_str::<serde::de::IgnoredAny>(&event.data).map_err(|e| {
        DomainError::Corrupt(format!(
            "event {} has invalid JSON data: {e}",
            event.event_id
        ))
    })?;
    Ok(format!(
        "{{\"id\":{},\"type\":{},\"created_at\":{},\"data\":{}}}",
        quoted(&event.event_id)?,
        quoted(&event.event_type)?,
        quoted(&rfc3339(event.created_at))?,
        event.data
    )
    .into_bytes())
}

enum Sent {
    Delivered(u16),
    Refused(u16),
    Unreachable(String),
}

impl Events<'_> {
    /// POSTs every due webhook delivery once (at most `limit`), oldest first.
    pub fn run_webhook_deliveries(
        &self,
        sender: &dyn WebhookSender,
        limit: usize,
    ) -> Result<DeliveryRunSummary, DomainError> {
        self.run_deliveries(sender, limit, now_ms(), &now_ms)
    }

    /// [`Registry::run_webhook_deliveries`] as if the clock showed `now` (unix ms), for
    /// the choice of due deliveries and for the recorded times. Tests use it to skip
    /// backoff waits.
    pub fn run_webhook_deliveries_at(
        &self,
        sender: &dyn WebhookSender,
        limit: usize,
        now: i64,
    ) -> Result<DeliveryRunSummary, DomainError> {
        self.run_deliveries(sender, limit, now, &|| now)
    }

    fn run_deliveries(
        &self,
        sender: &dyn WebhookSender,
        limit: usize,
        now: i64,
        clock: &(dyn Fn() -> i64 + Sync),
    ) -> Result<DeliveryRunSummary, DomainError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let due = self
            .core
            .store
            .read(|conn| webhooks::due(conn, now, limit))?;
        // One lane per subscription: its deliveries in order, the lanes side by side, so a
        // slow or dead receiver holds up only its own lane (and, after its first failure,
        // not even that for the rest of this run).
        let mut lanes: Vec<Vec<DueDelivery>> = Vec::new();
        for item in due {
            match lanes
                .iter_mut()
                .find(|lane| lane[0].subscription.id == item.subscription.id)
            {
                Some(lane) => lane.push(item),
                None => lanes.push(vec![item]),
            }
        }
        let next = AtomicUsize::new(0);
        let summary = Mutex::new(DeliveryRunSummary::default());
        let failure = Mutex::new(None);
        std::thread::scope(|s| {
            for _ in 0..lanes.len().min(LANES) {
                s.spawn(|| {
                    while let Some(lane) = lanes.get(next.fetch_add(1, Ordering::Relaxed)) {
                        if let Err(e) = self.run_lane(sender, lane, clock, &summary) {
                            failure
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner)
                                .get_or_insert(e);
                        }
                    }
                });
            }
        });
        if let Some(e) = failure.into_inner().unwrap_or_else(PoisonError::into_inner) {
            return Err(e);
        }
        Ok(summary.into_inner().unwrap_or_else(PoisonError::into_inner))
    }

    /// Sends one subscription's due deliveries in order; a receiver that does not answer
    /// ends its lane for this run (one that answers with an error status does not).
    fn run_lane(
        &self,
        sender: &dyn WebhookSender,
        lane: &[DueDelivery],
        clock: &(dyn Fn() -> i64 + Sync),
        summary: &Mutex<DeliveryRunSummary>,
    ) -> Result<(), DomainError> {
        for item in lane {
            let sent = match self
                .core
                .sealer
                .open_webhook_secret(&item.subscription.secret)
            {
                Ok(secret) => send(sender, item, &secret),
                Err(e) => Sent::Unreachable(format!("the subscription's secret: {e}")),
            };
            let at = clock();
            let attempt = item.delivery.attempts;
            let (status, next_attempt_at, http_status, error, delivered_at) = match &sent {
                Sent::Delivered(code) => {
                    (DeliveryStatus::Delivered, at, Some(*code), None, Some(at))
                }
                Sent::Refused(code) => {
                    let (status, next) = after_failure(attempt, at);
                    (
                        status,
                        next,
                        Some(*code),
                        Some(format!("HTTP {code}")),
                        None,
                    )
                }
                Sent::Unreachable(e) => {
                    let (status, next) = after_failure(attempt, at);
                    (status, next, None, Some(truncated(e)), None)
                }
            };
            let recorded = self.core.store.write(|conn| {
                webhooks::record_attempt(
                    conn,
                    item.delivery.id,
                    attempt,
                    &DeliveryOutcome {
                        status: status.as_str(),
                        next_attempt_at,
                        http_status: http_status.map(i32::from),
                        error: error.as_deref(),
                        delivered_at,
                    },
                )
            })?;
            if !recorded {
                // Another worker (another node) recorded this attempt first.
                continue;
            }
            let mut summary = summary.lock().unwrap_or_else(PoisonError::into_inner);
            match status {
                DeliveryStatus::Delivered => summary.delivered += 1,
                DeliveryStatus::Failed => {
                    tracing::warn!(
                        delivery = item.delivery.id,
                        webhook = %item.subscription.id,
                        error = error.as_deref().unwrap_or(""),
                        "webhook delivery given up after {MAX_ATTEMPTS} attempts"
                    );
                    summary.failed += 1;
                }
                DeliveryStatus::Pending => summary.retrying += 1,
            }
            if matches!(sent, Sent::Unreachable(_)) {
                // A receiver that does not answer costs up to the timeout per attempt: its
                // next deliveries wait for the next run instead of holding this one up.
                break;
            }
        }
        Ok(())
    }
}

/// The status and next due time after failed attempt number `attempt + 1`.
fn after_failure(attempt: i32, at: i64) -> (DeliveryStatus, i64) {
    if attempt + 1 >= MAX_ATTEMPTS {
        (DeliveryStatus::Failed, at)
    } else {
        (
            DeliveryStatus::Pending,
            at.saturating_add(backoff_ms(attempt)),
        )
    }
}

fn send(sender: &dyn WebhookSender, item: &DueDelivery, secret: &str) -> Sent {
    let body = match payload(&item.event) {
        Ok(b) => b,
        Err(e) => return Sent::Unreachable(e.to_string()),
    };
    let signature = match webhook_signature(secret, &body) {
        Ok(s) => s,
        Err(e) => return Sent::Unreachable(e.to_string()),
    };
    let headers = [
        ("Content-Type".to_owned(), "application/json".to_owned()),
        ("X-Ferry-Event".to_owned(), item.event.event_type.clone()),
        ("X-Ferry-Delivery".to_owned(), item.delivery.id.to_string()),
        ("X-Ferry-Signature".to_owned(), signature),
    ];
    match sender.post(&item.subscription.url, &headers, &body) {
        Ok(code) if (200..300).contains(&code) => Sent::Delivered(code),
        Ok(code) => Sent::Refused(code),
        Err(e) => Sent::Unreachable(e),
    }
}

fn truncated(text: &str) -> String {
    text.chars().take(MAX_ERROR_CHARS).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test
mod tests {
    use smp_store::EventRow;

    use super::{after_failure, backoff_ms, payload};
    use crate::states::DeliveryStatus;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff_ms(0), 1000);
        assert_eq!(backoff_ms(1), 2000);
        assert_eq!(backoff_ms(11), 2_048_000);
        assert_eq!(backoff_ms(12), 3_600_000);
        assert_eq!(backoff_ms(i32::MAX), 3_600_000);
    }

    #[test]
    fn the_twelfth_failure_gives_up() {
        assert_eq!(after_failure(0, 100), (DeliveryStatus::Pending, 1100));
        assert_eq!(
            after_failure(10, 100),
            (DeliveryStatus::Pending, 100 + 1_024_000)
        );
        assert_eq!(after_failure(11, 100), (DeliveryStatus::Failed, 100));
    }

    #[test]
    fn payload_embeds_the_stored_data_verbatim() {
        let event = EventRow {
            id: 7,
            event_id: "evt_1".into(),
            event_type: "participant.deleted".into(),
            created_at: 0,
            data: r#"{"participant":"a::\"b\"","smlState":"registered"}"#.into(),
        };
        let body = String::from_utf8(payload(&event).unwrap()).unwrap();
        assert_eq!(
            body,
            r#"{"id":"evt_1","type":"participant.deleted","created_at":"1970-01-01T00:00:00Z","data":{"participant":"a::\"b\"","smlState":"registered"}}"#
        );
        let bad = EventRow {
            data: "{not json".into(),
            ..event
        };
        assert!(payload(&bad).is_err());
    }
}
