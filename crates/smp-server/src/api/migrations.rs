//! `/api/v1/migrations` and the migration-key routes (plus eConnect-compatible shapes).

use actix_web::{HttpResponse, web};
use party_config::{BulkView, MigrationFilter, MigrationView, NewInboundMigration};
use peppol_id::ParticipantId;
use serde::{Deserialize, Serialize};
use smp_core::CapabilitySpec;
use utoipa::ToSchema;

use super::path_ids::PathParticipant;
use crate::auth::Caller;
use crate::problem::Problem;
use crate::state::AppState;

/// The answer to a migration-key request.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PreparedKey {
    /// Hand this to the new provider.
    migration_key: String,
    /// Follow the migration at `/api/v1/migrations/{migrationId}`.
    migration_id: String,
    /// `prepared`.
    status: party_config::MigrationStatus,
}

async fn prepare(
    state: web::Data<AppState>,
    actor: party_config::Actor,
    pid: ParticipantId,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let view = web::block(move || domain.migrations().prepare_outbound(&actor, &pid)).await??;
    Ok(HttpResponse::Ok().json(PreparedKey {
        migration_key: view.migration_key.clone().unwrap_or_default(),
        migration_id: view.id,
        status: view.status,
    }))
}

/// Prepare an outbound migration: a new key, registered at the SML (calling again replaces it).
#[utoipa::path(post, path = "/api/v1/participants/{participant}/migration-key", tag = "migrations",
    operation_id = "prepareMigrationKey", params(PathParticipant),
    responses((status = 200, body = PreparedKey), (status = 400, description = "id.*: not a participant identifier"),
        (status = 403, description = "auth.forbidden: another user's participant"),
        (status = 404, description = "participant.not_found"),
        (status = 409, description = "participant.not_registered_in_sml"),
        (status = 422, description = "sml.err_nnn: the SML refused"),
        (status = 503, description = "sml.*: the SML is unavailable; nothing changed")))]
pub(crate) async fn migration_key(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    PathParticipant(pid): PathParticipant,
) -> Result<HttpResponse, Problem> {
    prepare(state, actor, pid).await
}

/// eConnect-compatible: the same as `POST /api/v1/participants/{participant}/migration-key`.
#[utoipa::path(get, path = "/api/v1/peppol/{participant}/prepareToMigrate", tag = "migrations",
    operation_id = "prepareToMigrate", params(PathParticipant),
    responses((status = 200, body = PreparedKey), (status = 400, description = "id.*: not a participant identifier"),
        (status = 403, description = "auth.forbidden: another user's participant"),
        (status = 404, description = "participant.not_found"),
        (status = 409, description = "participant.not_registered_in_sml"),
        (status = 422, description = "sml.err_nnn: the SML refused"),
        (status = 503, description = "sml.*: the SML is unavailable; nothing changed")))]
pub(crate) async fn prepare_to_migrate(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    PathParticipant(pid): PathParticipant,
) -> Result<HttpResponse, Problem> {
    prepare(state, actor, pid).await
}

/// Start an inbound migration: with `migrationKey` it completes at once (or fails with the
/// SML's code, leaving nothing behind); without, it watches until the old provider lets go.
#[utoipa::path(post, path = "/api/v1/migrations", tag = "migrations", operation_id = "createMigration",
    request_body = NewInboundMigration, responses((status = 201, body = MigrationView),
        (status = 400, description = "id.*, migration.invalid_key, input.invalid, xml.*: an identifier, key, capability or \
            business card is invalid"),
        (status = 404, description = "profile.not_found (`endpointProfile`)"),
        (status = 409, description = "participant.exists, migration.invalid_state: an inbound migration is already open"),
        (status = 413, description = "xml.too_large: the business card is too large"),
        (status = 422, description = "sml.err_nnn: the SML refused the key (nothing is left behind); policy.*"),
        (status = 503, description = "sml.*: the SML is unavailable")))]
