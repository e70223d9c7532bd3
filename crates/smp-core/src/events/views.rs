//! What the JSON API shows of events, webhooks and deliveries.

use crate::states::DeliveryStatus;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A request to subscribe a URL to events.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewWebhook {
    /// Absolute `http` or `https` URL the events are POSTed to.
    pub url: String,
    /// The HMAC key (at least 16 characters); Ferry generates one when absent.
    #[serde(default)]
    pub secret: Option<String>,
    /// Event types to deliver, or `["*"]` for all of them.
    pub events: Vec<String>,
}

/// A webhook subscription.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookView {
    /// `whk_…`.
    pub id: String,
    pub url: String,
    /// Event types delivered (`*` = all).
    pub events: Vec<String>,
    pub active: bool,
    /// RFC 3339.
    pub created_at: String,
    /// The signing secret: in the response to the creation only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// One delivery of one event to one webhook.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    /// Also sent as `X-Ferry-Delivery`.
    pub id: i64,
    /// The event's `id` (`evt_…`).
    pub event_id: String,
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: i32,
    /// RFC 3339; when `pending`, the next attempt.
    pub next_attempt_at: Option<String>,
    /// HTTP status of the last answer, if any.
    pub last_http_status: Option<i32>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// RFC 3339.
    pub delivered_at: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// An event, as polled: the webhook payload plus its sequence number.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EventView {
    /// Sequence number: pass the last one seen as `after` to continue.
    pub seq: i64,
    /// `evt_…`, the same as in the webhook payload.
    pub id: String,
    /// e.g. `participant.registered`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// RFC 3339.
    pub created_at: String,
    /// Event-specific fields.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}
