//! The JSON management API under `/api/v1`.

mod audit;
mod events;
mod migrations;
mod openapi;
pub(crate) mod parking;
mod participants;
mod path_ids;
mod profiles;
mod users;
mod webhooks;

use actix_web::{HttpResponse, web};
use utoipa::OpenApi;

use crate::problem::Problem;
use openapi::Conventions;

#[derive(OpenApi)]
#[openapi(
    info(title = "Ferry management API", description = "Participants, capabilities, endpoint profiles, users and tokens. \
        Errors are application/problem+json with a stable `code`. The Peppol SMP 1.x API (XML) lives at the root of the \
        base path and is described by the Peppol SMP specification."),
    paths(
        participants::create, participants::list, participants::get, participants::delete,
        participants::add_capability, participants::remove_capability,
        profiles::create, profiles::list, profiles::get, profiles::update, profiles::delete,
        users::create, users::list, users::delete, users::create_token, users::list_tokens, users::delete_token,
        audit::list,
        webhooks::create, webhooks::list, webhooks::delete, webhooks::deliveries, events::list,
        migrations::migration_key, migrations::prepare_to_migrate, migrations::create, migrations::party_config,
        migrations::list, migrations::get, migrations::check, migrations::retry, migrations::cancel,
        migrations::reveal_key,
        migrations::bulk, migrations::bulk_progress,
        parking::collect, parking::callers, parking::caller, parking::reactivate, parking::set_quota,
        parking::schedule, parking::unschedule, parking::limits, parking::set_limits, parking::collections,
        parking::set_lifecycle,
    ),
    modifiers(&Security, &Conventions),
    security(("bearer" = []), ("basic" = []))
)]
pub(crate) struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Basic)),
        );
    }
}

async fn openapi() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

fn json_error(
    err: actix_web::error::JsonPayloadError,
    _: &actix_web::HttpRequest,
) -> actix_web::Error {
    Problem::new(
        actix_web::http::StatusCode::BAD_REQUEST,
        "input.invalid",
        format!("invalid JSON body: {err}"),
    )
    .into()
}

fn query_error(
    err: actix_web::error::QueryPayloadError,
    _: &actix_web::HttpRequest,
) -> actix_web::Error {
    Problem::new(
        actix_web::http::StatusCode::BAD_REQUEST,
        "input.invalid",
        format!("invalid query: {err}"),
    )
    .into()
}

fn path_error(err: actix_web::error::PathError, _: &actix_web::HttpRequest) -> actix_web::Error {
    Problem::new(
        actix_web::http::StatusCode::BAD_REQUEST,
        "input.invalid",
        format!("invalid path: {err}"),
    )
    .into()
}

/// Registers the parking listener's one route (`GET /api/v1/migration-tokens/{participant}`).
pub(crate) fn configure_tokens(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .app_data(web::PathConfig::default().error_handler(path_error))
            .route(
                "/migration-tokens/{participant}",
                web::get().to(parking::collect),
            )
            .default_service(web::to(|| async {
                Err::<HttpResponse, Problem>(Problem::new(
                    actix_web::http::StatusCode::NOT_FOUND,
                    "http.not_found",
                    "this listener serves GET /api/v1/migration-tokens/{participant} only",
                ))
            })),
    );
}

/// Registers the JSON API routes.
pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .app_data(
                web::JsonConfig::default()
                    .limit(4 * 1024 * 1024)
                    .error_handler(json_error),
            )
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .route("/openapi.json", web::get().to(openapi))
            .route("/participants", web::post().to(participants::create))
            .route("/participants", web::get().to(participants::list))
            .route(
                "/participants/{participant}",
                web::get().to(participants::get),
            )
            .route(
                "/participants/{participant}",
                web::delete().to(participants::delete),
            )
            .route(
                "/participants/{participant}/capabilities",
                web::post().to(participants::add_capability),
            )
            .route(
                "/participants/{participant}/capabilities/{document_type}",
                web::delete().to(participants::remove_capability),
            )
            .route("/endpoint-profiles", web::post().to(profiles::create))
            .route("/endpoint-profiles", web::get().to(profiles::list))
            .route("/endpoint-profiles/{name}", web::get().to(profiles::get))
            .route("/endpoint-profiles/{name}", web::put().to(profiles::update))
            .route(
                "/endpoint-profiles/{name}",
                web::delete().to(profiles::delete),
            )
            .route("/users", web::post().to(users::create))
            .route("/users", web::get().to(users::list))
            .route("/users/{username}", web::delete().to(users::delete))
            .route(
                "/users/{username}/tokens",
                web::post().to(users::create_token),
            )
            .route(
                "/users/{username}/tokens",
                web::get().to(users::list_tokens),
            )
            .route(
                "/users/{username}/tokens/{id}",
                web::delete().to(users::delete_token),
            )
            .route("/audit", web::get().to(audit::list))
            .route("/webhooks", web::post().to(webhooks::create))
            .route("/webhooks", web::get().to(webhooks::list))
            .route("/webhooks/{id}", web::delete().to(webhooks::delete))
            .route(
                "/webhooks/{id}/deliveries",
                web::get().to(webhooks::deliveries),
            )
            .route("/events", web::get().to(events::list))
            .route(
                "/participants/{participant}/migration-key",
                web::post().to(migrations::migration_key),
            )
            .route(
                "/peppol/{participant}/prepareToMigrate",
                web::get().to(migrations::prepare_to_migrate),
            )
            .route(
                "/peppol/config/party/{participant}",
                web::put().to(migrations::party_config),
            )
            .route("/migrations", web::post().to(migrations::create))
            .route("/migrations", web::get().to(migrations::list))
            .service(
                web::resource("/migrations/bulk")
                    // A bulk of 10 000 participants with inline capabilities is tens of MiB.
                    .app_data(
                        web::JsonConfig::default()
                            .limit(64 * 1024 * 1024)
                            .error_handler(json_error),
                    )
                    .route(web::post().to(migrations::bulk)),
            )
            .route(
                "/migrations/bulk/{id}",
                web::get().to(migrations::bulk_progress),
            )
            .route("/migrations/{id}", web::get().to(migrations::get))
            .route("/migrations/{id}/check", web::post().to(migrations::check))
            .route("/migrations/{id}/retry", web::post().to(migrations::retry))
            .route(
                "/migrations/{id}/cancel",
                web::post().to(migrations::cancel),
            )
            .route(
                "/migrations/{id}/reveal-key",
                web::post().to(migrations::reveal_key),
            )
            .configure(parking::configure_operators)
            .app_data(web::PathConfig::default().error_handler(path_error))
            .default_service(web::to(|| async {
                Err::<HttpResponse, Problem>(Problem::new(
                    actix_web::http::StatusCode::NOT_FOUND,
                    "http.not_found",
                    "no such API route",
                ))
            })),
    );
}
