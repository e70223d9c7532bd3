//! Managing webhook subscriptions and reading the event log (administrators only).

use smp_store::{DeliveryRow, EventRow, NewSubscription, SubscriptionRow, audit, events, webhooks};

use super::views::{DeliveryView, EventView, NewWebhook, WebhookView};
use super::{EVENT_TYPES, random_id};
use crate::kernel::now_ms;
use crate::states::DeliveryStatus;
use crate::views::rfc3339;
use crate::{Actor, DomainError, Events};

const DEFAULT_PAGE: i64 = 100;
const MAX_PAGE: i64 = 1000;
const MAX_URL_LEN: usize = 2048;
const MIN_SECRET_LEN: usize = 16;
const MAX_SECRET_LEN: usize = 256;

impl Events<'_> {
    /// Subscribes a URL to events. The response carries the secret; later reads do not.
    pub fn create_webhook(
        &self,
        actor: &Actor,
        request: &NewWebhook,
    ) -> Result<WebhookView, DomainError> {
        actor.require_admin()?;
        let url = checked_url(&request.url)?;
        let events = checked_events(&request.events)?;
        let secret = match &request.secret {
            Some(s) => checked_secret(s)?,
            None => random_id("", 32)?,
        };
        let row = self.core.store.write(|conn| {
            let now = now_ms();
            let row = webhooks::insert_subscription(
                conn,
                &NewSubscription {
                    id: random_id("whk_", 12)?,
                    url,
                    secret: self.core.sealer.seal_webhook_secret(&secret)?,
                    event_types: events.join(","),
                    owner_id: actor.as_owner(),
                    created_at: now,
                },
            )?;
            audit_webhook(conn, actor, "webhook.create", &row.id, now)?;
            Ok::<_, DomainError>(row)
        })?;
        // The one answer that carries the secret; the database keeps it sealed.
        Ok(WebhookView {
            secret: Some(secret),
            ..webhook_view(row)
        })
    }

    /// Every subscription, without secrets.
    pub fn list_webhooks(&self, actor: &Actor) -> Result<Vec<WebhookView>, DomainError> {
        actor.require_admin()?;
        let rows = self.core.store.read(webhooks::list_subscriptions)?;
        Ok(rows.into_iter().map(webhook_view).collect())
    }

    /// Deletes a subscription with its delivery log; pending deliveries are dropped.
    pub fn delete_webhook(&self, actor: &Actor, id: &str) -> Result<(), DomainError> {
        actor.require_admin()?;
        self.core.store.write(|conn| {
            if !webhooks::delete_subscription(conn, id)? {
                return Err(DomainError::WebhookNotFound { id: id.to_owned() });
            }
            audit_webhook(conn, actor, "webhook.delete", id, now_ms())
        })
    }

    /// The newest `limit` deliveries of a subscription, newest first.
    pub fn webhook_deliveries(
        &self,
        actor: &Actor,
        id: &str,
        limit: i64,
    ) -> Result<Vec<DeliveryView>, DomainError> {
        actor.require_admin()?;
        self.core.store.read(|conn| {
            if webhooks::get_subscription(conn, id)?.is_none() {
                return Err(DomainError::WebhookNotFound { id: id.to_owned() });
            }
            let rows = webhooks::deliveries_for(conn, id, limit.clamp(1, MAX_PAGE))?;
            rows.into_iter()
                .map(|row| {
                    let event = events::get(conn, row.event_row_id)?.ok_or_else(|| {
                        DomainError::Corrupt(format!("delivery {} without its event", row.id))
                    })?;
                    delivery_view(row, &event)
                })
                .collect()
        })
    }

    /// Events after sequence number `after` (all of them from the start when `None`),
    /// oldest first, at most `limit` (default 100, at most 1000).
    pub fn events_after(
        &self,
        actor: &Actor,
        after: Option<i64>,
        limit: Option<i64>,
    ) -> Result<Vec<EventView>, DomainError> {
        actor.require_admin()?;
        let limit = limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        let rows = self
            .core
            .store
            .read(|conn| events::after(conn, after.unwrap_or(0), limit))?;
        rows.into_iter().map(event_view).collect()
    }
}

