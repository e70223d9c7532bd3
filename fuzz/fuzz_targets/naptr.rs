//! sml-client's NAPTR selection (`select_smp_url`, with its U-NAPTR regexp handling) over
//! records built from the input, each time with and without `allow_http`. Input: text
//! (invalid UTF-8 replaced), one record per line with tab-separated fields
//! `order \t preference \t flags \t services \t regexp \t replacement`; a missing field is
//! empty, an order or preference that is not a number is 0.
//!
//! Invariants: nothing panics; errors render; NotRegistered exactly when no record is a
//! `Meta:SMP`/`U` record (whatever allow_http); a chosen URL is `https://` plus a host
//! (`http://` too when allowed) and counts the SMP records; allowing http never turns a
//! registered participant into an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sml_client::{DnsAnswer, NaptrRecord, select_smp_url};

const NAME: &str = "b-x.iso6523-actorid-upis.participant.sml.example.org.";

fn record(line: &str) -> NaptrRecord {
    let mut fields = line.split('\t');
    let mut next = || fields.next().unwrap_or_default().to_owned();
    let order = next().trim().parse().unwrap_or(0);
    let preference = next().trim().parse().unwrap_or(0);
    NaptrRecord {
        order,
        preference,
        flags: next(),
        services: next(),
        regexp: next(),
        replacement: next(),
    }
}

fn check(records: &[NaptrRecord], allow_http: bool) -> Option<String> {
    let smp_records = records
        .iter()
        .filter(|r| {
            r.services.eq_ignore_ascii_case("Meta:SMP") && r.flags.eq_ignore_ascii_case("U")
        })
        .count();
    match select_smp_url(NAME, records, allow_http) {
        Ok(DnsAnswer::NotRegistered) => {
            assert_eq!(smp_records, 0);
            None
        }
        Ok(DnsAnswer::Registered {
            smp_url,
            records: n,
        }) => {
            assert_eq!(n, smp_records);
            let lower = smp_url.to_ascii_lowercase();
            let ok = (lower.starts_with("https://") && smp_url.len() > "https://".len())
                || (allow_http && lower.starts_with("http://") && smp_url.len() > "http://".len());
            assert!(ok, "unusable URL chosen: {smp_url:?}");
            Some(smp_url)
        }
        Err(e) => {
            assert!(smp_records > 0, "an error without SMP records: {e}");
            let _ = (e.to_string(), e.code());
            None
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let records: Vec<NaptrRecord> = text.lines().map(record).collect();
    let strict = check(&records, false);
    let lax = check(&records, true);
    if strict.is_some() {
        assert!(lax.is_some(), "allowing http lost the https target");
    }
});
