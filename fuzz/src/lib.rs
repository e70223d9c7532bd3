//! Checks shared by the fuzz targets in `fuzz_targets/`: the XML round trip, and the way a
//! target cuts its input into parts. Each target states its input format in its own doc
//! comment; `README.md` says how to run them and reproduce a crash.
//!
//! A target fails (panics) only when an invariant of the code under test breaks: a parser
//! panics, a value that parsed does not survive write → parse unchanged, or two ways of
//! reading the same input disagree. Refusing the input with an error is always fine; the
//! error is still rendered (`Display`, `code()`), since a message that slices the input at
//! the wrong place panics as surely as a parser.
#![forbid(unsafe_code)]

use std::fmt::Debug;

use smp_xml::{ParseOptions, XmlError};

/// A parser of one SMP document type.
pub type Parse<T> = fn(&[u8], &ParseOptions) -> Result<T, XmlError>;

/// Renders an [`XmlError`] the way Ferry does (message, stable code, blame).
pub fn touch_xml_error(e: &XmlError) {
    let _ = e.to_string();
    let _ = e.code();
    let _ = e.is_input_error();
    if let Some(id) = e.id_error() {
        let _ = (id.to_string(), id.code());
    }
}

/// Parses `data` with `parse` under both [`ParseOptions::default`] and
/// [`ParseOptions::as_published`]; for every success, writes the value with `write`, reads
/// that back with `reparse` under the same options and asserts it is the same value and
/// the same bytes again (the writers' output is canonical, so writing is a fixpoint).
///
/// Also asserts that what the Policy rules accept, the looser as-published rules accept as
/// the same value.
pub fn xml_round_trip<T: PartialEq + Debug>(
    data: &[u8],
    parse: Parse<T>,
    reparse: Parse<T>,
    write: fn(&T) -> Vec<u8>,
) {
    let mut policy_value = None;
    for opts in [ParseOptions::default(), ParseOptions::as_published()] {
        let value = match parse(data, &opts) {
            Ok(value) => value,
            Err(e) => {
                touch_xml_error(&e);
                assert!(
                    policy_value.is_none(),
                    "accepted under the Policy rules but refused as published: {e} ({})",
                    e.code()
                );
                continue;
            }
        };
        let written = write(&value);
        // The written document is at most `max_output_ratio` times the input, so it may
        // be larger than `max_bytes` allows for input; the other limits apply unchanged.
        let opts = ParseOptions {
            max_bytes: opts.max_bytes.max(written.len()),
            ..opts
        };
        let again = match reparse(&written, &opts) {
            Ok(again) => again,
            Err(e) => panic!(
                "the written document does not read back: {e} ({})\nvalue: {value:?}\nwritten: {}",
                e.code(),
                String::from_utf8_lossy(&written)
            ),
        };
        assert_eq!(
            again,
            value,
            "write → parse changed the value; written: {}",
            String::from_utf8_lossy(&written)
        );
        assert_eq!(
            String::from_utf8_lossy(&write(&again)),
            String::from_utf8_lossy(&written),
            "writing the value read back gives other bytes"
        );
        match &policy_value {
            None => policy_value = Some(value),
            Some(first) => assert_eq!(first, &value, "the Policy and as-published readings differ"),
        }
    }
}

/// Cuts `data` into `count` parts: each part but the last is preceded by its length as two
/// big-endian bytes (cut short at the end of the input); the last part is the rest.
pub fn split_parts(mut data: &[u8], count: usize) -> Vec<&[u8]> {
    let mut parts = Vec::with_capacity(count);
    for _ in 1..count {
        let (len, rest) = match data {
            [hi, lo, rest @ ..] => (usize::from(u16::from_be_bytes([*hi, *lo])), rest),
            _ => (0, &[][..]),
        };
        let (part, rest) = rest.split_at(len.min(rest.len()));
        parts.push(part);
        data = rest;
    }
    parts.push(data);
    parts
}

/// The inverse of [`split_parts`], for writing seeds and tests.
pub fn join_parts(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    if let Some((last, init)) = parts.split_last() {
        for part in init {
            let len = u16::try_from(part.len()).expect("parts are at most 65535 bytes");
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(part);
        }
        out.extend_from_slice(last);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_round_trip() {
        let parts: [&[u8]; 3] = [b"leaf", b"", b"rest of it"];
        assert_eq!(split_parts(&join_parts(&parts), 3), parts);
        assert_eq!(split_parts(b"\x00\x09ab", 2), [&b"ab"[..], b""]);
        assert_eq!(split_parts(b"x", 3), [&b""[..], b"", b""]);
    }
}
