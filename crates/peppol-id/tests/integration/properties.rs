use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use peppol_id::{
    DocumentTypeId, ParticipantId, ProcessId, TransportProfile, icd, percent_decode_segment,
    percent_encode_segment, sml_dns_name,
};
use proptest::prelude::*;

/// Valid Belgian enterprise numbers: 10 digits, first 0 or 1, mod-97 check.
fn belgian_number() -> impl Strategy<Value = String> {
    (0u64..20_000_000).prop_map(|base| format!("{base:08}{:02}", 97 - base % 97))
}

/// Valid participant values under ICDs without check digits, or under 0208 / 9925.
fn participant_value() -> impl Strategy<Value = String> {
    let free_icds: Vec<&'static str> = icd::schemes()
        .iter()
        .filter(|s| {
            icd::check(s.icd, "x").is_ok() // accepted and without a format rule
        })
        .map(|s| s.icd)
        .collect();
    prop_oneof![
        (proptest::sample::select(free_icds), "[!-~]{1,125}")
            .prop_map(|(icd, id)| format!("{icd}:{id}")),
        belgian_number().prop_map(|n| format!("0208:{n}")),
        (belgian_number(), "[bB][eE]").prop_map(|(n, be)| format!("9925:{be}{n}")),
    ]
}

fn participant_scheme() -> impl Strategy<Value = String> {
    "[iI][sS][oO]6523-[aA][cC][tT][oO][rR][iI][dD]-[uU][pP][iI][sS]"
}

