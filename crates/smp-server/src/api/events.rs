//! `/api/v1/events`: the event log, for integrators that poll instead of (or besides)
//! receiving webhooks.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use smp_core::EventView;

use crate::auth::Caller;
use crate::problem::Problem;
use crate::state::AppState;

#[derive(Deserialize)]
pub(crate) struct EventsQuery {
    after: Option<i64>,
    limit: Option<i64>,
}

/// Events after sequence number `after` (from the start when absent), oldest first, at
/// most `limit` (default 100, at most 1000). Continue with the last `seq` seen.
#[utoipa::path(get, path = "/api/v1/events", tag = "events", operation_id = "listEvents",
    params(("after" = Option<i64>, Query, description = "the last `seq` seen; default: from the start"),
        ("limit" = Option<i64>, Query, description = "default 100; values outside 1..1000 are clamped")),
    responses((status = 200, body = Vec<EventView>), (status = 403, description = "auth.admin_required")))]
pub(crate) async fn list(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    query: web::Query<EventsQuery>,
) -> Result<HttpResponse, Problem> {
    let EventsQuery { after, limit } = query.into_inner();
    let domain = state.domain.clone();
    let events =
        web::block(move || domain.core().events().events_after(&actor, after, limit)).await??;
    Ok(HttpResponse::Ok().json(events))
}
