//! Peppol participant identifiers (`iso6523-actorid-upis::NNNN:identifier`).

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use crate::error::{IdError, IdErrorKind};
use crate::percent_encoding::{percent_decode_segment, percent_encode_segment};
use crate::syntax::{self, Charset, SEPARATOR};
use crate::{icd, sml_dns};

/// A validated Peppol participant identifier, e.g. `iso6523-actorid-upis::0208:0123456749`.
///
/// Participant identifiers are case-insensitive: equality, hashing and ordering use the
/// lower-cased [`key`](Self::key), while [`scheme`](Self::scheme), [`value`](Self::value) and
/// `Display` keep what was given, so a participant is shown the way its owner wrote it.
#[derive(Clone)]
pub struct ParticipantId {
    scheme: String,
    value: String,
    key: String,
}

impl ParticipantId {
    /// The only participant identifier scheme in Peppol.
    pub const SCHEME: &'static str = "iso6523-actorid-upis";

    /// The longest value allowed (including the ICD and its colon).
    pub const MAX_VALUE_LEN: usize = 130;

    const SCHEMES: &'static [&'static str] = &[Self::SCHEME];

    /// Validates a participant identifier given as scheme and value.
    ///
    /// The scheme must be `iso6523-actorid-upis` in any case. The value must be at most 130
    /// printable US-ASCII characters (no spaces) of the form `NNNN:identifier`, with an ICD
    /// accepted by [`icd::check`] and an identifier that passes that ICD's check digits.
    ///
    /// # Errors
    ///
    /// An [`IdError`] whose kind says which rule the identifier breaks.
    pub fn new(scheme: &str, value: &str) -> Result<Self, IdError> {
        Self::validate(scheme, value)
            .map_err(|kind| IdError::new(format!("{scheme}{SEPARATOR}{value}"), kind))?;
        Ok(Self::unchecked(scheme, value))
    }

    /// Accepts an identifier the way another SMP or the SML publishes it: the Peppol scheme
    /// and a value of at most 130 printable US-ASCII characters, but without the ICD list
    /// and check-digit rules of [`new`](Self::new). Registrations older than those rules are
    /// still live in the network, and a reader that refused them could not look them up.
    /// [`policy_problem`](Self::policy_problem) says what `new` would object to.
    ///
    /// # Errors
    ///
    /// An [`IdError`] for a wrong scheme or a value that is empty, too long or not
    /// printable ASCII.
    pub fn as_published(scheme: &str, value: &str) -> Result<Self, IdError> {
        Self::validate_syntax(scheme, value)
            .map_err(|kind| IdError::new(format!("{scheme}{SEPARATOR}{value}"), kind))?;
        Ok(Self::unchecked(scheme, value))
    }

    /// [`as_published`](Self::as_published) for `scheme::value`.
    ///
    /// # Errors
    ///
    /// [`IdErrorKind::MissingSeparator`] without `::`, otherwise as `as_published`.
    pub fn parse_as_published(s: &str) -> Result<Self, IdError> {
        let (scheme, value) = syntax::split(s).map_err(|kind| IdError::new(s, kind))?;
        Self::as_published(scheme, value)
    }

    /// Why the Policy for use of Identifiers refuses this identifier for a new registration
    /// (unknown or removed ICD, check digit, format), or `None` when it is fine. Always
    /// `None` for identifiers made by [`new`](Self::new).
    pub fn policy_problem(&self) -> Option<IdError> {
        Self::validate(&self.scheme, &self.value)
            .err()
            .map(|kind| IdError::new(self.to_string(), kind))
    }

    fn unchecked(scheme: &str, value: &str) -> Self {
        let mut key = String::with_capacity(scheme.len() + SEPARATOR.len() + value.len());
        key.push_str(scheme);
        key.push_str(SEPARATOR);
        key.push_str(value);
        key.make_ascii_lowercase();
        Self {
            scheme: scheme.to_owned(),
            value: value.to_owned(),
            key,
        }
    }

    fn validate_syntax(scheme: &str, value: &str) -> Result<(), IdErrorKind> {
        if scheme.is_empty() {
            return Err(IdErrorKind::EmptyScheme);
        }
        if !scheme.eq_ignore_ascii_case(Self::SCHEME) {
            return Err(IdErrorKind::UnknownScheme {
                scheme: scheme.to_owned(),
                expected: Self::SCHEMES,
            });
        }
        syntax::check_value(value, Self::MAX_VALUE_LEN, Charset::PrintableAscii)
    }

    fn validate(scheme: &str, value: &str) -> Result<(), IdErrorKind> {
        Self::validate_syntax(scheme, value)?;
        // `check_value` guarantees ASCII, so byte index 4 is a character boundary when it exists.
        match value.split_once(':') {
            Some((icd, id)) if icd.len() == 4 => icd::check(icd, id),
            Some((icd, _)) => Err(IdErrorKind::InvalidIcd {
                icd: icd.to_owned(),
            }),
            None => Err(IdErrorKind::InvalidIcd {
                icd: value.to_owned(),
            }),
        }
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

    /// Parses one raw (still percent-encoded) URL path segment, as SMP clients send it:
    /// `%3A` and `%3a`, raw `::` and any letter case are all accepted.
    ///
    /// # Errors
    ///
    /// [`IdErrorKind::InvalidPercentEncoding`], otherwise as [`parse`](Self::parse).
    pub fn from_path_segment(seg: &str) -> Result<Self, IdError> {
        Self::parse(&percent_decode_segment(seg)?)
    }

    /// The scheme as given.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The value as given, e.g. `0208:0123456749`.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The canonical key for storage and comparison: `scheme::value` in lower case.
    pub fn key(&self) -> String {
        self.key.clone()
    }

    /// The key without copying it; see [`key`](Self::key).
    pub fn key_str(&self) -> &str {
        &self.key
    }

    /// `scheme::value` as given, percent-encoded as one URL path segment.
    pub fn path_segment(&self) -> String {
        percent_encode_segment(&self.to_string())
    }

    /// The ICD, e.g. `"0208"`.
    pub fn icd(&self) -> &str {
        // `new` guarantees a 4-digit ASCII prefix; an `as_published` value may not have one.
        self.value.get(..4).unwrap_or_default()
    }

    /// The identifier after the ICD and its colon, as given, e.g. `"0123456749"`.
    pub fn local_id(&self) -> &str {
        self.value.get(5..).unwrap_or_default()
    }

    /// The SML DNS name of this participant in `zone`; see [`sml_dns_name`](crate::sml_dns_name).
    pub fn sml_dns_name(&self, zone: &str) -> String {
        sml_dns::sml_dns_name(&self.scheme, &self.value, zone)
    }
}

