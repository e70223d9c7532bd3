//! The Peppol SMP 1.x API: public reads and the phoss-SMP compatible writes, on the same paths.

use std::sync::Arc;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use smp_core::DomainError;
use smp_core::{
    DocumentKey, PublishedDocument, business_card_key, service_group_key, service_metadata_key,
};

use crate::auth::authenticate;
use crate::metrics::Area;
use crate::problem::Problem;
use crate::state::AppState;
use crate::target::{Target, parse_target};

/// Every request the explicit routes did not take lands here.
pub(crate) async fn dispatch(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let is_read = matches!(*req.method(), Method::GET | Method::HEAD);
    let response = match handle(&req, payload, &state, is_read).await {
        Ok(r) => r,
        Err(p) => actix_web::ResponseError::error_response(&p),
    };
    state.metrics.count(
        if is_read { Area::Read } else { Area::Manage },
        response.status().as_u16(),
    );
    response
}

async fn handle(
    req: &HttpRequest,
    payload: web::Payload,
    state: &web::Data<AppState>,
    is_read: bool,
) -> Result<HttpResponse, Problem> {
    let path = req.uri().path();
    let Some(rest) = path.strip_prefix(state.base_path.as_str()) else {
        return Err(no_route());
    };
    let target = parse_target(rest)?.ok_or_else(no_route)?;
    if is_read {
        return read(req, state, &target).await;
    }
    match *req.method() {
        Method::PUT => put(req, payload, state, target).await,
        Method::DELETE => delete(req, state, target).await,
        _ => Err(Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "http.method_not_allowed",
            "use GET, PUT or DELETE",
        )),
    }
}

fn no_route() -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "http.not_found", "no such resource")
}

/// The hot path: cached bytes with no database access and no blocking.
async fn read(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    target: &Target,
) -> Result<HttpResponse, Problem> {
    let key = match target {
        Target::ServiceGroup(p) => service_group_key(p),
        Target::ServiceMetadata(p, d) => service_metadata_key(p, d),
        Target::BusinessCard(p) => business_card_key(p),
    };
    let doc = match state.domain.core().documents().cached(&key) {
        Some(doc) => doc,
        None => load(state, key)
            .await?
            .ok_or_else(|| Problem::from(not_published(target)))?,
    };
    Ok(respond(req, &doc))
}

/// Why nothing is published for `target`, as the domain says it.
fn not_published(target: &Target) -> DomainError {
    match target {
        Target::ServiceGroup(p) => DomainError::ParticipantNotFound {
            participant: p.to_string(),
        },
        Target::ServiceMetadata(p, d) => DomainError::ServiceNotFound {
            participant: p.to_string(),
            document_type: d.to_string(),
        },
        Target::BusinessCard(p) => DomainError::BusinessCardNotFound {
            participant: p.to_string(),
        },
    }
}

async fn load(
    state: &web::Data<AppState>,
    key: DocumentKey,
) -> Result<Option<Arc<PublishedDocument>>, Problem> {
    // An embedded SQLite read is a local B-tree lookup that never waits for a writer (WAL):
    // handing it to the blocking pool would cost more in thread switches than the read
    // itself. A PostgreSQL read waits on the network, so it must not hold the worker.
    if state.domain.core().documents().reads_are_local() {
        return Ok(state.domain.core().documents().load(&key)?);
    }
    let domain = state.domain.clone();
    Ok(web::block(move || domain.core().documents().load(&key)).await??)
}

fn respond(req: &HttpRequest, doc: &PublishedDocument) -> HttpResponse {
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == doc.etag || t.trim() == "*")
        });
    let mut builder = HttpResponse::build(if matches {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    });
    if let Ok(etag) = HeaderValue::from_str(&doc.etag) {
        builder.insert_header((header::ETAG, etag));
    }
    if let Ok(modified) = HeaderValue::from_str(&doc.last_modified) {
        builder.insert_header((header::LAST_MODIFIED, modified));
    }
    if matches {
        return builder.finish();
    }
    builder.insert_header((
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=UTF-8"),
    ));
    if *req.method() == Method::HEAD {
        return builder.finish();
    }
    builder.body(doc.content.clone())
}

/// Reads at most `limit` bytes of body; a larger body is refused before it is parsed.
async fn read_body(mut payload: web::Payload, limit: usize) -> Result<web::BytesMut, Problem> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "http.body",
                format!("could not read the body: {e}"),
            )
        })?;
        if body.len() + chunk.len() > limit {
            return Err(Problem::too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

async fn put(
    req: &HttpRequest,
    payload: web::Payload,
    state: &web::Data<AppState>,
    target: Target,
) -> Result<HttpResponse, Problem> {
    let actor = authenticate(req, state).await?;
    let register_in_sml = !create_in_sml_disabled(req.query_string());
    let body = read_body(payload, state.max_body_bytes).await?;
    let domain = state.domain.clone();
    web::block(move || -> Result<(), Problem> {
        let opts = domain.core().parse_options();
        match target {
            Target::ServiceGroup(p) => {
                let group = smp_xml::parse_service_group(&body, opts)?;
                domain.core().participants().put_service_group(
                    &actor,
                    &p,
                    &group,
                    register_in_sml,
                )?;
            }
            Target::ServiceMetadata(p, d) => {
                let metadata = smp_xml::parse_service_metadata(&body, opts)?;
                domain
                    .core()
                    .participants()
                    .put_service_metadata(&actor, &p, &d, &metadata)?;
            }
            Target::BusinessCard(p) => {
                let card = smp_xml::parse_business_card(&body, opts)?;
                domain
                    .core()
                    .participants()
                    .put_business_card(&actor, &p, &card)?;
            }
        }
        Ok(())
    })
    .await??;
    Ok(HttpResponse::Ok().finish())
}

async fn delete(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    target: Target,
) -> Result<HttpResponse, Problem> {
    let actor = authenticate(req, state).await?;
    let domain = state.domain.clone();
    web::block(move || match target {
        Target::ServiceGroup(p) => domain.core().participants().delete_participant(&actor, &p),
        Target::ServiceMetadata(p, d) => domain
            .core()
            .participants()
            .delete_service_metadata(&actor, &p, &d),
        Target::BusinessCard(p) => domain
            .core()
            .participants()
            .delete_business_card(&actor, &p),
    })
    .await??;
    Ok(HttpResponse::Ok().finish())
}

/// phoss-SMP's `?create-in-sml=false`: create the participant locally only.
fn create_in_sml_disabled(query: &str) -> bool {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .any(|(k, v)| k.eq_ignore_ascii_case("create-in-sml") && v.eq_ignore_ascii_case("false"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn create_in_sml_flag() {
        assert!(super::create_in_sml_disabled("create-in-sml=false"));
        assert!(super::create_in_sml_disabled("a=b&create-in-sml=FALSE"));
        assert!(!super::create_in_sml_disabled("create-in-sml=true"));
        assert!(!super::create_in_sml_disabled(""));
    }
}