pub(crate) async fn create(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    body: web::Json<NewInboundMigration>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let view = web::block(move || domain.migrations().create_inbound(&actor, &body)).await??;
    Ok(HttpResponse::Created().json(view))
}

/// The eConnect body: `{"migration": {"key": "…"}, "capabilities": [...]}`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PartyConfig {
    migration: PartyMigration,
    #[serde(default)]
    capabilities: Vec<CapabilitySpec>,
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct PartyMigration {
    key: Option<String>,
}

/// eConnect-compatible inbound migration with a key.
#[utoipa::path(put, path = "/api/v1/peppol/config/party/{participant}", tag = "migrations", operation_id = "partyConfig",
    params(PathParticipant), request_body = PartyConfig, responses((status = 201, body = MigrationView),
        (status = 400, description = "id.*, migration.invalid_key, input.invalid, xml.*: an identifier, key, capability or \
            business card is invalid"),
        (status = 404, description = "profile.not_found (`endpointProfile`)"),
        (status = 409, description = "participant.exists, migration.invalid_state: an inbound migration is already open"),
        (status = 413, description = "xml.too_large: the business card is too large"),
        (status = 422, description = "sml.err_nnn: the SML refused the key (nothing is left behind); policy.*"),
        (status = 503, description = "sml.*: the SML is unavailable")))]
pub(crate) async fn party_config(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    PathParticipant(pid): PathParticipant,
    body: web::Json<PartyConfig>,
) -> Result<HttpResponse, Problem> {
    let body = body.into_inner();
    let request = NewInboundMigration {
        participant: pid.to_string(),
        migration_key: body.migration.key,
        capabilities: body.capabilities,
        auto_register: None,
        business_card: None,
    };
    let domain = state.domain.clone();
    let view = web::block(move || domain.migrations().create_inbound(&actor, &request)).await??;
    Ok(HttpResponse::Created().json(view))
}

/// List migrations (administrators).
#[utoipa::path(get, path = "/api/v1/migrations", tag = "migrations", operation_id = "listMigrations", params(
        ("status" = Option<party_config::MigrationStatus>, Query), ("direction" = Option<party_config::Direction>, Query),
        ("participant" = Option<String>, Query, description = "only this participant (`scheme::value`)",
            example = "iso6523-actorid-upis::0208:0123456749"),
        ("bulkId" = Option<String>, Query),
        ("offset" = Option<i64>, Query, minimum = 0, description = "items to skip, default 0"),
        ("limit" = Option<i64>, Query, description = "page size, default 50; values outside 1..1000 are clamped")),
    responses((status = 200, body = smp_core::Page<MigrationView>),
        (status = 400, description = "id.*, input.invalid: not a participant identifier, an unknown status or direction, \
            a negative offset"),
        (status = 403, description = "auth.admin_required")))]
pub(crate) async fn list(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    query: web::Query<MigrationFilter>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let page = web::block(move || domain.migrations().list_migrations(&actor, &query)).await??;
    Ok(HttpResponse::Ok().json(page))
}

/// One migration: direction, status, history, errors, next steps.
#[utoipa::path(get, path = "/api/v1/migrations/{id}", tag = "migrations", operation_id = "getMigration",
    params(("id" = String, Path)),
    responses((status = 200, body = MigrationView), (status = 404, description = "migration.not_found (also: another user's)")))]
pub(crate) async fn get(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let view = web::block(move || domain.migrations().migration(&actor, &path)).await??;
    Ok(HttpResponse::Ok().json(view))
}

/// Check now (run the next step instead of waiting for the worker).
#[utoipa::path(post, path = "/api/v1/migrations/{id}/check", tag = "migrations", operation_id = "checkMigration",
    params(("id" = String, Path)),
    responses((status = 200, body = MigrationView), (status = 404, description = "migration.not_found (also: another user's)"),
        (status = 503, description = "sml.off: no SML is configured")))]
