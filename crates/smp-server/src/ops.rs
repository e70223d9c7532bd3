//! `/health` and `/metrics`.

use actix_web::{HttpResponse, web};
use serde_json::json;
use smp_core::workers::WorkerState;

use crate::state::AppState;

/// 200 when the database answers and every background worker is running, 503 otherwise;
/// the body names each worker with its state and restart count.
pub(crate) async fn health(state: web::Data<AppState>) -> HttpResponse {
    let domain = state.domain.clone();
    let workers = state.supervisor.health();
    let workers_ok = workers.iter().all(|w| w.state != WorkerState::Restarting);
    let database = match web::block(move || domain.core().health()).await {
        Ok(Ok(())) => "ok",
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check: database unavailable");
            "error"
        }
        Err(_) => "unknown",
    };
    let healthy = database == "ok" && workers_ok;
    let body = json!({
        "status": if healthy { "ok" } else { "unavailable" },
        "database": database,
        "workers": workers,
    });
    if healthy {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// Prometheus exposition.
pub(crate) async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(
            state.metrics.render(
                state.domain.core(),
                &state.supervisor.health(),
                &state
                    .domain
                    .parking()
                    .map(|desk| desk.rejected_requests())
                    .unwrap_or_default(),
            ),
        )
}
