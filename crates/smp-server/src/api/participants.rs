//! `/api/v1/participants`.

use actix_web::{HttpResponse, web};
use smp_core::{
    CapabilitySpec, ListParams, NewParticipant, Page, ParticipantSummary, ParticipantView,
};

use super::path_ids::{PathDocumentType, PathParticipant};
use crate::auth::Caller;
use crate::problem::Problem;
use crate::state::AppState;

/// Create a participant with its capabilities (all or nothing).
#[utoipa::path(post, path = "/api/v1/participants", tag = "participants", operation_id = "createParticipant",
    request_body = NewParticipant,
    responses((status = 201, body = ParticipantView),
        (status = 400, description = "id.*, input.invalid: an identifier, endpoint or certificate is invalid"),
        (status = 403, description = "auth.admin_required: only administrators name another `owner`"),
        (status = 404, description = "user.not_found (`owner`), profile.not_found (`endpointProfile`)"),
        (status = 409, description = "participant.exists"),
        (status = 422, description = "policy.*: the registration policy refuses a document type")))]
pub(crate) async fn create(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    body: web::Json<NewParticipant>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let view = web::block(move || {
        domain
            .core()
            .participants()
            .create_participant(&actor, &body)
    })
    .await??;
    Ok(HttpResponse::Created().json(view))
}

/// List participants (administrators see all, users their own).
#[utoipa::path(get, path = "/api/v1/participants", tag = "participants", operation_id = "listParticipants", params(
        ("search" = Option<String>, Query, description = "case-insensitive substring of the identifier"),
        ("offset" = Option<i64>, Query, minimum = 0, description = "items to skip, default 0"),
        ("limit" = Option<i64>, Query, description = "page size, default 50; values outside 1..1000 are clamped")),
    responses((status = 200, body = Page<ParticipantSummary>),
        (status = 400, description = "input.invalid: a negative offset, or a parameter that is not a number")))]
pub(crate) async fn list(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    query: web::Query<ListParams>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let page = web::block(move || {
        domain
            .core()
            .participants()
            .list_participants(&actor, &query)
    })
    .await??;
    Ok(HttpResponse::Ok().json(page))
}

/// One participant with its capabilities.
#[utoipa::path(get, path = "/api/v1/participants/{participant}", tag = "participants", operation_id = "getParticipant",
    params(PathParticipant),
    responses((status = 200, body = ParticipantView), (status = 400, description = "id.*: not a participant identifier"),
        (status = 403, description = "auth.forbidden: another user's participant"),
        (status = 404, description = "participant.not_found")))]
pub(crate) async fn get(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    PathParticipant(pid): PathParticipant,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let view = web::block(move || domain.core().participants().participant(&actor, &pid)).await??;
    Ok(HttpResponse::Ok().json(view))
}

/// Delete a participant and everything published for it.
#[utoipa::path(delete, path = "/api/v1/participants/{participant}", tag = "participants", operation_id = "deleteParticipant",
    params(PathParticipant),
    responses((status = 204), (status = 400, description = "id.*: not a participant identifier"),
        (status = 403, description = "auth.forbidden: another user's participant"),
        (status = 404, description = "participant.not_found")))]
pub(crate) async fn delete(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    PathParticipant(pid): PathParticipant,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    web::block(move || {
        domain
            .core()
            .participants()
            .delete_participant(&actor, &pid)
    })
    .await??;
    Ok(HttpResponse::NoContent().finish())
}

/// Add a capability (document type + process + endpoint) to a participant.
#[utoipa::path(post, path = "/api/v1/participants/{participant}/capabilities", tag = "participants",
    operation_id = "addCapability", params(PathParticipant), request_body = CapabilitySpec,
    responses((status = 201, body = ParticipantView),
        (status = 400, description = "id.*, input.invalid: an identifier, endpoint or certificate is invalid"),
        (status = 403, description = "auth.forbidden: another user's participant"),
        (status = 404, description = "participant.not_found, profile.not_found (`endpointProfile`)"),
        (status = 422, description = "policy.*: the registration policy refuses the document type")))]
pub(crate) async fn add_capability(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    PathParticipant(pid): PathParticipant,
    body: web::Json<CapabilitySpec>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let view = web::block(move || {
        domain
            .core()
            .participants()
            .add_capability(&actor, &pid, &body)?;
        domain.core().participants().participant(&actor, &pid)
    })
    .await??;
    Ok(HttpResponse::Created().json(view))
}

/// Remove every capability of one document type.
#[utoipa::path(delete, path = "/api/v1/participants/{participant}/capabilities/{document_type}", tag = "participants",
    operation_id = "removeCapability", params(PathParticipant, PathDocumentType),
    responses((status = 204), (status = 400, description = "id.*: not a participant or document type identifier"),
        (status = 403, description = "auth.forbidden: another user's participant"),
        (status = 404, description = "participant.not_found, service.not_found")))]
pub(crate) async fn remove_capability(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    PathParticipant(pid): PathParticipant,
    PathDocumentType(doctype): PathDocumentType,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    web::block(move || {
        domain
            .core()
            .participants()
            .delete_service_metadata(&actor, &pid, &doctype)
    })
    .await??;
    Ok(HttpResponse::NoContent().finish())
}
