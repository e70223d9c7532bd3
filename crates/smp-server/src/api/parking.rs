//! The parking SMP: `GET /api/v1/migration-tokens/{participant}` on its own https listener
//! (APs authenticate with their certificate), and the operator routes under
//! `/api/v1/parking` on the main listener (administrators).

use std::net::{IpAddr, Ipv4Addr};

use actix_web::{HttpRequest, HttpResponse, web};
use party_config::{CallerView, CollectedToken, CollectionView, ParkingLimits, ScheduledAllowance};
use serde::Deserialize;
use smp_core::Lifecycle;
use utoipa::ToSchema;

use super::path_ids::{PathParticipant, raw_param};
use crate::auth::Caller;
use crate::problem::Problem;
use crate::state::AppState;

/// The client's certificate chain as sent in the TLS handshake, leaf first (empty: none).
/// Stored per connection by the listener's `on_connect`.
#[derive(Debug, Clone, Default)]
pub(crate) struct PeerChain(pub(crate) Vec<Vec<u8>>);

/// Collect the migration key of a participant hosted here. Served on the parking listener
/// only, to callers presenting a valid Peppol AP certificate.
#[utoipa::path(get, path = "/api/v1/migration-tokens/{participant}", tag = "parking", operation_id = "collectMigrationToken",
    params(("participant" = String, Path, description = "scheme::value, e.g. iso6523-actorid-upis::0088:5798000000001")),
    security(()),
    responses(
        (status = 200, body = CollectedToken),
        (status = 401, description = "token.no_certificate | token.unparsable_certificate | token.certificate_expired | \
            token.certificate_not_yet_valid | token.untrusted_certificate | token.wrong_environment | token.not_an_ap_certificate | \
            token.not_a_client_certificate | token.certificate_revoked"),
        (status = 403, description = "token.blacklisted | token.ip_limit | token.global_limit"),
        (status = 404, description = "token.invalid_participant | token.unknown_participant | token.participant_inactive | \
            token.already_migrated"),
        (status = 500, description = "token.internal")))]
pub(crate) async fn collect(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Problem> {
    // The identifier as sent: the domain decodes it once (and answers its own code).
    let path = raw_param(&req, "participant")?.to_owned();
    let chain = req.conn_data::<PeerChain>().cloned().unwrap_or_default().0;
    // A peer address is always known on TCP; the fallback only keeps this total.
    let ip = req
        .peer_addr()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip());
    let domain = state.domain.clone();
    let token = web::block(move || -> Result<_, Problem> {
        Ok(domain
            .parking()?
            .collect_migration_token(&chain, ip, &path)?)
    })
    .await??;
    Ok(HttpResponse::Ok().json(token))
}

/// Callers of the collection API with their usage today (administrators).
#[utoipa::path(get, path = "/api/v1/parking/callers", tag = "parking", operation_id = "listParkingCallers",
    responses((status = 200, body = [CallerView]), (status = 403, description = "auth.admin_required"),
        (status = 404, description = "parking.disabled")))]
pub(crate) async fn callers(
    state: web::Data<AppState>,
    Caller(actor): Caller,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let list = web::block(move || domain.parking()?.parking_callers(&actor)).await??;
    Ok(HttpResponse::Ok().json(list))
}

/// One caller.
#[utoipa::path(get, path = "/api/v1/parking/callers/{id}", tag = "parking", operation_id = "getParkingCaller",
    params(("id" = String, Path, description = "SHA-256 fingerprint (hex) of the caller's certificate")),
    responses((status = 200, body = CallerView), (status = 403, description = "auth.admin_required"),
        (status = 404, description = "parking.caller_not_found, parking.disabled")))]
pub(crate) async fn caller(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let view = web::block(move || domain.parking()?.parking_caller(&actor, &path)).await??;
    Ok(HttpResponse::Ok().json(view))
}

