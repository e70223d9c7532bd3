//! Turning an `Authorization` header into a domain [`Actor`].

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use party_config::{Actor, DomainError};

use crate::problem::Problem;
use crate::state::AppState;

/// The authenticated caller; extracting it fails with 401 when credentials are missing or wrong.
pub(crate) struct Caller(pub(crate) Actor);

enum Credentials {
    Bearer(String),
    Basic(String, String),
}

fn credentials(req: &HttpRequest) -> Result<Credentials, DomainError> {
    let header = req
        .headers()
        .get(AUTHORIZATION)
        .ok_or(DomainError::AuthenticationMissing)?;
    let value = header
        .to_str()
        .map_err(|_| DomainError::AuthenticationFailed)?
        .trim();
    let (scheme, rest) = value
        .split_once(' ')
        .ok_or(DomainError::AuthenticationFailed)?;
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return Ok(Credentials::Bearer(rest.to_owned()));
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = data_encoding::BASE64
            .decode(rest.as_bytes())
            .map_err(|_| DomainError::AuthenticationFailed)?;
        let text = String::from_utf8(decoded).map_err(|_| DomainError::AuthenticationFailed)?;
        let (user, password) = text
            .split_once(':')
            .ok_or(DomainError::AuthenticationFailed)?;
        return Ok(Credentials::Basic(user.to_owned(), password.to_owned()));
    }
    Err(DomainError::AuthenticationFailed)
}

/// Authenticates a request against the domain (off the async threads: it hits the database).
pub(crate) async fn authenticate(
    req: &HttpRequest,
    state: &web::Data<AppState>,
) -> Result<Actor, Problem> {
    let creds = credentials(req)?;
    let domain = state.domain.clone();
    let actor = web::block(move || match creds {
        Credentials::Bearer(token) => domain.core().users().authenticate_bearer(&token),
        Credentials::Basic(user, password) => {
            domain.core().users().authenticate_basic(&user, &password)
        }
    })
    .await??;
    Ok(actor)
}

impl FromRequest for Caller {
    type Error = Problem;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| Problem::internal("application state missing"))?;
            authenticate(&req, &state).await.map(Caller)
        })
    }
}
