//! Peppol process identifiers (`cenbii-procid-ubl::…`).

use std::fmt;
use std::str::FromStr;

use crate::error::{IdError, IdErrorKind};
use crate::syntax::{self, Charset, SEPARATOR};

/// A validated Peppol process identifier, e.g.
/// `cenbii-procid-ubl::urn:fdc:peppol.eu:2017:poacc:billing:01:1.0`.
///
/// Process identifiers are case-sensitive in scheme and value.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProcessId {
    scheme: String,
    value: String,
}

impl ProcessId {
    /// The scheme of Peppol process identifiers.
    pub const CENBII_PROCID_UBL: &'static str = "cenbii-procid-ubl";

    /// The scheme of the special "no process" identifier.
    pub const BUSDOX_PROCID_UBL: &'static str = "busdox-procid-ubl";

    /// The value of the special "no process" identifier, used with [`Self::BUSDOX_PROCID_UBL`]
    /// by document types that are exchanged outside any process.
    pub const NO_PROCESS: &'static str = "busdox:noprocess";

    /// The longest value allowed.
    pub const MAX_VALUE_LEN: usize = 200;

    const SCHEMES: &'static [&'static str] = &[Self::CENBII_PROCID_UBL, Self::BUSDOX_PROCID_UBL];

    /// Validates a process identifier given as scheme and value.
    ///
    /// The scheme must be `cenbii-procid-ubl` or `busdox-procid-ubl` exactly; the value must be
    /// 1 to 200 characters without whitespace or control characters.
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

    /// Parses `scheme::value`, splitting at the first `::`.
    ///
    /// # Errors
    ///
    /// [`IdErrorKind::MissingSeparator`] without `::`, otherwise as [`new`](Self::new).
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let (scheme, value) = syntax::split(s).map_err(|kind| IdError::new(s, kind))?;
        Self::new(scheme, value)
    }

    /// The special `busdox-procid-ubl::busdox:noprocess` identifier.
    pub fn no_process() -> Self {
        Self {
            scheme: Self::BUSDOX_PROCID_UBL.to_owned(),
            value: Self::NO_PROCESS.to_owned(),
        }
    }

    /// Whether this is the special "no process" identifier.
    pub fn is_no_process(&self) -> bool {
        self.scheme == Self::BUSDOX_PROCID_UBL && self.value == Self::NO_PROCESS
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
}

impl fmt::Display for ProcessId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{SEPARATOR}{}", self.scheme, self.value)
    }
}

impl fmt::Debug for ProcessId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ProcessId")
            .field(&format_args!("{self}"))
            .finish()
    }
}

impl FromStr for ProcessId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_billing_process() {
        let p = ProcessId::parse("cenbii-procid-ubl::urn:fdc:peppol.eu:2017:poacc:billing:01:1.0")
            .unwrap();
        assert_eq!(p.scheme(), "cenbii-procid-ubl");
        assert_eq!(p.value(), "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0");
        assert_eq!(
            p.key(),
            "cenbii-procid-ubl::urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
        );
        assert_eq!(
            p,
            ProcessId::new(
                "cenbii-procid-ubl",
                "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
            )
            .unwrap()
        );
        assert!(!p.is_no_process());
    }

    #[test]
    fn no_process() {
        let p = ProcessId::parse("busdox-procid-ubl::busdox:noprocess").unwrap();
        assert!(p.is_no_process());
        assert_eq!(p, ProcessId::no_process());
        assert_eq!(
            ProcessId::no_process().to_string(),
            "busdox-procid-ubl::busdox:noprocess"
        );
    }

    #[test]
    fn case_sensitive() {
        let a = ProcessId::parse("cenbii-procid-ubl::urn:X").unwrap();
        let b = ProcessId::parse("cenbii-procid-ubl::urn:x").unwrap();
        assert_ne!(a, b);
        assert_eq!(
            ProcessId::parse("CENBII-procid-ubl::urn:x")
                .unwrap_err()
                .code(),
            "id.unknown_scheme"
        );
    }

    #[test]
    fn refuses_bad_values() {
        let code = |s: &str| ProcessId::parse(s).unwrap_err().code();
        assert_eq!(code("urn:x"), "id.missing_separator");
        assert_eq!(code("::urn:x"), "id.empty_scheme");
        assert_eq!(code("cenbii-procid-ubl::"), "id.empty_value");
        assert_eq!(code("cenbii-procid-ubl::a\nb"), "id.invalid_character");
        assert_eq!(
            code(&format!("cenbii-procid-ubl::{}", "x".repeat(201))),
            "id.too_long"
        );
        assert!(ProcessId::parse(&format!("cenbii-procid-ubl::{}", "x".repeat(200))).is_ok());
    }
}
