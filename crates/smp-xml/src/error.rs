//! The one error type of this crate.

use peppol_id::IdError;

/// Everything that can go wrong while reading, writing, signing or verifying SMP XML.
///
/// Variants are grouped by who must act: the sender of the document (input errors), the
/// remote SMP whose signature we check (`dsig.*`), or the operator who configured the
/// signing key (`sign.key`). [`XmlError::code`] gives a stable string for each variant.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum XmlError {
    /// The input is not well-formed XML (or not UTF-8). The sender must fix the document.
    #[error("malformed XML: {detail}")]
    Malformed {
        /// What the parser tripped over, with a position where known.
        detail: String,
    },
    /// The input carries a DOCTYPE or an entity reference other than the five predefined
    /// ones. Refused outright to rule out XXE and entity-expansion attacks.
    #[error("DTDs and custom entities are not accepted: {detail}")]
    DtdForbidden {
        /// The construct that was refused.
        detail: String,
    },
    /// The input is larger than [`crate::ParseOptions::max_bytes`].
    #[error("document of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The configured limit.
        limit: usize,
    },
    /// The document exceeds one of the structural limits of [`crate::ParseOptions`]
    /// (nesting, element or attribute counts, namespace URI length, rendered size). These
    /// limits keep the memory and time a document costs proportional to its size; a
    /// genuine SMP document stays far below them, so the sender must simplify the document
    /// (or the operator raise the limit named by [`Limit`]).
    #[error("document exceeds the limit of {max} {limit}")]
    LimitExceeded {
        /// Which limit.
        limit: Limit,
        /// The configured maximum.
        max: usize,
    },
    /// The root element is not the expected element in the expected namespace.
    #[error("root element is {{{found_ns}}}{found}, expected {{{expected_ns}}}{expected}")]
    WrongNamespace {
        /// Expected local name of the root.
        expected: &'static str,
        /// Expected namespace URI of the root.
        expected_ns: &'static str,
        /// Local name found.
        found: String,
        /// Namespace URI found (empty if none).
        found_ns: String,
    },
    /// An element appears where the schema does not allow it.
    #[error("unexpected {found} at {path}: {expected}")]
    UnexpectedElement {
        /// Path of the parent element.
        path: String,
        /// What was found (qualified name or "text").
        found: String,
        /// What the schema allows at this point.
        expected: String,
    },
    /// A required element or attribute is absent.
    #[error("missing {expected} in {path}")]
    MissingElement {
        /// Path of the parent element.
        path: String,
        /// The missing element or attribute.
        expected: String,
    },
    /// A participant, document type or process identifier is invalid.
    #[error("invalid identifier at {path}: {source}")]
    InvalidIdentifier {
        /// Path of the identifier element.
        path: String,
        /// Why peppol-id refused it.
        source: IdError,
    },
    /// An endpoint certificate is not base64-encoded DER X.509.
    #[error("invalid certificate at {path}: {detail}")]
    InvalidCertificate {
        /// Path of the Certificate element.
        path: String,
        /// Why it was refused.
        detail: String,
    },
    /// A simple value (boolean, dateTime, required text, code) is invalid.
    #[error("invalid value at {path}: expected {expected}, found {found:?}")]
    InvalidValue {
        /// Path of the element or attribute.
        path: String,
        /// What the schema requires.
        expected: &'static str,
        /// The value found.
        found: String,
    },
    /// The signature does not verify: the document was changed after signing, the digest
    /// or signature value is wrong, or the key does not match.
    #[error("signature is invalid: {reason}")]
    DsigInvalid {
        /// Why verification failed.
        reason: String,
    },
    /// The document carries no XML signature.
    #[error("document is not signed: {detail}")]
    DsigMissing {
        /// What was looked for.
        detail: String,
    },
    /// The signature uses a construct this crate does not verify (e.g. several
    /// references, or a reference that does not cover the whole document).
    #[error("unsupported signature: {detail}")]
    DsigUnsupported {
        /// The unsupported construct.
        detail: String,
    },
    /// The signing certificate or key is unusable. The operator must fix the key
    /// configuration (PEM files, key/certificate pair, RSA key).
    #[error("signing key problem: {detail}")]
    SigningKey {
        /// What is wrong with the key or certificate.
        detail: String,
    },
}

