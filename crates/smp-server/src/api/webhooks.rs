//! `/api/v1/webhooks`: subscriptions to events and their delivery logs (administrators).

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use smp_core::{DeliveryView, NewWebhook, WebhookView};

use crate::auth::Caller;
use crate::problem::Problem;
use crate::state::AppState;

#[derive(Deserialize)]
pub(crate) struct DeliveriesQuery {
    limit: Option<i64>,
}

/// Subscribe a URL to events; the signing secret is in this response only.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", operation_id = "createWebhook", request_body = NewWebhook,
    responses((status = 201, body = WebhookView), (status = 400, description = "input.invalid"),
        (status = 403, description = "auth.admin_required")))]
pub(crate) async fn create(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    body: web::Json<NewWebhook>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let view = web::block(move || domain.core().events().create_webhook(&actor, &body)).await??;
    Ok(HttpResponse::Created().json(view))
}

/// List subscriptions (without secrets).
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", operation_id = "listWebhooks",
    responses((status = 200, body = Vec<WebhookView>), (status = 403, description = "auth.admin_required")))]
pub(crate) async fn list(
    state: web::Data<AppState>,
    Caller(actor): Caller,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let views = web::block(move || domain.core().events().list_webhooks(&actor)).await??;
    Ok(HttpResponse::Ok().json(views))
}

/// Delete a subscription with its delivery log.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", operation_id = "deleteWebhook",
    params(("id" = String, Path)),
    responses((status = 204), (status = 403, description = "auth.admin_required"), (status = 404, description = "webhook.not_found")))]
pub(crate) async fn delete(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    web::block(move || domain.core().events().delete_webhook(&actor, &path)).await??;
    Ok(HttpResponse::NoContent().finish())
}

/// The newest deliveries of a subscription (default 100, at most 1000), newest first.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks", operation_id = "listDeliveries",
    params(("id" = String, Path),
        ("limit" = Option<i64>, Query, description = "default 100; values outside 1..1000 are clamped")),
    responses((status = 200, body = Vec<DeliveryView>), (status = 403, description = "auth.admin_required"),
        (status = 404, description = "webhook.not_found")))]
pub(crate) async fn deliveries(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    path: web::Path<String>,
    query: web::Query<DeliveriesQuery>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let limit = query.limit.unwrap_or(100);
    let views = web::block(move || {
        domain
            .core()
            .events()
            .webhook_deliveries(&actor, &path, limit)
    })
    .await??;
    Ok(HttpResponse::Ok().json(views))
}
