//! `/api/v1/users` and their tokens (administrators only).

use actix_web::{HttpResponse, web};
use smp_core::{CreatedToken, NewToken, NewUser, TokenView, UserView};

use crate::auth::Caller;
use crate::problem::Problem;
use crate::state::AppState;

/// Create a user.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", operation_id = "createUser", request_body = NewUser,
    responses((status = 201, body = UserView), (status = 400, description = "input.invalid: the user name or password is not acceptable"),
        (status = 403, description = "auth.admin_required"), (status = 409, description = "user.exists")))]
pub(crate) async fn create(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    body: web::Json<NewUser>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let view = web::block(move || domain.core().users().create_user(&actor, &body)).await??;
    Ok(HttpResponse::Created().json(view))
}

/// List users.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", operation_id = "listUsers",
    responses((status = 200, body = Vec<UserView>), (status = 403, description = "auth.admin_required")))]
pub(crate) async fn list(
    state: web::Data<AppState>,
    Caller(actor): Caller,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let views = web::block(move || domain.core().users().list_users(&actor)).await??;
    Ok(HttpResponse::Ok().json(views))
}

/// Delete a user (their participants stay, without an owner).
#[utoipa::path(delete, path = "/api/v1/users/{username}", tag = "users", operation_id = "deleteUser",
    params(("username" = String, Path)),
    responses((status = 204), (status = 403, description = "auth.admin_required"), (status = 404, description = "user.not_found"),
        (status = 409, description = "user.last_admin: the last administrator cannot be deleted")))]
pub(crate) async fn delete(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    web::block(move || domain.core().users().delete_user(&actor, &path)).await??;
    Ok(HttpResponse::NoContent().finish())
}

/// Create an API token for a user; the secret is in this response only.
#[utoipa::path(post, path = "/api/v1/users/{username}/tokens", tag = "users", operation_id = "createToken",
    params(("username" = String, Path)), request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 400, description = "input.invalid: the label is empty or too long"),
        (status = 403, description = "auth.admin_required"), (status = 404, description = "user.not_found")))]
pub(crate) async fn create_token(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    path: web::Path<String>,
    body: web::Json<NewToken>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let token =
        web::block(move || domain.core().users().create_token(&actor, &path, &body)).await??;
    Ok(HttpResponse::Created().json(token))
}

/// List a user's tokens (without secrets).
#[utoipa::path(get, path = "/api/v1/users/{username}/tokens", tag = "users", operation_id = "listTokens",
    params(("username" = String, Path)),
    responses((status = 200, body = Vec<TokenView>), (status = 403, description = "auth.admin_required"),
        (status = 404, description = "user.not_found")))]
pub(crate) async fn list_tokens(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let tokens = web::block(move || domain.core().users().list_tokens(&actor, &path)).await??;
    Ok(HttpResponse::Ok().json(tokens))
}

/// Revoke a token.
#[utoipa::path(delete, path = "/api/v1/users/{username}/tokens/{id}", tag = "users", operation_id = "deleteToken",
    params(("username" = String, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 403, description = "auth.admin_required"),
        (status = 404, description = "user.not_found, token.not_found (also: the token is another user's)")))]
pub(crate) async fn delete_token(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, Problem> {
    let (username, id) = path.into_inner();
    let domain = state.domain.clone();
    web::block(move || domain.core().users().delete_token(&actor, &username, id)).await??;
    Ok(HttpResponse::NoContent().finish())
}