/// Reactivate a blacklisted caller.
#[utoipa::path(post, path = "/api/v1/parking/callers/{id}/reactivate", tag = "parking", operation_id = "reactivateParkingCaller",
    params(("id" = String, Path, description = "SHA-256 fingerprint (hex) of the caller's certificate")),
    responses((status = 200, body = CallerView), (status = 403, description = "auth.admin_required"),
        (status = 404, description = "parking.caller_not_found, parking.disabled")))]
pub(crate) async fn reactivate(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let view = web::block(move || domain.parking()?.reactivate_caller(&actor, &path)).await??;
    Ok(HttpResponse::Ok().json(view))
}

/// A caller's own daily quota; `null` returns it to the default.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct QuotaBody {
    /// Successful collections per UTC day (0 to 2147483647).
    #[serde(default, deserialize_with = "party_config::whole_number::option_u32")]
    #[schema(minimum = 0, maximum = 2_147_483_647)]
    daily_quota: Option<u32>,
}

/// Set a caller's daily quota.
#[utoipa::path(put, path = "/api/v1/parking/callers/{id}/quota", tag = "parking", operation_id = "setParkingCallerQuota",
    params(("id" = String, Path, description = "SHA-256 fingerprint (hex) of the caller's certificate")), request_body = QuotaBody,
    responses((status = 200, body = CallerView), (status = 403, description = "auth.admin_required"),
        (status = 404, description = "parking.caller_not_found, parking.disabled")))]
pub(crate) async fn set_quota(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    path: web::Path<String>,
    body: web::Json<QuotaBody>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let view = web::block(move || {
        domain
            .parking()?
            .set_caller_quota(&actor, &path, body.daily_quota)
    })
    .await??;
    Ok(HttpResponse::Ok().json(view))
}

/// Schedule a larger allowance for a caller from a date on.
#[utoipa::path(put, path = "/api/v1/parking/callers/{id}/allowance", tag = "parking", operation_id = "scheduleParkingAllowance",
    params(("id" = String, Path, description = "SHA-256 fingerprint (hex) of the caller's certificate")), request_body = ScheduledAllowance,
    responses((status = 200, body = CallerView), (status = 400, description = "input.invalid: `from` is not an RFC 3339 time"),
        (status = 403, description = "auth.admin_required"),
        (status = 404, description = "parking.caller_not_found, parking.disabled")))]
pub(crate) async fn schedule(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    path: web::Path<String>,
    body: web::Json<ScheduledAllowance>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let view = web::block(move || {
        domain
            .parking()?
            .schedule_caller_allowance(&actor, &path, Some(&body))
    })
    .await??;
    Ok(HttpResponse::Ok().json(view))
}

/// Remove a scheduled allowance.
#[utoipa::path(delete, path = "/api/v1/parking/callers/{id}/allowance", tag = "parking", operation_id = "removeParkingAllowance",
    params(("id" = String, Path, description = "SHA-256 fingerprint (hex) of the caller's certificate")),
    responses((status = 200, body = CallerView), (status = 403, description = "auth.admin_required"),
        (status = 404, description = "parking.caller_not_found, parking.disabled")))]
pub(crate) async fn unschedule(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let view = web::block(move || {
        domain
            .parking()?
            .schedule_caller_allowance(&actor, &path, None)
    })
    .await??;
    Ok(HttpResponse::Ok().json(view))
}

/// The limits in force.
#[utoipa::path(get, path = "/api/v1/parking/limits", tag = "parking", operation_id = "getParkingLimits",
    responses((status = 200, body = ParkingLimits), (status = 403, description = "auth.admin_required"),
        (status = 404, description = "parking.disabled")))]
pub(crate) async fn limits(
    state: web::Data<AppState>,
    Caller(actor): Caller,
) -> Result<HttpResponse, Problem> {
    let limits = state.domain.parking()?.limits(&actor)?;
    Ok(HttpResponse::Ok().json(limits))
}