fn audit_webhook(
    conn: &mut smp_store::DbConnection,
    actor: &Actor,
    action: &str,
    id: &str,
    now: i64,
) -> Result<(), DomainError> {
    audit::append(
        conn,
        &audit::NewAuditEntry {
            at: now,
            actor: actor.username.clone(),
            action: action.to_owned(),
            participant_key: None,
            target: Some(id.to_owned()),
            outcome: "ok".to_owned(),
            detail: None,
        },
    )?;
    Ok(())
}

fn checked_url(url: &str) -> Result<String, DomainError> {
    let url = url.trim();
    if url.len() > MAX_URL_LEN {
        return Err(DomainError::invalid(
            "url",
            format!("longer than {MAX_URL_LEN} characters"),
        ));
    }
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| DomainError::invalid("url", format!("not an absolute URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(DomainError::invalid(
            "url",
            "the scheme must be http or https",
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(DomainError::invalid("url", "the URL has no host"));
    }
    Ok(parsed.to_string())
}

fn checked_events(requested: &[String]) -> Result<Vec<String>, DomainError> {
    let mut out: Vec<String> = Vec::new();
    for name in requested {
        let name = name.trim();
        if name != "*" && !EVENT_TYPES.contains(&name) {
            return Err(DomainError::invalid(
                "events",
                format!(
                    "unknown event type `{name}`; known: {} (or `*` for all)",
                    EVENT_TYPES.join(", ")
                ),
            ));
        }
        if !out.iter().any(|n| n == name) {
            out.push(name.to_owned());
        }
    }
    if out.is_empty() {
        return Err(DomainError::invalid(
            "events",
            "list at least one event type, or `*` for all",
        ));
    }
    if out.iter().any(|n| n == "*") {
        out = vec!["*".to_owned()];
    }
    Ok(out)
}

fn checked_secret(secret: &str) -> Result<String, DomainError> {
    let len = secret.chars().count();
    if !(MIN_SECRET_LEN..=MAX_SECRET_LEN).contains(&len) {
        return Err(DomainError::invalid(
            "secret",
            format!("must have {MIN_SECRET_LEN} to {MAX_SECRET_LEN} characters"),
        ));
    }
    if secret.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            "secret",
            "must not contain control characters",
        ));
    }
    Ok(secret.to_owned())
}

fn webhook_view(row: SubscriptionRow) -> WebhookView {
    WebhookView {
        id: row.id,
        url: row.url,
        events: row
            .event_types
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        active: row.active,
        created_at: rfc3339(row.created_at),
        secret: None,
    }
}

fn delivery_view(row: DeliveryRow, event: &EventRow) -> Result<DeliveryView, DomainError> {
    let status = DeliveryStatus::from_stored(&row.status)?;
    let pending = status == DeliveryStatus::Pending;
    Ok(DeliveryView {
        id: row.id,
        event_id: event.event_id.clone(),
        event_type: event.event_type.clone(),
        status,
        attempts: row.attempts,
        next_attempt_at: pending.then(|| rfc3339(row.next_attempt_at)),
        last_http_status: row.last_http_status,
        last_error: row.last_error,
        delivered_at: row.delivered_at.map(rfc3339),
        created_at: rfc3339(row.created_at),
    })
}

pub(super) fn event_view(row: EventRow) -> Result<EventView, DomainError> {
    let data = serde_json::from_str(&row.data).map_err(|e| {
        DomainError::Corrupt(format!("event {} has invalid JSON data: {e}", row.event_id))
    })?;
    Ok(EventView {
        seq: row.id,
        id: row.event_id,
        event_type: row.event_type,
        created_at: rfc3339(row.created_at),
        data,
    })
}