impl PartialEq for ParticipantId {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for ParticipantId {}

impl Hash for ParticipantId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl PartialOrd for ParticipantId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ParticipantId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

impl fmt::Display for ParticipantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{SEPARATOR}{}", self.scheme, self.value)
    }
}

impl fmt::Debug for ParticipantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ParticipantId")
            .field(&format_args!("{self}"))
            .finish()
    }
}

impl FromStr for ParticipantId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    const BE: &str = "iso6523-actorid-upis::0208:0123456749";

    fn kind(s: &str) -> IdErrorKind {
        ParticipantId::parse(s).unwrap_err().kind().clone()
    }

    #[test]
    fn published_identifiers_skip_only_the_icd_rules() {
        // Wrong 0208 check digit, and an ICD that is not on the list: live in the network,
        // refused for new registrations.
        for legacy in [
            "iso6523-actorid-upis::0208:0123456700",
            "iso6523-actorid-upis::1234:abc",
        ] {
            assert!(ParticipantId::parse(legacy).is_err(), "{legacy}");
            let p = ParticipantId::parse_as_published(legacy).unwrap();
            assert_eq!(p.to_string(), legacy);
            assert_eq!(p.key(), legacy.to_lowercase());
            let problem = p.policy_problem().expect("a policy problem");
            assert_eq!(
                problem.kind(),
                ParticipantId::parse(legacy).unwrap_err().kind()
            );
        }
        assert!(ParticipantId::parse(BE).unwrap().policy_problem().is_none());
        assert_eq!(
            ParticipantId::parse_as_published(BE).unwrap(),
            ParticipantId::parse(BE).unwrap()
        );
        // The scheme and the value syntax still hold.
        for bad in [
            "urn:other::0208:0123456749",
            "iso6523-actorid-upis::",
            "iso6523-actorid-upis::0208:with space",
            "no-separator",
        ] {
            assert!(ParticipantId::parse_as_published(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parses_and_keeps_case() {
        let p = ParticipantId::parse("ISO6523-ACTORID-UPIS::9925:be0123456749").unwrap();
        assert_eq!(p.scheme(), "ISO6523-ACTORID-UPIS");
        assert_eq!(p.value(), "9925:be0123456749");
        assert_eq!(p.to_string(), "ISO6523-ACTORID-UPIS::9925:be0123456749");
        assert_eq!(p.key(), "iso6523-actorid-upis::9925:be0123456749");
        assert_eq!(p.icd(), "9925");
        assert_eq!(p.local_id(), "be0123456749");
        assert_eq!(
            format!("{p:?}"),
            "ParticipantId(ISO6523-ACTORID-UPIS::9925:be0123456749)"
        );
    }

    #[test]
    fn equality_ignores_case() {
        let a = ParticipantId::parse("iso6523-actorid-upis::9925:BE0123456749").unwrap();
        let b = ParticipantId::parse("ISO6523-actorid-upis::9925:be0123456749").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.cmp(&b), Ordering::Equal);
        assert_eq!(HashSet::from([a.clone(), b]).len(), 1);
        assert_eq!(a.to_string(), "iso6523-actorid-upis::9925:BE0123456749");
    }

    #[test]
    fn new_equals_parse() {
        assert_eq!(
            ParticipantId::new("iso6523-actorid-upis", "0208:0123456749").unwrap(),
            ParticipantId::parse(BE).unwrap()
        );
        assert_eq!(BE.parse::<ParticipantId>().unwrap().to_string(), BE);
    }

    #[test]
    fn path_segment_variants() {
        let want = ParticipantId::parse(BE).unwrap();
        for seg in [
            "iso6523-actorid-upis%3A%3A0208%3A0123456749",
            "iso6523-actorid-upis%3a%3a0208%3a0123456749",
            "iso6523-actorid-upis::0208:0123456749",
            "ISO6523-ACTORID-UPIS%3A%3A0208%3A0123456749",
            "iso6523-actorid-upis%3A%3A0208:0123456749",
        ] {
            assert_eq!(
                ParticipantId::from_path_segment(seg).unwrap(),
                want,
                "{seg}"
            );
        }
        assert_eq!(
            want.path_segment(),
            "iso6523-actorid-upis%3A%3A0208%3A0123456749"
        );
        let upper = ParticipantId::from_path_segment("ISO6523-ACTORID-UPIS%3A%3A0208%3A0123456749")
            .unwrap();
        assert_eq!(
            upper.path_segment(),
            "ISO6523-ACTORID-UPIS%3A%3A0208%3A0123456749"
        );
        assert_eq!(
            ParticipantId::from_path_segment("iso6523-actorid-upis%3A%3A0208%3A012345674%")
                .unwrap_err()
                .code(),
            "id.invalid_percent_encoding"
        );
    }

    #[test]
    fn refuses_bad_input() {
        assert_eq!(kind("0208:0123456749"), IdErrorKind::MissingSeparator);
        assert_eq!(kind("::0208:0123456749"), IdErrorKind::EmptyScheme);
        assert_eq!(kind("iso6523-actorid-upis::"), IdErrorKind::EmptyValue);
        assert_eq!(kind("iso6523-actorid-upis::0208:"), IdErrorKind::EmptyValue);
        assert_eq!(
            kind("busdox-actorid-upis::0208:0123456749"),
            IdErrorKind::UnknownScheme {
                scheme: "busdox-actorid-upis".into(),
                expected: &["iso6523-actorid-upis"]
            }
        );
        assert_eq!(
            kind("iso6523-actorid-upis::0208 0123456749"),
            IdErrorKind::InvalidCharacter {
                ch: ' ',
                position: 4
            }
        );
        assert_eq!(
            kind("iso6523-actorid-upis:: 0208:0123456749"),
            IdErrorKind::InvalidCharacter {
                ch: ' ',
                position: 0
            }
        );
        assert_eq!(
            kind("iso6523-actorid-upis::0002:é"),
            IdErrorKind::InvalidCharacter {
                ch: 'é',
                position: 5
            }
        );
        assert_eq!(
            kind("iso6523-actorid-upis::0002:a\u{0}"),
            IdErrorKind::InvalidCharacter {
                ch: '\u{0}',
                position: 6
            }
        );
        assert_eq!(
            kind("iso6523-actorid-upis::0123456749"),
            IdErrorKind::InvalidIcd {
                icd: "0123456749".into()
            }
        );
        assert_eq!(
            kind("iso6523-actorid-upis::208:0123456749"),
            IdErrorKind::InvalidIcd { icd: "208".into() }
        );
        assert_eq!(
            kind("iso6523-actorid-upis::1234:5"),
            IdErrorKind::InvalidIcd { icd: "1234".into() }
        );
        assert_eq!(
            kind("iso6523-actorid-upis::9908:991825827").code(),
            "id.removed_icd"
        );
        assert_eq!(
            kind("iso6523-actorid-upis::0208:0123456750").code(),
            "id.check_digit"
        );
        assert_eq!(
            kind("iso6523-actorid-upis::0088:123abc").code(),
            "id.invalid_format"
        );
    }

    #[test]
    fn length_limit_is_130() {
        let ok = format!("0002:{}", "1".repeat(125));
        assert!(ParticipantId::new("iso6523-actorid-upis", &ok).is_ok());
        let long = format!("0002:{}", "1".repeat(126));
        assert_eq!(
            ParticipantId::new("iso6523-actorid-upis", &long)
                .unwrap_err()
                .kind(),
            &IdErrorKind::TooLong { max: 130, len: 131 }
        );
    }

    #[test]
    fn error_input_is_the_identifier() {
        let err = ParticipantId::new("iso6523-actorid-upis", "0208:0123456750").unwrap_err();
        assert_eq!(err.input(), "iso6523-actorid-upis::0208:0123456750");
        let err = ParticipantId::from_path_segment("iso6523-actorid-upis%3A%3A0208%3A0123456750")
            .unwrap_err();
        assert_eq!(err.input(), "iso6523-actorid-upis::0208:0123456750");
        assert!(err.to_string().contains("= 49, found 50"), "{err}");
    }

    #[test]
    fn legacy_belgian_scheme() {
        let p = ParticipantId::parse("iso6523-actorid-upis::9956:0203201340").unwrap();
        assert_eq!(p.icd(), "9956");
    }

    #[test]
    fn dns_name() {
        let p = ParticipantId::parse("iso6523-actorid-upis::0088:5790000435968").unwrap();
        let upper = ParticipantId::parse("ISO6523-ACTORID-UPIS::0088:5790000435968").unwrap();
        let name = p.sml_dns_name("participant.sml.test.tech.peppol.org.");
        assert_eq!(
            name,
            upper.sml_dns_name("participant.sml.test.tech.peppol.org")
        );
        assert_eq!(
            name,
            crate::sml_dns_name(
                "iso6523-actorid-upis",
                "0088:5790000435968",
                "participant.sml.test.tech.peppol.org."
            )
        );
        assert!(
            name.ends_with(".iso6523-actorid-upis.participant.sml.test.tech.peppol.org."),
            "{name}"
        );
    }
}
