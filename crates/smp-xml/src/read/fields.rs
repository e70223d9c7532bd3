//! Readers for the pieces shared by several documents: the root check, identifiers,
//! extensions and endpoint certificates.

use peppol_id::{DocumentTypeId, IdError, ParticipantId, ProcessId};

use crate::read::options::{OutputBudget, ParticipantRules};

use crate::error::XmlError;
use crate::model::extension::Extension;
use crate::read::dom::Element;
use crate::read::walk::{self, Children};

/// Checks the root element's expanded name.
pub(crate) fn expect_root(
    root: &Element,
    ns: &'static str,
    local: &'static str,
) -> Result<(), XmlError> {
    if root.ns() != ns {
        return Err(XmlError::WrongNamespace {
            expected: local,
            expected_ns: ns,
            found: root.local_name().to_owned(),
            found_ns: root.ns().to_owned(),
        });
    }
    if root.local_name() != local {
        return Err(XmlError::UnexpectedElement {
            path: "/".to_owned(),
            found: root.display_name(),
            expected: format!("root element {{{ns}}}{local}"),
        });
    }
    Ok(())
}

/// `(scheme, value)` of an identifier element: `@scheme` and trimmed text.
fn scheme_and_value(el: &Element, path: &str) -> Result<(String, String), XmlError> {
    let scheme = el.attr("scheme").ok_or_else(|| XmlError::MissingElement {
        path: path.to_owned(),
        expected: "attribute scheme".to_owned(),
    })?;
    Ok((scheme.trim().to_owned(), walk::text_of(el, path)?))
}

fn wrap(path: &str) -> impl FnOnce(IdError) -> XmlError + '_ {
    move |source| XmlError::InvalidIdentifier {
        path: path.to_owned(),
        source,
    }
}

pub(crate) fn participant(
    el: &Element,
    path: &str,
    rules: ParticipantRules,
) -> Result<ParticipantId, XmlError> {
    let (scheme, value) = scheme_and_value(el, path)?;
    match rules {
        ParticipantRules::Policy => ParticipantId::new(&scheme, &value),
        ParticipantRules::AsPublished => ParticipantId::as_published(&scheme, &value),
    }
    .map_err(wrap(path))
}

pub(crate) fn document_type(el: &Element, path: &str) -> Result<DocumentTypeId, XmlError> {
    let (scheme, value) = scheme_and_value(el, path)?;
    DocumentTypeId::new(&scheme, &value).map_err(wrap(path))
}

pub(crate) fn process(el: &Element, path: &str) -> Result<ProcessId, XmlError> {
    let (scheme, value) = scheme_and_value(el, path)?;
    ProcessId::new(&scheme, &value).map_err(wrap(path))
}

/// The optional `Extension` element at the cursor: exactly one child element of any
/// namespace (`xs:any`).
pub(crate) fn extension(
    children: &mut Children<'_>,
    ns: &str,
    budget: &mut OutputBudget,
) -> Result<Option<Extension>, XmlError> {
    let Some(el) = children.optional(ns, "Extension") else {
        return Ok(None);
    };
    let path = children.child_path("Extension");
    let mut content = Children::of(el, &path)?;
    let inner = content.rest();
    match inner.as_slice() {
        [one] => Ok(Some(Extension::from_element((*one).clone(), budget)?)),
        [] => Err(XmlError::MissingElement {
            path,
            expected: "one extension element".to_owned(),
        }),
        [_, second, ..] => Err(XmlError::UnexpectedElement {
            path,
            found: second.display_name(),
            expected: "exactly one extension element".to_owned(),
        }),
    }
}

/// Endpoint certificate: base64 DER X.509, returned with whitespace removed.
pub(crate) fn certificate(el: &Element, path: &str) -> Result<String, XmlError> {
    let raw = walk::text_of(el, path)?;
    let b64: String = raw.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let invalid = |detail: String| XmlError::InvalidCertificate {
        path: path.to_owned(),
        detail,
    };
    if b64.is_empty() {
        return Err(invalid(
            "empty, expected a base64 DER X.509 certificate".to_owned(),
        ));
    }
    let der = data_encoding::BASE64
        .decode(b64.as_bytes())
        .map_err(|e| invalid(format!("not base64 ({e})")))?;
    match x509_parser::parse_x509_certificate(&der) {
        Ok(([], _)) => Ok(b64),
        Ok(_) => Err(invalid(
            "trailing bytes after the DER certificate".to_owned(),
        )),
        Err(e) => Err(invalid(format!("not a DER X.509 certificate ({e})"))),
    }
}