/// Change the limits on this node until restart.
#[utoipa::path(put, path = "/api/v1/parking/limits", tag = "parking", operation_id = "setParkingLimits",
    request_body = ParkingLimits,
    responses((status = 200, body = ParkingLimits), (status = 403, description = "auth.admin_required"),
        (status = 404, description = "parking.disabled")))]
pub(crate) async fn set_limits(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    body: web::Json<ParkingLimits>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let limits = web::block(move || domain.parking()?.set_parking_limits(&actor, *body)).await??;
    Ok(HttpResponse::Ok().json(limits))
}

/// Filter and page of the collection log.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CollectionQuery {
    /// One caller's fingerprint.
    caller: Option<String>,
    /// Rows to skip (default 0).
    offset: Option<i64>,
    /// Page size (default 100).
    limit: Option<i64>,
}

/// The collection log, newest first: caller, participant, time, outcome.
#[utoipa::path(get, path = "/api/v1/parking/collections", tag = "parking", operation_id = "listParkingCollections", params(
        ("caller" = Option<String>, Query, description = "only this caller (certificate fingerprint)"),
        ("offset" = Option<i64>, Query, minimum = 0, description = "rows to skip, default 0"),
        ("limit" = Option<i64>, Query, description = "page size, default 100; values outside 1..1000 are clamped")),
    responses((status = 200, body = [CollectionView]),
        (status = 400, description = "input.invalid: a negative offset, or a parameter that is not a number"),
        (status = 403, description = "auth.admin_required"), (status = 404, description = "parking.disabled")))]
pub(crate) async fn collections(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    query: web::Query<CollectionQuery>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let rows = web::block(move || {
        domain.parking()?.token_collections(
            &actor,
            query.caller.as_deref(),
            query.offset.unwrap_or(0),
            query.limit.unwrap_or(100),
        )
    })
    .await??;
    Ok(HttpResponse::Ok().json(rows))
}

/// `active` (hands out keys) or `inactive` (answers `token.participant_inactive`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LifecycleBody {
    lifecycle: Lifecycle,
}

/// Mark a participant active or inactive for token collection.
#[utoipa::path(put, path = "/api/v1/parking/participants/{participant}/lifecycle", tag = "parking",
    operation_id = "setParkingLifecycle", params(PathParticipant), request_body = LifecycleBody,
    responses((status = 204), (status = 400, description = "id.*, input.invalid: not a participant identifier, or an unknown lifecycle"),
        (status = 403, description = "auth.admin_required"),
        (status = 404, description = "participant.not_found, parking.disabled")))]
pub(crate) async fn set_lifecycle(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    PathParticipant(pid): PathParticipant,
    body: web::Json<LifecycleBody>,
) -> Result<HttpResponse, Problem> {
    let lifecycle = body.lifecycle;
    let domain = state.domain.clone();
    web::block(move || {
        domain
            .parking()?
            .set_participant_lifecycle(&actor, &pid, lifecycle)
    })
    .await??;
    Ok(HttpResponse::NoContent().finish())
}

/// Operator routes, inside the `/api/v1` scope of the main listener.
pub(crate) fn configure_operators(cfg: &mut web::ServiceConfig) {
    cfg.route("/parking/callers", web::get().to(callers))
        .route("/parking/callers/{id}", web::get().to(caller))
        .route(
            "/parking/callers/{id}/reactivate",
            web::post().to(reactivate),
        )
        .route("/parking/callers/{id}/quota", web::put().to(set_quota))
        .route("/parking/callers/{id}/allowance", web::put().to(schedule))
        .route(
            "/parking/callers/{id}/allowance",
            web::delete().to(unschedule),
        )
        .route("/parking/limits", web::get().to(limits))
        .route("/parking/limits", web::put().to(set_limits))
        .route("/parking/collections", web::get().to(collections))
        .route(
            "/parking/participants/{participant}/lifecycle",
            web::put().to(set_lifecycle),
        );
}
