//! Checks shared by every identifier type: the `scheme::value` split, length and characters.

use crate::error::IdErrorKind;

/// The separator between scheme and value in the serialised form.
pub(crate) const SEPARATOR: &str = "::";

/// Splits `scheme::value` at the first `::` (values such as document types contain `::`
/// themselves; schemes never do).
pub(crate) fn split(s: &str) -> Result<(&str, &str), IdErrorKind> {
    s.split_once(SEPARATOR).ok_or(IdErrorKind::MissingSeparator)
}

/// Which characters a value may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Charset {
    /// Printable US-ASCII without space (0x21..=0x7E): participant identifiers.
    PrintableAscii,
    /// Anything but whitespace and control characters: document types, processes,
    /// transport profiles.
    NoWhitespaceOrControl,
}

impl Charset {
    fn allows(self, ch: char) -> bool {
        match self {
            Self::PrintableAscii => ch.is_ascii_graphic(),
            Self::NoWhitespaceOrControl => !ch.is_whitespace() && !ch.is_control(),
        }
    }
}

/// Checks that `value` is non-empty, at most `max` characters long and made only of
/// characters from `charset`.
pub(crate) fn check_value(value: &str, max: usize, charset: Charset) -> Result<(), IdErrorKind> {
    if value.is_empty() {
        return Err(IdErrorKind::EmptyValue);
    }
    let len = value.chars().count();
    if len > max {
        return Err(IdErrorKind::TooLong { max, len });
    }
    match value
        .chars()
        .enumerate()
        .find(|&(_, ch)| !charset.allows(ch))
    {
        Some((position, ch)) => Err(IdErrorKind::InvalidCharacter { ch, position }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_at_first_separator() {
        assert_eq!(split("a::b::c"), Ok(("a", "b::c")));
        assert_eq!(split("::b"), Ok(("", "b")));
        assert_eq!(split("a:b"), Err(IdErrorKind::MissingSeparator));
    }

    #[test]
    fn value_checks() {
        let ascii = Charset::PrintableAscii;
        let any = Charset::NoWhitespaceOrControl;
        assert_eq!(check_value("", 5, any), Err(IdErrorKind::EmptyValue));
        assert_eq!(
            check_value("abcdef", 5, any),
            Err(IdErrorKind::TooLong { max: 5, len: 6 })
        );
        assert_eq!(check_value("ééééé", 5, any), Ok(()));
        assert_eq!(
            check_value("ab\tc", 5, any),
            Err(IdErrorKind::InvalidCharacter {
                ch: '\t',
                position: 2
            })
        );
        assert_eq!(
            check_value("a\u{a0}", 5, any),
            Err(IdErrorKind::InvalidCharacter {
                ch: '\u{a0}',
                position: 1
            })
        );
        assert_eq!(
            check_value("aé", 5, ascii),
            Err(IdErrorKind::InvalidCharacter {
                ch: 'é',
                position: 1
            })
        );
        assert_eq!(
            check_value("a b", 5, ascii),
            Err(IdErrorKind::InvalidCharacter {
                ch: ' ',
                position: 1
            })
        );
        assert_eq!(check_value("a~!:", 5, ascii), Ok(()));
    }
}
