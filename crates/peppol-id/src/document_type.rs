//! Peppol document type identifiers (`busdox-docid-qns::…`, `peppol-doctype-wildcard::…`).

use std::fmt;
use std::str::FromStr;

use crate::error::{IdError, IdErrorKind};
use crate::percent_encoding::{percent_decode_segment, percent_encode_segment};
use crate::syntax::{self, Charset, SEPARATOR};

/// A validated Peppol document type identifier, e.g.
/// `busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1`.
///
/// Document type identifiers are case-sensitive in scheme and value: equality, hashing and
/// ordering compare them exactly.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentTypeId {
    scheme: String,
    value: String,
}

impl DocumentTypeId {
    /// The scheme of ordinary document types.
    pub const BUSDOX_DOCID_QNS: &'static str = "busdox-docid-qns";

    /// The scheme of wildcard document types (policy 4.x, section 5.5).
    pub const PEPPOL_DOCTYPE_WILDCARD: &'static str = "peppol-doctype-wildcard";

    /// The longest value allowed.
    pub const MAX_VALUE_LEN: usize = 500;

    const SCHEMES: &'static [&'static str] =
        &[Self::BUSDOX_DOCID_QNS, Self::PEPPOL_DOCTYPE_WILDCARD];

    /// Validates a document type identifier given as scheme and value.
    ///
    /// The scheme must be `busdox-docid-qns` or `peppol-doctype-wildcard` exactly; the value
    /// must be 1 to 500 characters without whitespace or control characters.
    ///
    /// # Errors
    ///
    /// An [`IdError`] whose kind says which rule the identifier breaks.
    pub fn new(scheme: &str, value: &str) -> Result<Self, IdError> {
        Self::validate(scheme, value)
            .map_err(|kind| IdError::new(format!("{scheme}{SEPARATOR}{value}"), kind))?;
        Ok(Self {
            scheme: scheme.to_owned(),
            value: value.to_owned(),
        })
    }

    fn validate(scheme: &str, value: &str) -> Result<(), IdErrorKind> {
        if scheme.is_empty() {
            return Err(IdErrorKind::EmptyScheme);
        }
        if !Self::SCHEMES.contains(&scheme) {
            return Err(IdErrorKind::UnknownScheme {
                scheme: scheme.to_owned(),
                expected: Self::SCHEMES,
            });
        }
        syntax::check_value(value, Self::MAX_VALUE_LEN, Charset::NoWhitespaceOrControl)
    }

    /// Parses `scheme::value`, splitting at the first `::` (the value itself usually contains
    /// more `::`).
    ///
    /// # Errors
    ///
    /// [`IdErrorKind::MissingSeparator`] without `::`, otherwise as [`new`](Self::new).
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let (scheme, value) = syntax::split(s).map_err(|kind| IdError::new(s, kind))?;
        Self::new(scheme, value)
    }

    /// Parses one raw (still percent-encoded) URL path segment.
    ///
    /// Some clients in the field leave out the scheme and send only the value. Schemes never
    /// contain `:`, so when the text before the first `::` does (or there is no `::`), the whole
    /// segment is taken as the value and the scheme is `busdox-docid-qns`.
    ///
    /// # Errors
    ///
    /// [`IdErrorKind::InvalidPercentEncoding`], otherwise as [`new`](Self::new).
    pub fn from_path_segment(seg: &str) -> Result<Self, IdError> {
        let decoded = percent_decode_segment(seg)?;
        match syntax::split(&decoded) {
            Ok((scheme, value)) if !scheme.contains(':') => Self::new(scheme, value),
            _ => Self::new(Self::BUSDOX_DOCID_QNS, &decoded),
        }
    }

    /// The scheme.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The value.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The key for storage and comparison: `scheme::value`, exactly as given.
    pub fn key(&self) -> String {
        self.to_string()
    }

    /// The key percent-encoded as one URL path segment.
    pub fn path_segment(&self) -> String {
        percent_encode_segment(&self.key())
    }

    /// Whether this is a `peppol-doctype-wildcard` document type.
    pub fn is_wildcard(&self) -> bool {
        self.scheme == Self::PEPPOL_DOCTYPE_WILDCARD
    }
}

impl fmt::Display for DocumentTypeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{SEPARATOR}{}", self.scheme, self.value)
    }
}

impl fmt::Debug for DocumentTypeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DocumentTypeId")
            .field(&format_args!("{self}"))
            .finish()
    }
}