pub(crate) async fn check(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let view = web::block(move || domain.migrations().check_migration(&actor, &path)).await??;
    Ok(HttpResponse::Ok().json(view))
}

/// Retry a failed inbound migration.
#[utoipa::path(post, path = "/api/v1/migrations/{id}/retry", tag = "migrations", operation_id = "retryMigration",
    params(("id" = String, Path)),
    responses((status = 200, body = MigrationView), (status = 404, description = "migration.not_found (also: another user's)"),
        (status = 409, description = "migration.invalid_state: not a failed inbound migration, participant.exists"),
        (status = 503, description = "sml.off: no SML is configured")))]
pub(crate) async fn retry(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let view = web::block(move || domain.migrations().retry_migration(&actor, &path)).await??;
    Ok(HttpResponse::Ok().json(view))
}

/// Cancel an open migration (outbound: migrates the participant back to this SMP).
#[utoipa::path(post, path = "/api/v1/migrations/{id}/cancel", tag = "migrations", operation_id = "cancelMigration",
    params(("id" = String, Path)),
    responses((status = 200, body = MigrationView), (status = 404, description = "migration.not_found (also: another user's)"),
        (status = 409, description = "migration.invalid_state: not an open migration"),
        (status = 422, description = "sml.err_nnn: the SML refused to migrate the participant back"),
        (status = 503, description = "sml.*: the SML is unavailable; nothing changed")))]
pub(crate) async fn cancel(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let view = web::block(move || domain.migrations().cancel_migration(&actor, &path)).await??;
    Ok(HttpResponse::Ok().json(view))
}

/// The key of a prepared outbound migration. A key is shown once when it is prepared;
/// this is the explicit way to see it again, and every call is written to the audit log.
#[utoipa::path(post, path = "/api/v1/migrations/{id}/reveal-key", tag = "migrations", operation_id = "revealMigrationKey",
    params(("id" = String, Path)),
    responses((status = 200, body = party_config::RevealedKey), (status = 404, description = "migration.not_found (also: another user's)"),
        (status = 409, description = "migration.invalid_state: not a prepared outbound migration"),
        (status = 500, description = "internal.sealed_key: the stored key cannot be unsealed (migration.key_file)")))]
pub(crate) async fn reveal_key(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let key = web::block(move || domain.migrations().reveal_key(&actor, &path)).await??;
    Ok(HttpResponse::Ok().json(key))
}

/// Many inbound migrations at once.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BulkRequest {
    /// 1 to 100 000 migrations; the body is refused at the item past the limit, while it
    /// is read.
    #[serde(deserialize_with = "party_config::bulk_items")]
    #[schema(min_items = 1, max_items = 100_000)]
    items: Vec<NewInboundMigration>,
}

/// Start a bulk inbound migration; follow it with `GET /api/v1/migrations/bulk/{id}`.
#[utoipa::path(post, path = "/api/v1/migrations/bulk", tag = "migrations", operation_id = "createBulkMigration",
    request_body = BulkRequest,
    responses((status = 202, body = BulkView, description = "started; items that cannot start are listed in `rejected`"),
        (status = 503, description = "sml.off: no SML is configured")))]
pub(crate) async fn bulk(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    body: web::Json<BulkRequest>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let view = web::block(move || domain.migrations().create_bulk(&actor, &body.items)).await??;
    Ok(HttpResponse::Accepted().json(view))
}

/// Progress of a bulk migration.
#[utoipa::path(get, path = "/api/v1/migrations/bulk/{id}", tag = "migrations", operation_id = "getBulkMigration",
    params(("id" = String, Path)),
    responses((status = 200, body = BulkView), (status = 404, description = "migration.not_found: no such bulk, or not yours")))]
pub(crate) async fn bulk_progress(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let domain = state.domain.clone();
    let view = web::block(move || domain.migrations().bulk(&actor, &path)).await??;
    Ok(HttpResponse::Ok().json(view))
}
