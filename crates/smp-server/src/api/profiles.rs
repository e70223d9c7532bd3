//! `/api/v1/endpoint-profiles`.

use actix_web::{HttpResponse, web};
use smp_core::{EndpointSpec, ProfileSpec, ProfileUpdate, ProfileView};

use crate::auth::Caller;
use crate::problem::Problem;
use crate::state::AppState;

/// Create an endpoint profile.
#[utoipa::path(post, path = "/api/v1/endpoint-profiles", tag = "endpoint-profiles", operation_id = "createProfile",
    request_body = ProfileSpec,
    responses((status = 201, body = ProfileView),
        (status = 400, description = "input.invalid, id.*: the name, endpoint or certificate is invalid"),
        (status = 409, description = "profile.exists")))]
pub(crate) async fn create(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    body: web::Json<ProfileSpec>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let view = web::block(move || domain.core().profiles().create_profile(&actor, &body)).await??;
    Ok(HttpResponse::Created().json(view))
}

/// List endpoint profiles.
#[utoipa::path(get, path = "/api/v1/endpoint-profiles", tag = "endpoint-profiles", operation_id = "listProfiles",
    responses((status = 200, body = Vec<ProfileView>)))]
pub(crate) async fn list(
    state: web::Data<AppState>,
    Caller(_actor): Caller,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let views = web::block(move || domain.core().profiles().list_profiles()).await??;
    Ok(HttpResponse::Ok().json(views))
}

/// One endpoint profile.
#[utoipa::path(get, path = "/api/v1/endpoint-profiles/{name}", tag = "endpoint-profiles", operation_id = "getProfile",
    params(("name" = String, Path, example = "main-as4")),
    responses((status = 200, body = ProfileView), (status = 404, description = "profile.not_found")))]
pub(crate) async fn get(
    state: web::Data<AppState>,
    Caller(_actor): Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let view = web::block(move || domain.core().profiles().profile(&path)).await??;
    Ok(HttpResponse::Ok().json(view))
}

/// Change an endpoint profile; every participant using it is re-signed in the same transaction.
#[utoipa::path(put, path = "/api/v1/endpoint-profiles/{name}", tag = "endpoint-profiles", operation_id = "updateProfile",
    params(("name" = String, Path, example = "main-as4")), request_body = ProfileChange,
    responses((status = 200, body = ProfileUpdate),
        (status = 400, description = "input.invalid, id.*: the endpoint or certificate is invalid, \
            or `name` differs from the URL"),
        (status = 403, description = "auth.forbidden: another user's profile"),
        (status = 404, description = "profile.not_found")))]
pub(crate) async fn update(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    path: web::Path<String>,
    body: web::Json<ProfileChange>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let body = body.into_inner();
    if body.name.as_deref().is_some_and(|n| n != path.as_str()) {
        return Err(Problem::new(
            actix_web::http::StatusCode::BAD_REQUEST,
            "input.invalid",
            "the name in the body differs from the URL; profiles cannot be renamed",
        ));
    }
    let result = web::block(move || {
        domain
            .core()
            .profiles()
            .update_profile(&actor, &path, &body.endpoint)
    })
    .await??;
    Ok(HttpResponse::Ok().json(result))
}

/// The endpoint fields of a profile, optionally with its (unchanged) name.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ProfileChange {
    /// The profile's name, if given the same as in the URL (profiles cannot be renamed).
    #[serde(default)]
    name: Option<String>,
    /// The endpoint fields.
    #[serde(flatten)]
    endpoint: EndpointSpec,
}

/// Delete an unused endpoint profile.
#[utoipa::path(delete, path = "/api/v1/endpoint-profiles/{name}", tag = "endpoint-profiles", operation_id = "deleteProfile",
    params(("name" = String, Path, example = "main-as4")),
    responses((status = 204), (status = 403, description = "auth.forbidden: another user's profile"),
        (status = 404, description = "profile.not_found"), (status = 409, description = "profile.in_use")))]
pub(crate) async fn delete(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    web::block(move || domain.core().profiles().delete_profile(&actor, &path)).await??;
    Ok(HttpResponse::NoContent().finish())
}
