//! Percent-encoding of one URL path segment (RFC 3986), as Peppol SMP URLs need it.

use std::fmt::Write as _;

use crate::error::{IdError, IdErrorKind};

/// Percent-encodes `s` for use as one URL path segment.
///
/// Everything except the RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`) is encoded as
/// `%XX` with upper-case hex over its UTF-8 bytes, so `:` becomes `%3A`, `#` `%23`, `/` `%2F`
/// and a space `%20`. Encoding more than strictly needed is deliberate: every SMP client
/// decodes it, while raw `:` or `#` confuse some.
pub fn percent_encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Decodes one percent-encoded URL path segment.
///
/// Accepts what clients in the field send: upper- or lower-case hex (`%3A`, `%3a`), raw
/// characters that should have been encoded (`::`), and encoded slashes (`%2F`). A `+` stays a
/// `+`: it means space only in query strings, not in paths.
///
/// # Errors
///
/// [`IdErrorKind::InvalidPercentEncoding`] when a `%` is not followed by two hex digits or the
/// decoded bytes are not UTF-8.
pub fn percent_decode_segment(s: &str) -> Result<String, IdError> {
    let invalid = || IdError::new(s, IdErrorKind::InvalidPercentEncoding);
    if !s.contains('%') {
        return Ok(s.to_owned());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hi = bytes
                .get(i + 1)
                .copied()
                .and_then(hex_value)
                .ok_or_else(invalid)?;
            let lo = bytes
                .get(i + 2)
                .copied()
                .and_then(hex_value)
                .ok_or_else(invalid)?;
            out.push((hi << 4) | lo);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| invalid())
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_reserved_characters() {
        assert_eq!(
            percent_encode_segment("iso6523-actorid-upis::0208:0123456749"),
            "iso6523-actorid-upis%3A%3A0208%3A0123456749"
        );
        assert_eq!(
            percent_encode_segment("a#b/c d+e%f"),
            "a%23b%2Fc%20d%2Be%25f"
        );
        assert_eq!(percent_encode_segment("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(percent_encode_segment("é"), "%C3%A9");
        assert_eq!(percent_encode_segment(""), "");
    }

    #[test]
    fn decodes_field_variants() {
        let want = "iso6523-actorid-upis::0208:0123456749";
        for seg in [
            "iso6523-actorid-upis%3A%3A0208%3A0123456749",
            "iso6523-actorid-upis%3a%3a0208%3a0123456749",
            "iso6523-actorid-upis%3A%3A0208%3a0123456749",
            "iso6523-actorid-upis::0208:0123456749",
            "iso6523-actorid-upis%3A:0208:0123456749",
        ] {
            assert_eq!(percent_decode_segment(seg).unwrap(), want, "{seg}");
        }
        assert_eq!(percent_decode_segment("a%2Fb%2fc%23d").unwrap(), "a/b/c#d");
        assert_eq!(percent_decode_segment("a+b").unwrap(), "a+b");
        assert_eq!(percent_decode_segment("%C3%A9").unwrap(), "é");
        assert_eq!(percent_decode_segment("%25").unwrap(), "%");
    }

    #[test]
    fn rejects_bad_escapes() {
        for seg in ["%", "%3", "a%zz", "%3g", "%%41", "%C3", "%FF", "abc%"] {
            let err = percent_decode_segment(seg).unwrap_err();
            assert_eq!(err.kind(), &IdErrorKind::InvalidPercentEncoding, "{seg}");
            assert_eq!(err.input(), seg);
        }
    }

    #[test]
    fn decode_does_not_decode_twice() {
        assert_eq!(percent_decode_segment("%253A").unwrap(), "%3A");
    }
}
