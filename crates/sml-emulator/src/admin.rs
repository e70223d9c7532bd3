//! Plain-http admin endpoint on loopback: fault injection and a state dump.

use actix_web::{HttpResponse, web};

use crate::{fault_injection::FaultPlan, soap_service::AppState, store};

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/faults", web::post().to(set_faults))
        .route("/faults", web::delete().to(clear_faults))
        .route("/faults", web::get().to(get_faults))
        .route("/state", web::get().to(state_dump));
}

async fn set_faults(body: web::Bytes, state: web::Data<AppState>) -> HttpResponse {
    let plan: FaultPlan = match serde_json::from_slice(&body) {
        Ok(plan) => plan,
        Err(e) => {
            return HttpResponse::BadRequest().json(serde_json::json!({ "error": e.to_string() }));
        }
    };
    if let Err(e) = plan.validate() {
        return HttpResponse::BadRequest().json(serde_json::json!({ "error": e }));
    }
    HttpResponse::Ok().json(state.faults.merge(plan))
}

async fn clear_faults(state: web::Data<AppState>) -> HttpResponse {
    state.faults.clear();
    HttpResponse::NoContent().finish()
}

async fn get_faults(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(state.faults.current())
}

async fn state_dump(state: web::Data<AppState>) -> HttpResponse {
    let guard = state.db.clone().lock_owned().await;
    let dumped = web::block(move || {
        let mut guard = guard;
        store::dump(&mut guard)
    })
    .await;
    match dumped {
        Ok(Ok(dump)) => HttpResponse::Ok().json(dump),
        Ok(Err(e)) => {
            HttpResponse::InternalServerError().json(serde_json::json!({ "error": e.to_string() }))
        }
        Err(e) => {
            HttpResponse::InternalServerError().json(serde_json::json!({ "error": e.to_string() }))
        }
    }
}