/// The structural limits of [`crate::ParseOptions`], each with its own error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// Element nesting ([`crate::ParseOptions::max_depth`]), code `xml.limit.depth`.
    Depth,
    /// Elements in the document ([`crate::ParseOptions::max_elements`]), code
    /// `xml.limit.elements`.
    Elements,
    /// Attributes, namespace declarations included, on one element
    /// ([`crate::ParseOptions::max_element_attributes`]), code `xml.limit.element_attributes`.
    ElementAttributes,
    /// Attributes, namespace declarations included, in the document
    /// ([`crate::ParseOptions::max_attributes`]), code `xml.limit.attributes`.
    Attributes,
    /// Bytes in one namespace URI ([`crate::ParseOptions::max_namespace_uri_bytes`]), code
    /// `xml.limit.namespace_uri`.
    NamespaceUri,
    /// Namespace declarations in the document
    /// ([`crate::ParseOptions::max_namespace_declarations`]), code
    /// `xml.limit.namespace_declarations`.
    NamespaceDeclarations,
    /// Namespace bindings in scope summed over the elements
    /// ([`crate::ParseOptions::max_namespace_scope`]), code `xml.limit.namespace_scope`.
    NamespaceScope,
    /// Bytes of the document as Ferry renders it ([`crate::ParseOptions::max_output_bytes`]
    /// and [`crate::ParseOptions::max_output_ratio`]), code `xml.limit.output`.
    Output,
}

impl Limit {
    /// Stable machine-readable code, also returned by [`XmlError::code`].
    pub fn code(self) -> &'static str {
        match self {
            Self::Depth => "xml.limit.depth",
            Self::Elements => "xml.limit.elements",
            Self::ElementAttributes => "xml.limit.element_attributes",
            Self::Attributes => "xml.limit.attributes",
            Self::NamespaceUri => "xml.limit.namespace_uri",
            Self::NamespaceDeclarations => "xml.limit.namespace_declarations",
            Self::NamespaceScope => "xml.limit.namespace_scope",
            Self::Output => "xml.limit.output",
        }
    }
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Depth => "nesting levels",
            Self::Elements => "elements",
            Self::ElementAttributes => "attributes on one element",
            Self::Attributes => "attributes in the document",
            Self::NamespaceUri => "bytes in a namespace URI",
            Self::NamespaceDeclarations => "namespace declarations",
            Self::NamespaceScope => "namespace bindings in scope, summed over the elements",
            Self::Output => "bytes of rendered output",
        })
    }
}

impl XmlError {
    /// Stable machine-readable code for this error, mapped to HTTP responses by the server.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed { .. } => "xml.malformed",
            Self::DtdForbidden { .. } => "xml.dtd_forbidden",
            Self::TooLarge { .. } => "xml.too_large",
            Self::LimitExceeded { limit, .. } => limit.code(),
            Self::WrongNamespace { .. } => "xml.wrong_namespace",
            Self::UnexpectedElement { .. } => "xml.unexpected_element",
            Self::MissingElement { .. } => "xml.missing_element",
            Self::InvalidIdentifier { .. } => "xml.invalid_identifier",
            Self::InvalidCertificate { .. } => "xml.invalid_certificate",
            Self::InvalidValue { .. } => "xml.invalid_value",
            Self::DsigInvalid { .. } => "dsig.invalid",
            Self::DsigMissing { .. } => "dsig.missing",
            Self::DsigUnsupported { .. } => "dsig.unsupported",
            Self::SigningKey { .. } => "sign.key",
        }
    }

    /// The identifier error behind an `xml.invalid_identifier`, so its own code stays reachable.
    pub fn id_error(&self) -> Option<&IdError> {
        match self {
            Self::InvalidIdentifier { source, .. } => Some(source),
            _ => None,
        }
    }

    /// True for errors caused by the submitted document (as opposed to signature or key errors).
    pub fn is_input_error(&self) -> bool {
        self.code().starts_with("xml.")
    }

    pub(crate) fn malformed(detail: impl Into<String>) -> Self {
        Self::Malformed {
            detail: detail.into(),
        }
    }

    pub(crate) fn limit(limit: Limit, max: usize) -> Self {
        Self::LimitExceeded { limit, max }
    }

    pub(crate) fn invalid_value(path: &str, expected: &'static str, found: &str) -> Self {
        Self::InvalidValue {
            path: path.to_owned(),
            expected,
            found: found.to_owned(),
        }
    }

    pub(crate) fn signing_key(detail: impl Into<String>) -> Self {
        Self::SigningKey {
            detail: detail.into(),
        }
    }
}
