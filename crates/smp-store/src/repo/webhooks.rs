//! Webhook subscriptions (`webhook_subscriptions`) and their delivery outbox
//! (`webhook_deliveries`: one row per event and subscription). Delivery outcomes are
//! guarded by the status and attempt count the worker read, so two workers never both
//! record an outcome for one attempt.

use diesel::prelude::*;

use crate::repo::events::EventRow;
use crate::schema::{events, webhook_deliveries, webhook_subscriptions};
use crate::states::delivery_status;
use crate::{DbConnection, StoreError};

/// A stored subscription.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = webhook_subscriptions)]
pub struct SubscriptionRow {
    /// e.g. `whk_…`.
    pub id: String,
    pub url: String,
    /// The HMAC key, as given (callers decide its format).
    pub secret: String,
    /// Comma-separated event types; `*` matches every type.
    pub event_types: String,
    pub active: bool,
    pub owner_id: Option<i64>,
    pub created_at: i64,
}

/// A subscription to insert (active).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubscription {
    pub id: String,
    pub url: String,
    pub secret: String,
    pub event_types: String,
    pub owner_id: Option<i64>,
    pub created_at: i64,
}

/// A stored delivery.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: i64,
    pub subscription_id: String,
    /// `events.id` of the event delivered.
    pub event_row_id: i64,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: i64,
    pub last_http_status: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<i64>,
    pub created_at: i64,
}

/// A due delivery with what it needs to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    pub delivery: DeliveryRow,
    pub event: EventRow,
    pub subscription: SubscriptionRow,
}

/// What one delivery attempt ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryOutcome<'a> {
    /// `pending` (try again at `next_attempt_at`), `delivered` or `failed`.
    pub status: &'a str,
    pub next_attempt_at: i64,
    pub http_status: Option<i32>,
    pub error: Option<&'a str>,
    pub delivered_at: Option<i64>,
}

/// Inserts an active subscription.
pub fn insert_subscription(
    conn: &mut DbConnection,
    new: &NewSubscription,
) -> Result<SubscriptionRow, StoreError> {
    Ok(diesel::insert_into(webhook_subscriptions::table)
        .values((
            webhook_subscriptions::id.eq(&new.id),
            webhook_subscriptions::url.eq(&new.url),
            webhook_subscriptions::secret.eq(&new.secret),
            webhook_subscriptions::event_types.eq(&new.event_types),
            webhook_subscriptions::active.eq(true),
            webhook_subscriptions::owner_id.eq(new.owner_id),
            webhook_subscriptions::created_at.eq(new.created_at),
        ))
        .returning(webhook_subscriptions::all_columns)
        .get_result(conn)?)
}

/// Every subscription, oldest first.
pub fn list_subscriptions(conn: &mut DbConnection) -> Result<Vec<SubscriptionRow>, StoreError> {
    Ok(webhook_subscriptions::table
        .order((webhook_subscriptions::created_at, webhook_subscriptions::id))
        .select(SubscriptionRow::as_select())
        .load(conn)?)
}

/// Active subscriptions, oldest first.
pub fn active_subscriptions(conn: &mut DbConnection) -> Result<Vec<SubscriptionRow>, StoreError> {
    Ok(webhook_subscriptions::table
        .filter(webhook_subscriptions::active.eq(true))
        .order((webhook_subscriptions::created_at, webhook_subscriptions::id))
        .select(SubscriptionRow::as_select())
        .load(conn)?)
}

/// One subscription.
pub fn get_subscription(
    conn: &mut DbConnection,
    id: &str,
) -> Result<Option<SubscriptionRow>, StoreError> {
    Ok(webhook_subscriptions::table
        .find(id)
        .select(SubscriptionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Deletes a subscription and (by cascade) its deliveries. Returns whether it existed.
pub fn delete_subscription(conn: &mut DbConnection, id: &str) -> Result<bool, StoreError> {
    Ok(diesel::delete(webhook_subscriptions::table.find(id)).execute(conn)? > 0)
}

/// Queues a delivery of an event to a subscription, due at `now`.
pub fn insert_delivery(
    conn: &mut DbConnection,
    subscription_id: &str,
    event_row_id: i64,
    now: i64,
) -> Result<DeliveryRow, StoreError> {
    Ok(diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::subscription_id.eq(subscription_id),
            webhook_deliveries::event_row_id.eq(event_row_id),
            webhook_deliveries::status.eq(delivery_status::PENDING),
            webhook_deliveries::attempts.eq(0),
            webhook_deliveries::next_attempt_at.eq(now),
            webhook_deliveries::created_at.eq(now),
        ))
        .returning(webhook_deliveries::all_columns)
        .get_result(conn)?)
}

/// Pending deliveries due by `now`, oldest first, up to `limit`, with their event and
/// subscription.
pub fn due(conn: &mut DbConnection, now: i64, limit: i64) -> Result<Vec<DueDelivery>, StoreError> {
    let rows: Vec<(DeliveryRow, EventRow, SubscriptionRow)> = webhook_deliveries::table
        .inner_join(events::table)
        .inner_join(webhook_subscriptions::table)
        .filter(webhook_deliveries::status.eq(delivery_status::PENDING))
        .filter(webhook_deliveries::next_attempt_at.le(now))
        .order(webhook_deliveries::id)
        .limit(limit.max(0))
        .select((
            DeliveryRow::as_select(),
            EventRow::as_select(),
            SubscriptionRow::as_select(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(delivery, event, subscription)| DueDelivery {
            delivery,
            event,
            subscription,
        })
        .collect())
}

/// The deliveries of a subscription, newest first, up to `limit`.
pub fn deliveries_for(
    conn: &mut DbConnection,
    subscription_id: &str,
    limit: i64,
) -> Result<Vec<DeliveryRow>, StoreError> {
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::subscription_id.eq(subscription_id))
        .order(webhook_deliveries::id.desc())
        .limit(limit.max(0))
        .select(DeliveryRow::as_select())
        .load(conn)?)
}

/// One delivery.
pub fn get_delivery(conn: &mut DbConnection, id: i64) -> Result<Option<DeliveryRow>, StoreError> {
    Ok(webhook_deliveries::table
        .find(id)
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()?)
}

/// Records the outcome of one attempt, only if the delivery is still `pending` with
/// `seen_attempts` attempts. Returns whether this call recorded it.
pub fn record_attempt(
    conn: &mut DbConnection,
    id: i64,
    seen_attempts: i32,
    outcome: &DeliveryOutcome<'_>,
) -> Result<bool, StoreError> {
    let guard = webhook_deliveries::table
        .filter(webhook_deliveries::id.eq(id))
        .filter(webhook_deliveries::status.eq(delivery_status::PENDING))
        .filter(webhook_deliveries::attempts.eq(seen_attempts));
    let changed = diesel::update(guard)
        .set((
            webhook_deliveries::status.eq(outcome.status),
            webhook_deliveries::attempts.eq(seen_attempts + 1),
            webhook_deliveries::next_attempt_at.eq(outcome.next_attempt_at),
            webhook_deliveries::last_http_status.eq(outcome.http_status),
            webhook_deliveries::last_error.eq(outcome.error),
            webhook_deliveries::delivered_at.eq(outcome.delivered_at),
        ))
        .execute(conn)?;
    Ok(changed > 0)
}
