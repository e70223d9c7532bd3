//! Which SMP document a raw request path names.
//!
//! The path is split by hand on the raw (still percent-encoded) URI: actix would decode
//! `%2F` inside a document type into a path separator, and identifiers need the tolerant
//! decoding of `peppol-id` anyway.

use peppol_id::{DocumentTypeId, IdError, ParticipantId};

/// A document addressed by the SMP API.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// `/{participant}` and `/{participant}/services`.
    ServiceGroup(ParticipantId),
    /// `/{participant}/services/{doctype}`.
    ServiceMetadata(ParticipantId, DocumentTypeId),
    /// `/businesscard/{participant}`.
    BusinessCard(ParticipantId),
}

/// Parses the part of the path after the base path. `Ok(None)` means "no such route".
pub(crate) fn parse_target(path: &str) -> Result<Option<Target>, IdError> {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    let segments: Vec<&str> = trimmed.split('/').collect();
    Ok(match segments.as_slice() {
        [""] => None,
        ["businesscard", p] => Some(Target::BusinessCard(ParticipantId::from_path_segment(p)?)),
        [p] | [p, "services"] | [p, "services", ""] => {
            Some(Target::ServiceGroup(ParticipantId::from_path_segment(p)?))
        }
        [p, "services", doctype @ ..] => {
            // Some clients do not encode the '/' that can occur in a document type.
            let doctype = doctype.join("/");
            Some(Target::ServiceMetadata(
                ParticipantId::from_path_segment(p)?,
                DocumentTypeId::from_path_segment(&doctype)?,
            ))
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = "iso6523-actorid-upis%3A%3A0088%3A5798000000001";
    const D: &str = "busdox-docid-qns%3A%3Aurn%3Aoasis%3Anames%3Aspecification%3Aubl%3Aschema%3Axsd%3AInvoice-2%3A%3AInvoice%23%23urn%3Acen.eu%3Aen16931%3A2017%3A%3A2.1";

    #[test]
    fn routes() {
        assert!(matches!(
            parse_target(&format!("/{P}")),
            Ok(Some(Target::ServiceGroup(_)))
        ));
        assert!(matches!(
            parse_target(&format!("/{P}/services")),
            Ok(Some(Target::ServiceGroup(_)))
        ));
        assert!(matches!(
            parse_target(&format!("/{P}/services/{D}")),
            Ok(Some(Target::ServiceMetadata(_, _)))
        ));
        assert!(matches!(
            parse_target(&format!("/businesscard/{P}")),
            Ok(Some(Target::BusinessCard(_)))
        ));
        assert!(matches!(parse_target("/"), Ok(None)));
        assert!(matches!(parse_target(&format!("/{P}/other")), Ok(None)));
        assert!(parse_target("/not-an-id").is_err());
    }

    #[test]
    fn encodings_agree() {
        let upper = parse_target(&format!("/{P}")).ok().flatten();
        let lower = parse_target(&format!(
            "/{}",
            P.replace("%3A", "%3a").to_uppercase().replace("%3A", "%3a")
        ))
        .ok()
        .flatten();
        let raw = parse_target("/iso6523-actorid-upis::0088:5798000000001")
            .ok()
            .flatten();
        assert!(upper.is_some());
        assert_eq!(upper, raw);
        assert_eq!(upper, lower);
    }
}
