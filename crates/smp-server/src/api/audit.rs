//! `/api/v1/audit`.

use actix_web::{HttpResponse, web};
use peppol_id::ParticipantId;
use serde::Deserialize;
use smp_core::AuditView;

use crate::auth::Caller;
use crate::problem::Problem;
use crate::state::AppState;

#[derive(Deserialize)]
pub(crate) struct AuditQuery {
    participant: Option<String>,
    offset: Option<i64>,
    limit: Option<i64>,
}

/// The audit trail, newest first (administrators).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", operation_id = "listAudit", params(
        ("participant" = Option<String>, Query, description = "only this participant (`scheme::value`)",
            example = "iso6523-actorid-upis::0208:0123456749"),
        ("offset" = Option<i64>, Query, minimum = 0, description = "entries to skip, default 0"),
        ("limit" = Option<i64>, Query, description = "page size, default 100; values outside 1..1000 are clamped")),
    responses((status = 200, body = Vec<AuditView>),
        (status = 400, description = "id.*, input.invalid: not a participant identifier, a negative offset"),
        (status = 403, description = "auth.admin_required")))]
pub(crate) async fn list(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, Problem> {
    let q = query.into_inner();
    let participant = q
        .participant
        .as_deref()
        .map(ParticipantId::parse)
        .transpose()?;
    let domain = state.domain.clone();
    let rows = web::block(move || {
        domain.core().participants().audit_log(
            &actor,
            participant.as_ref(),
            q.offset.unwrap_or(0),
            q.limit.unwrap_or(100),
        )
    })
    .await??;
    Ok(HttpResponse::Ok().json(rows))
}