/// Flips the case of the characters selected by `mask` (cycled).
fn flip_case(s: &str, mask: &[bool]) -> String {
    s.chars()
        .zip(mask.iter().cycle())
        .map(|(c, &flip)| {
            if !flip {
                c
            } else if c.is_ascii_lowercase() {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

fn hash_of<T: Hash>(t: &T) -> u64 {
    let mut h = DefaultHasher::new();
    t.hash(&mut h);
    h.finish()
}

/// Document type values: no whitespace or control characters, often with `::`, `#`, `/`, `%`.
fn doctype_value() -> impl Strategy<Value = String> {
    "([a-zA-Z0-9:#/%.@*_-]|::|é|ü){1,120}"
}

proptest! {
    #[test]
    fn decode_inverts_encode(s in any::<String>()) {
        let encoded = percent_encode_segment(&s);
        prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
        prop_assert_eq!(percent_decode_segment(&encoded).unwrap(), s);
    }

    #[test]
    fn decode_never_panics(s in any::<String>()) {
        let _ = percent_decode_segment(&s);
    }

    #[test]
    fn parsers_never_panic(s in any::<String>()) {
        let _ = ParticipantId::parse(&s);
        let _ = ParticipantId::from_path_segment(&s);
        let _ = DocumentTypeId::parse(&s);
        let _ = DocumentTypeId::from_path_segment(&s);
        let _ = ProcessId::parse(&s);
        let _ = TransportProfile::new(&s);
        if let Some((a, b)) = s.split_once(':') {
            let _ = icd::check(a, b);
        }
    }

    #[test]
    fn participant_parsers_never_panic_on_near_misses(
        scheme in participant_scheme(),
        value in "[0-9]{0,5}:?[ -~\u{0}-\u{1f}é]{0,140}",
    ) {
        let _ = ParticipantId::new(&scheme, &value);
        let _ = ParticipantId::parse(&format!("{scheme}::{value}"));
    }

    #[test]
    fn participant_display_round_trips(scheme in participant_scheme(), value in participant_value()) {
        let p = ParticipantId::new(&scheme, &value).unwrap();
        let again = ParticipantId::parse(&p.to_string()).unwrap();
        prop_assert_eq!(again.scheme(), p.scheme());
        prop_assert_eq!(again.value(), p.value());
        prop_assert_eq!(&again, &p);
        let from_url = ParticipantId::from_path_segment(&p.path_segment()).unwrap();
        prop_assert_eq!(from_url.to_string(), p.to_string());
        let raw = ParticipantId::from_path_segment(&p.to_string().replace('%', "%25")).unwrap();
        prop_assert_eq!(raw.to_string(), p.to_string());
    }

    #[test]
    fn participant_key_ignores_case(
        scheme in participant_scheme(),
        value in participant_value(),
        mask in proptest::collection::vec(any::<bool>(), 1..16),
    ) {
        let p = ParticipantId::new(&scheme, &value).unwrap();
        let q = ParticipantId::new(&flip_case(&scheme, &mask), &flip_case(&value, &mask)).unwrap();
        prop_assert_eq!(p.key(), q.key());
        prop_assert_eq!(p.key(), p.key().to_lowercase());
        prop_assert_eq!(&p, &q);
        prop_assert_eq!(p.cmp(&q), std::cmp::Ordering::Equal);
        prop_assert_eq!(hash_of(&p), hash_of(&q));
        prop_assert_eq!(p.sml_dns_name("example.org."), q.sml_dns_name("example.org."));
    }

    #[test]
    fn doctype_display_round_trips(wildcard in any::<bool>(), value in doctype_value()) {
        let scheme = if wildcard { "peppol-doctype-wildcard" } else { "busdox-docid-qns" };
        let d = DocumentTypeId::new(scheme, &value).unwrap();
        prop_assert_eq!(&DocumentTypeId::parse(&d.to_string()).unwrap(), &d);
        prop_assert_eq!(&DocumentTypeId::from_path_segment(&d.path_segment()).unwrap(), &d);
        prop_assert_eq!(d.key(), d.to_string());
    }

    #[test]
    fn doctype_key_is_case_sensitive(
        value in doctype_value(),
        mask in proptest::collection::vec(any::<bool>(), 1..16),
    ) {
        let d = DocumentTypeId::new("busdox-docid-qns", &value).unwrap();
        let flipped = flip_case(&value, &mask);
        let e = DocumentTypeId::new("busdox-docid-qns", &flipped).unwrap();
        prop_assert_eq!(d.key() == e.key(), value == flipped);
        prop_assert_eq!(d == e, value == flipped);
    }

    #[test]
    fn process_display_round_trips(value in "[a-zA-Z0-9:#/.-]{1,200}") {
        let p = ProcessId::new("cenbii-procid-ubl", &value).unwrap();
        prop_assert_eq!(&ProcessId::parse(&p.to_string()).unwrap(), &p);
        prop_assert_eq!(p.key(), p.to_string());
    }

    #[test]
    fn transport_profile_round_trips(s in "[!-~]{1,50}") {
        let t = TransportProfile::new(&s).unwrap();
        prop_assert_eq!(t.to_string(), s.clone());
        prop_assert_eq!(t.as_str(), s.as_str());
        prop_assert_eq!(t.is_active(), s == "peppol-transport-as4-v2_0");
    }

    #[test]
    fn dns_name_shape(value in any::<String>(), zone in "([a-z0-9-]{1,20}\\.){1,4}", dot in any::<bool>()) {
        let zone_arg = if dot { zone.clone() } else { zone.trim_end_matches('.').to_owned() };
        let name = sml_dns_name("iso6523-actorid-upis", &value, &zone_arg);
        let suffix = format!(".iso6523-actorid-upis.{zone}");
        prop_assert!(name.ends_with(&suffix), "{} does not end with {}", name, suffix);
        let label = &name[..name.len() - suffix.len()];
        // 256 bits in base32 are 52 characters once padding is stripped.
        prop_assert_eq!(label.len(), 52);
        prop_assert!(label.bytes().all(|b| matches!(b, b'a'..=b'z' | b'2'..=b'7')), "{}", label);
        prop_assert!(!name.contains('='));
        prop_assert_eq!(name.clone(), sml_dns_name("ISO6523-ACTORID-UPIS", &value.to_ascii_uppercase(), &zone));
    }
}
