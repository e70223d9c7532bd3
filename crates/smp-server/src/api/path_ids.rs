//! Identifiers in JSON API paths, decoded exactly once.
//!
//! actix-web percent-decodes path parameters before a handler sees them; decoding the
//! identifier again made `%253A` mean `:` on `/api/v1` while the XML routes (which read the
//! raw path) refused it. These extractors take the segment as the client sent it and decode
//! it once, with the same rules as the SMP routes.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest};
use peppol_id::{DocumentTypeId, ParticipantId};

use crate::problem::Problem;

/// The `{participant}` path parameter.
#[derive(utoipa::IntoParams)]
#[into_params(names("participant"), parameter_in = Path)]
pub(crate) struct PathParticipant(
    /// `scheme::value`, percent-encoded (`%3A` or `:`); the scheme is case-insensitive.
    #[param(value_type = String, example = "iso6523-actorid-upis::0208:0123456749")]
    pub(crate) ParticipantId,
);

/// The `{document_type}` path parameter.
#[derive(utoipa::IntoParams)]
#[into_params(names("document_type"), parameter_in = Path)]
pub(crate) struct PathDocumentType(
    /// `scheme::value`, percent-encoded; without a scheme, `busdox-docid-qns` is assumed.
    #[param(
        value_type = String,
        example = "busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1"
    )]
    pub(crate) DocumentTypeId,
);

impl FromRequest for PathParticipant {
    type Error = Problem;
    type Future = Ready<Result<Self, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            raw_param(req, "participant")
                .and_then(|raw| Ok(Self(ParticipantId::from_path_segment(raw)?))),
        )
    }
}

impl FromRequest for PathDocumentType {
    type Error = Problem;
    type Future = Ready<Result<Self, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            raw_param(req, "document_type")
                .and_then(|raw| Ok(Self(DocumentTypeId::from_path_segment(raw)?))),
        )
    }
}

/// The still percent-encoded segment of the request path where the route pattern has
/// `{name}`.
pub(crate) fn raw_param<'a>(req: &'a HttpRequest, name: &str) -> Result<&'a str, Problem> {
    let missing = || Problem::new(StatusCode::NOT_FOUND, "http.not_found", "no such resource");
    let pattern = req.match_pattern().ok_or_else(missing)?;
    let wanted = format!("{{{name}}}");
    let index = pattern
        .split('/')
        .position(|segment| segment == wanted)
        .ok_or_else(missing)?;
    req.uri().path().split('/').nth(index).ok_or_else(missing)
}
