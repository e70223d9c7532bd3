//! The one error type of this crate: the rejected input plus what is wrong with it.

use std::fmt;

/// Inputs longer than this are cut in [`IdError`]'s `Display`, so that a hostile URL cannot
/// flood a log line; [`IdError::input`] still returns the whole input.
const DISPLAY_INPUT_MAX: usize = 200;

/// An identifier was refused. Every variant is the fault of whoever supplied the identifier
/// (an HTTP client, an uploaded document, an operator's command line): the fix is always to
/// send a different identifier, and the message says which.
///
/// Every error shares the rejected input, hence the struct + kind shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdError {
    input: String,
    kind: IdErrorKind,
}

impl IdError {
    pub(crate) fn new(input: impl Into<String>, kind: IdErrorKind) -> Self {
        Self {
            input: input.into(),
            kind,
        }
    }

    /// What is wrong.
    pub fn kind(&self) -> &IdErrorKind {
        &self.kind
    }

    /// The rejected input: the identifier in `scheme::value` form as it was given (after
    /// percent-decoding), except for [`IdErrorKind::InvalidPercentEncoding`], where it is the
    /// raw path segment.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// A stable machine-readable code, e.g. `"id.check_digit"`; see [`IdErrorKind::code`].
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Debug formatting escapes control characters: the input is untrusted and ends up in logs.
        match self.input.char_indices().nth(DISPLAY_INPUT_MAX) {
            Some((cut, _)) => write!(
                f,
                "invalid identifier {:?}…: {}",
                &self.input[..cut],
                self.kind
            ),
            None => write!(f, "invalid identifier {:?}: {}", self.input, self.kind),
        }
    }
}

// The kind is part of the message, not a `source()`: reporters that print the whole chain
// would otherwise print it twice.
impl std::error::Error for IdError {}

/// What is wrong with an identifier. Each message says what was expected, so that the
/// person who sent it can correct it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdErrorKind {
    /// There is no `::` between scheme and value.
    #[error(
        "there is no `::` between scheme and value; write `scheme::value`, \
         e.g. `iso6523-actorid-upis::0208:0123456749`"
    )]
    MissingSeparator,
    /// The part before `::` is empty.
    #[error(
        "the scheme before `::` is empty; write `scheme::value`, e.g. `iso6523-actorid-upis::0208:0123456749`"
    )]
    EmptyScheme,
    /// The scheme is not one Peppol allows for this kind of identifier.
    #[error("unknown scheme `{scheme}`; use {}", one_of(expected))]
    UnknownScheme {
        /// The scheme as given.
        scheme: String,
        /// The schemes that are accepted here.
        expected: &'static [&'static str],
    },
    /// The value (or, for a participant, the part after the ICD) is empty.
    #[error(
        "the value is empty; put the identifier after the `::` (participants: after the ICD, \
         as in `0208:0123456749`)"
    )]
    EmptyValue,
    /// The value is longer than Peppol allows.
    #[error("the value is {len} characters long but at most {max} are allowed; shorten it")]
    TooLong {
        /// The maximum number of characters.
        max: usize,
        /// The number of characters given.
        len: usize,
    },
    /// The value contains a character that is not allowed: whitespace or a control character
    /// anywhere, or anything but printable US-ASCII in a participant identifier.
    #[error(
        "character {ch:?} (U+{:04X}) at position {position} of the value is not allowed; \
         remove it (identifiers contain no whitespace or control characters, and participant \
         identifiers only printable US-ASCII)",
        u32::from(*ch)
    )]
    InvalidCharacter {
        /// The offending character.
        ch: char,
        /// Its 0-based character index in the value (the part after `::`).
        position: usize,
    },
    /// The participant value does not start with a 4-digit ICD from the Peppol code list.
    #[error(
        "`{icd}` is not an ICD of the Peppol participant identifier scheme code list; a \
         participant value is a 4-digit ICD, `:`, then the identifier, e.g. `0208:0123456749`"
    )]
    InvalidIcd {
        /// What was found where the ICD should be.
        icd: String,
    },
    /// The ICD was in the Peppol code list once but has been removed.
    #[error(
        "ICD {icd} was removed from the Peppol code list on {removal_date}; {}",
        replacement_hint(replacement)
    )]
    RemovedIcd {
        /// The ICD.
        icd: String,
        /// The date (YYYY-MM-DD) of the removal.
        removal_date: &'static str,
        /// The ICD that replaced it, when the code list names one.
        replacement: Option<&'static str>,
    },
    /// The identifier after the ICD does not have the shape this ICD requires.
    #[error("an identifier under ICD {icd} must be {expected}")]
    InvalidFormat {
        /// The ICD.
        icd: String,
        /// The required shape, in words.
        expected: &'static str,
    },
    /// The check digits of the identifier after the ICD are wrong (usually a typo).
    #[error("wrong check digits for ICD {icd}: {detail}; check the number for a typo")]
    CheckDigit {
        /// The ICD.
        icd: String,
        /// Which check failed and the expected check value.
        detail: String,
    },
    /// A URL path segment is not valid percent-encoding.
    #[error(
        "not a valid percent-encoded path segment: every `%` must be followed by two hex \
         digits and the decoded bytes must be UTF-8; send a literal `%` as `%25`"
    )]
    InvalidPercentEncoding,
}