impl FromStr for DocumentTypeId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVOICE_VALUE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1";

    fn invoice() -> DocumentTypeId {
        DocumentTypeId::new("busdox-docid-qns", INVOICE_VALUE).unwrap()
    }

    #[test]
    fn parses_at_first_separator() {
        let d = DocumentTypeId::parse(&format!("busdox-docid-qns::{INVOICE_VALUE}")).unwrap();
        assert_eq!(d, invoice());
        assert_eq!(d.scheme(), "busdox-docid-qns");
        assert_eq!(d.value(), INVOICE_VALUE);
        assert_eq!(d.key(), format!("busdox-docid-qns::{INVOICE_VALUE}"));
        assert!(!d.is_wildcard());
    }

    #[test]
    fn path_segment_encodes_hash_and_slash() {
        let d = DocumentTypeId::new("busdox-docid-qns", "urn:x/y#z").unwrap();
        assert_eq!(d.path_segment(), "busdox-docid-qns%3A%3Aurn%3Ax%2Fy%23z");
        assert_eq!(
            DocumentTypeId::from_path_segment(&d.path_segment()).unwrap(),
            d
        );
        assert_eq!(
            DocumentTypeId::from_path_segment(&invoice().path_segment()).unwrap(),
            invoice()
        );
    }

    #[test]
    fn from_path_segment_variants() {
        for seg in [
            "busdox-docid-qns%3A%3Aurn%3Aoasis%3Anames%3Aspecification%3Aubl%3Aschema%3Axsd%3AInvoice-2%3A%3AInvoice%23%23urn%3Acen.eu%3Aen16931%3A2017%23compliant%23urn%3Afdc%3Apeppol.eu%3A2017%3Apoacc%3Abilling%3A3.0%3A%3A2.1",
            "busdox-docid-qns%3a%3aurn%3aoasis%3anames%3aspecification%3aubl%3aschema%3axsd%3aInvoice-2%3a%3aInvoice%23%23urn%3acen.eu%3aen16931%3a2017%23compliant%23urn%3afdc%3apeppol.eu%3a2017%3apoacc%3abilling%3a3.0%3a%3a2.1",
            "busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice%23%23urn:cen.eu:en16931:2017%23compliant%23urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1",
            // without scheme, as some clients send it
            "urn%3Aoasis%3Anames%3Aspecification%3Aubl%3Aschema%3Axsd%3AInvoice-2%3A%3AInvoice%23%23urn%3Acen.eu%3Aen16931%3A2017%23compliant%23urn%3Afdc%3Apeppol.eu%3A2017%3Apoacc%3Abilling%3A3.0%3A%3A2.1",
            "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice%23%23urn:cen.eu:en16931:2017%23compliant%23urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1",
        ] {
            assert_eq!(
                DocumentTypeId::from_path_segment(seg).unwrap(),
                invoice(),
                "{seg}"
            );
        }
    }

    #[test]
    fn from_path_segment_without_any_separator() {
        let d = DocumentTypeId::from_path_segment("urn%3Ax%23y").unwrap();
        assert_eq!(d.to_string(), "busdox-docid-qns::urn:x#y");
        let d = DocumentTypeId::from_path_segment("plain").unwrap();
        assert_eq!(d.to_string(), "busdox-docid-qns::plain");
    }

    #[test]
    fn from_path_segment_keeps_unknown_scheme_an_error() {
        let err = DocumentTypeId::from_path_segment("BUSDOX-DOCID-QNS%3A%3Aurn%3Ax").unwrap_err();
        assert_eq!(err.code(), "id.unknown_scheme");
        assert_eq!(
            DocumentTypeId::from_path_segment("%3A%3Aurn%3Ax")
                .unwrap_err()
                .code(),
            "id.empty_scheme"
        );
        assert_eq!(
            DocumentTypeId::from_path_segment("%3A%3")
                .unwrap_err()
                .code(),
            "id.invalid_percent_encoding"
        );
    }

    #[test]
    fn wildcard_scheme() {
        let d =
            DocumentTypeId::parse("peppol-doctype-wildcard::urn:peppol:pint:billing-1@jp-1*::2.1")
                .unwrap();
        assert!(d.is_wildcard());
    }

    #[test]
    fn case_sensitive() {
        let lower = DocumentTypeId::new("busdox-docid-qns", &INVOICE_VALUE.to_lowercase()).unwrap();
        assert_ne!(lower, invoice());
        assert_ne!(lower.key(), invoice().key());
        assert_eq!(
            DocumentTypeId::parse("Busdox-docid-qns::x")
                .unwrap_err()
                .code(),
            "id.unknown_scheme"
        );
    }

    #[test]
    fn refuses_bad_values() {
        let code = |s: &str| DocumentTypeId::parse(s).unwrap_err().code();
        assert_eq!(code("urn:x"), "id.missing_separator");
        assert_eq!(code("busdox-docid-qns::"), "id.empty_value");
        assert_eq!(code("busdox-docid-qns::a b"), "id.invalid_character");
        assert_eq!(code("busdox-docid-qns::a\u{7f}"), "id.invalid_character");
        assert_eq!(
            code(&format!("busdox-docid-qns::{}", "x".repeat(501))),
            "id.too_long"
        );
        assert!(DocumentTypeId::parse(&format!("busdox-docid-qns::{}", "x".repeat(500))).is_ok());
        assert!(DocumentTypeId::parse("busdox-docid-qns::urn:ü").is_ok());
    }
}
