//! party-config's `ApTrust::classify_at` on an arbitrary presented chain, against the
//! repository's test AP trust store (`certs-test/truststore/peppol-test-ap-roots.pem`).
//! Input: one control byte, then the chain cut by `ferry_fuzz::split_parts`.
//!
//! * bits 0-1: how many certificates: 1 → two, 2 → three, 0 or 3 → one;
//! * bit 2: the production network instead of the test network;
//! * bits 3-4: the time to classify at: 2027-01-01, 2019-06-01, 2095-01-01 or 2200-01-01.
//!
//! Invariants: nothing panics; a certificate the caller presents never causes an internal
//! error (that would blame the operator, with a 500, for the caller's certificate); errors
//! render; an accepted caller has a SHA-256 fingerprint.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use openssl::asn1::Asn1Time;
use party_config::{ApTrust, DEFAULT_AP_CA_MARKERS, ParkingEnvironment};

const TRUST_STORE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../certs-test/truststore/peppol-test-ap-roots.pem"
);

/// 2027-01-01, 2019-06-01, 2095-01-01, 2200-01-01 (Unix seconds).
const TIMES: [i64; 4] = [1_798_761_600, 1_559_347_200, 3_944_678_400, 7_258_118_400];

fn trust(environment: ParkingEnvironment) -> ApTrust {
    let pem = std::fs::read(TRUST_STORE).unwrap_or_else(|e| panic!("{TRUST_STORE}: {e}"));
    let markers: Vec<String> = DEFAULT_AP_CA_MARKERS
        .iter()
        .map(|m| (*m).to_owned())
        .collect();
    ApTrust::from_pem(&pem, &markers, environment).expect("the test trust store loads")
}

static TEST: LazyLock<ApTrust> = LazyLock::new(|| trust(ParkingEnvironment::Test));
static PRODUCTION: LazyLock<ApTrust> = LazyLock::new(|| trust(ParkingEnvironment::Production));
static NOW: LazyLock<Vec<Asn1Time>> = LazyLock::new(|| {
    TIMES
        .iter()
        .map(|&t| Asn1Time::from_unix(t).expect("a valid time"))
        .collect()
});

fuzz_target!(|data: &[u8]| {
    let Some((&control, rest)) = data.split_first() else {
        return;
    };
    let count = match control & 3 {
        3 => 1,
        n => 1 + usize::from(n),
    };
    let trust = if control & 4 == 0 {
        &*TEST
    } else {
        &*PRODUCTION
    };
    let now = &NOW[usize::from((control >> 3) & 3)];
    let chain: Vec<Vec<u8>> = ferry_fuzz::split_parts(rest, count)
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect();
    match trust.classify_at(&chain, now) {
        Ok(caller) => {
            assert_eq!(caller.fingerprint.len(), 64);
            assert!(
                caller
                    .fingerprint
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            );
        }
        Err(e) => {
            let _ = (e.to_string(), e.class(), e.status());
            assert_ne!(
                e.code(),
                "token.internal",
                "the caller's certificate caused: {e}"
            );
        }
    }
});