impl IdErrorKind {
    /// A stable machine-readable code. Clients may match on these strings; they never change.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingSeparator => "id.missing_separator",
            Self::EmptyScheme => "id.empty_scheme",
            Self::UnknownScheme { .. } => "id.unknown_scheme",
            Self::EmptyValue => "id.empty_value",
            Self::TooLong { .. } => "id.too_long",
            Self::InvalidCharacter { .. } => "id.invalid_character",
            Self::InvalidIcd { .. } => "id.invalid_icd",
            Self::RemovedIcd { .. } => "id.removed_icd",
            Self::InvalidFormat { .. } => "id.invalid_format",
            Self::CheckDigit { .. } => "id.check_digit",
            Self::InvalidPercentEncoding => "id.invalid_percent_encoding",
        }
    }
}

fn one_of(expected: &[&str]) -> String {
    match expected {
        [] => "a known scheme".to_owned(),
        [only] => format!("`{only}`"),
        _ => {
            let quoted: Vec<String> = expected.iter().map(|s| format!("`{s}`")).collect();
            format!("one of {}", quoted.join(", "))
        }
    }
}

fn replacement_hint(replacement: &Option<&'static str>) -> String {
    match replacement {
        Some(icd) => format!("use ICD {icd} instead"),
        None => "use the participant's identifier under a current scheme".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_input_and_fix() {
        let e = IdError::new(
            "iso6523-actorid-upis::0208:0123456750",
            IdErrorKind::CheckDigit {
                icd: "0208".into(),
                detail: "expected 49, found 50".into(),
            },
        );
        let msg = e.to_string();
        assert!(msg.contains("0208:0123456750"), "{msg}");
        assert!(msg.contains("expected 49"), "{msg}");
        assert_eq!(e.code(), "id.check_digit");
    }

    #[test]
    fn display_escapes_and_truncates_input() {
        let long = format!("a\nb{}", "x".repeat(1000));
        let msg = IdError::new(long.clone(), IdErrorKind::MissingSeparator).to_string();
        assert!(!msg.contains('\n'), "{msg}");
        assert!(msg.len() < 600, "{}", msg.len());
        assert_eq!(
            IdError::new(long.clone(), IdErrorKind::MissingSeparator).input(),
            long
        );
    }

    #[test]
    fn unknown_scheme_lists_expected() {
        let k = IdErrorKind::UnknownScheme {
            scheme: "x".into(),
            expected: &["a", "b"],
        };
        assert_eq!(k.to_string(), "unknown scheme `x`; use one of `a`, `b`");
    }

    #[test]
    fn codes_are_stable() {
        let all = [
            (IdErrorKind::MissingSeparator, "id.missing_separator"),
            (IdErrorKind::EmptyScheme, "id.empty_scheme"),
            (
                IdErrorKind::UnknownScheme {
                    scheme: String::new(),
                    expected: &[],
                },
                "id.unknown_scheme",
            ),
            (IdErrorKind::EmptyValue, "id.empty_value"),
            (IdErrorKind::TooLong { max: 1, len: 2 }, "id.too_long"),
            (
                IdErrorKind::InvalidCharacter {
                    ch: ' ',
                    position: 0,
                },
                "id.invalid_character",
            ),
            (
                IdErrorKind::InvalidIcd { icd: String::new() },
                "id.invalid_icd",
            ),
            (
                IdErrorKind::RemovedIcd {
                    icd: String::new(),
                    removal_date: "",
                    replacement: None,
                },
                "id.removed_icd",
            ),
            (
                IdErrorKind::InvalidFormat {
                    icd: String::new(),
                    expected: "",
                },
                "id.invalid_format",
            ),
            (
                IdErrorKind::CheckDigit {
                    icd: String::new(),
                    detail: String::new(),
                },
                "id.check_digit",
            ),
            (
                IdErrorKind::InvalidPercentEncoding,
                "id.invalid_percent_encoding",
            ),
        ];
        for (kind, code) in all {
            assert_eq!(kind.code(), code);
        }
    }
}
