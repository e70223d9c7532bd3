//! peppol-id on any text (invalid UTF-8 is replaced, so every input is read): participant,
//! document type, process and transport profile parsing, percent-decoding of URL path
//! segments, ICD check digits and SML DNS names.
//!
//! Invariants: nothing panics; every error renders; a parsed identifier displays as its
//! input and reads back equal from its Display, key and `path_segment()`; percent-encoding
//! round-trips any text; what the Policy accepts is accepted as published.
#![no_main]

use libfuzzer_sys::fuzz_target;
use peppol_id::{
    DocumentTypeId, IdError, ParticipantId, ProcessId, TransportProfile, icd,
    percent_decode_segment, percent_encode_segment, sml_dns_name,
};

fn touch(e: &IdError) {
    let _ = (
        e.to_string(),
        e.code(),
        e.kind().code(),
        e.kind().to_string(),
        e.input(),
    );
}

fn participant(s: &str) {
    let policy = ParticipantId::parse(s);
    let published = ParticipantId::parse_as_published(s);
    match (&policy, &published) {
        (Ok(p), Ok(q)) => assert_eq!(p, q, "{s:?}"),
        (Ok(_), Err(e)) => panic!("{s:?} passes the Policy but not as published: {e}"),
        _ => {}
    }
    if let Err(e) = &policy {
        touch(e);
    }
    match published {
        Ok(q) => {
            assert_eq!(q.to_string(), s);
            assert_eq!(q.key(), s.to_ascii_lowercase());
            assert_eq!(q.key_str(), q.key());
            assert_eq!(ParticipantId::parse_as_published(&q.key()).as_ref(), Ok(&q));
            assert_eq!(percent_decode_segment(&q.path_segment()).as_deref(), Ok(s));
            assert_eq!(q.policy_problem().is_none(), policy.is_ok(), "{s:?}");
            let _ = (q.icd(), q.local_id());
            let name = q.sml_dns_name("participant.sml.example.org");
            assert!(name.ends_with(".participant.sml.example.org."), "{name}");
        }
        Err(e) => touch(&e),
    }
    if let Ok(p) = policy {
        assert_eq!(ParticipantId::parse(&p.to_string()).as_ref(), Ok(&p));
        assert_eq!(
            ParticipantId::from_path_segment(&p.path_segment()).as_ref(),
            Ok(&p)
        );
        assert_eq!(p.icd().len(), 4, "{p}");
    }
    match ParticipantId::from_path_segment(s) {
        Ok(p) => {
            let decoded = percent_decode_segment(s).expect("it decoded once");
            assert_eq!(ParticipantId::parse(&decoded).as_ref(), Ok(&p));
            assert_eq!(
                ParticipantId::from_path_segment(&p.path_segment()).as_ref(),
                Ok(&p)
            );
        }
        Err(e) => touch(&e),
    }
}

fn document_type(s: &str) {
    match DocumentTypeId::parse(s) {
        Ok(d) => {
            assert_eq!(d.to_string(), s);
            assert_eq!(DocumentTypeId::parse(&d.key()).as_ref(), Ok(&d));
            assert_eq!(
                DocumentTypeId::from_path_segment(&d.path_segment()).as_ref(),
                Ok(&d)
            );
            let _ = d.is_wildcard();
        }
        Err(e) => touch(&e),
    }
    match DocumentTypeId::from_path_segment(s) {
        Ok(d) => {
            assert_eq!(
                DocumentTypeId::from_path_segment(&d.path_segment()).as_ref(),
                Ok(&d)
            );
            assert_eq!(DocumentTypeId::parse(&d.key()).as_ref(), Ok(&d));
        }
        Err(e) => touch(&e),
    }
}

fn process(s: &str) {
    match ProcessId::parse(s) {
        Ok(p) => {
            assert_eq!(p.to_string(), s);
            assert_eq!(ProcessId::parse(&p.key()).as_ref(), Ok(&p));
            assert_eq!(p.is_no_process(), p == ProcessId::no_process());
        }
        Err(e) => touch(&e),
    }
}

fn transport_profile(s: &str) {
    match TransportProfile::new(s) {
        Ok(t) => {
            assert_eq!(t.as_str(), s);
            assert_eq!(t.to_string(), s);
            let _ = t.is_active();
        }
        Err(e) => touch(&e),
    }
}

fn percent(s: &str) {
    let encoded = percent_encode_segment(s);
    assert!(
        encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)),
        "{encoded}"
    );
    assert_eq!(percent_decode_segment(&encoded).as_deref(), Ok(s));
    match percent_decode_segment(s) {
        Ok(d) => assert_eq!(percent_decode_segment(&percent_encode_segment(&d)), Ok(d)),
        Err(e) => touch(&e),
    }
}

fn icd_rules(s: &str) {
    if let Some((code, id)) = s.split_once(':') {
        if let Err(kind) = icd::check(code, id) {
            let _ = (kind.code(), kind.to_string());
        }
        let _ = icd::lookup(code);
    }
    // Scheme, value and zone from the first two lines.
    let mut lines = s.splitn(3, '\n');
    let (scheme, value, zone) = (
        lines.next().unwrap_or_default(),
        lines.next().unwrap_or_default(),
        lines.next().unwrap_or_default(),
    );
    let name = sml_dns_name(scheme, value, zone);
    assert!(name.ends_with('.'), "{name:?}");
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let s = text.as_ref();
    participant(s);
    document_type(s);
    process(s);
    transport_profile(s);
    percent(s);
    icd_rules(s);
});
