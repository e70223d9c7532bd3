//! sml-client's answer readers (`soap::parse_*_response`) on any body. Input: two bytes of
//! HTTP status (big-endian; values from 1000 up pick one of the statuses the SML uses),
//! then the body.
//!
//! Invariants: nothing panics; every error renders; a non-2xx status is never a success;
//! a SOAP fault is read the same by every reader; listed participants and a read SMP entry
//! can be validated without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sml_client::SmlError;
use sml_client::soap::{
    parse_empty_response, parse_exists_response, parse_list_response, parse_read_smp_response,
};

/// Statuses the SML (and proxies in front of it) answer with.
const STATUSES: [u16; 12] = [200, 201, 204, 299, 300, 400, 401, 404, 429, 500, 502, 503];

fn touch(e: &SmlError) -> String {
    let _ = (
        e.is_retryable(),
        e.is_not_found(),
        e.is_unauthorized(),
        e.is_migration_planned(),
        e.is_already_exists(),
        e.sml_code(),
    );
    format!("{} {e}", e.code())
}

/// The rendered fault, if `r` is one.
fn fault<T>(r: &Result<T, SmlError>) -> Option<String> {
    match r {
        Err(e @ SmlError::Fault { .. }) => Some(touch(e)),
        Err(e) => {
            touch(e);
            None
        }
        Ok(_) => None,
    }
}

fuzz_target!(|data: &[u8]| {
    let (status, body) = match data {
        [hi, lo, body @ ..] => (u16::from_be_bytes([*hi, *lo]), body),
        _ => return,
    };
    let status = if status < 1000 {
        status
    } else {
        STATUSES[usize::from(status) % STATUSES.len()]
    };
    let success = (200..300).contains(&status);

    let empty = parse_empty_response(status, body);
    let read = parse_read_smp_response(status, body);
    let list = parse_list_response(status, body);
    let exists = parse_exists_response(status, body);

    if !success {
        assert!(empty.is_err() && read.is_err() && list.is_err() && exists.is_err());
    }
    if let Ok(entry) = &read
        && let Err(e) = entry.validate()
    {
        touch(&e);
    }
    if let Ok(page) = &list {
        for p in &page.participants {
            if let Err(e) = p.parse() {
                let _ = (e.to_string(), e.code());
            }
        }
    }
    let faults = [fault(&empty), fault(&read), fault(&list), fault(&exists)];
    if let Some(f) = &faults[0] {
        for other in &faults[1..] {
            assert_eq!(other.as_ref(), Some(f), "every reader sees the same fault");
        }
    }
    // A successful reading of the operation outputs implies a well-formed envelope.
    if read.is_ok() || list.is_ok() || exists.is_ok() {
        assert!(
            empty.is_ok(),
            "an output element but no valid envelope: {empty:?}"
        );
    }
});
