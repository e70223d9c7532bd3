use smp_store::{DocumentKey, DocumentKind, Store, StoredDocument, documents};

use crate::common::{r, w};

per_backend!(
    put_get_upsert_delete,
    content_is_byte_exact,
    keys_delete_for_participant
);

fn key(p: &str, kind: DocumentKind, doc: &str) -> DocumentKey {
    DocumentKey {
        participant_key: p.into(),
        kind,
        doc_key: doc.into(),
    }
}

fn put_get_upsert_delete(store: &Store) {
    let sg = key("s::v", DocumentKind::ServiceGroup, "");
    assert_eq!(r(store, |c| documents::get(c, &sg)), None);
    w(store, |c| {
        documents::put(c, &sg, b"<ServiceGroup/>", "\"e1\"", 10)
    });
    assert_eq!(
        r(store, |c| documents::get(c, &sg)),
        Some(StoredDocument {
            content: b"<ServiceGroup/>".to_vec(),
            etag: "\"e1\"".into(),
            updated_at: 10
        })
    );
    w(store, |c| {
        documents::put(c, &sg, b"<ServiceGroup>2</ServiceGroup>", "\"e2\"", 20)
    });
    assert_eq!(
        r(store, |c| documents::get(c, &sg)),
        Some(StoredDocument {
            content: b"<ServiceGroup>2</ServiceGroup>".to_vec(),
            etag: "\"e2\"".into(),
            updated_at: 20
        })
    );
    // Same participant, other kinds and (case-sensitive) document keys are separate documents.
    let bc = key("s::v", DocumentKind::BusinessCard, "");
    let sm = key(
        "s::v",
        DocumentKind::ServiceMetadata,
        "busdox-docid-qns::urn:Invoice",
    );
    let sm_lower = key(
        "s::v",
        DocumentKind::ServiceMetadata,
        "busdox-docid-qns::urn:invoice",
    );
    assert_eq!(r(store, |c| documents::get(c, &bc)), None);
    w(store, |c| documents::put(c, &sm, b"upper", "u", 1));
    w(store, |c| documents::put(c, &sm_lower, b"lower", "l", 1));
    assert_eq!(
        r(store, |c| documents::get(c, &sm)).unwrap().content,
        b"upper"
    );
    assert_eq!(
        r(store, |c| documents::get(c, &sm_lower)).unwrap().content,
        b"lower"
    );
    assert_eq!(
        r(store, |c| documents::get(
            c,
            &key("s::V", DocumentKind::ServiceGroup, "")
        )),
        None
    );

    assert!(w(store, |c| documents::delete(c, &sm)));
    assert!(!w(store, |c| documents::delete(c, &sm)));
    assert_eq!(r(store, |c| documents::get(c, &sm)), None);
    assert!(r(store, |c| documents::get(c, &sm_lower)).is_some());
}

fn content_is_byte_exact(store: &Store) {
    let mut content: Vec<u8> = (0..=255u8).collect();
    content.extend_from_slice(&[0xff, 0xfe, 0x00, 0x00, 0xc3, 0x28, b'\r', b'\n', 0x80]);
    content.extend((0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    assert!(std::str::from_utf8(&content).is_err());
    let k = key("s::v", DocumentKind::ServiceMetadata, "d::v");
    w(store, |c| documents::put(c, &k, &content, "e", 1));
    assert_eq!(
        r(store, |c| documents::get(c, &k)).unwrap().content,
        content
    );
    w(store, |c| documents::put(c, &k, &[], "empty", 2));
    assert_eq!(
        r(store, |c| documents::get(c, &k)).unwrap().content,
        Vec::<u8>::new()
    );
}

fn keys_delete_for_participant(store: &Store) {
    let mine = [
        key("s::v", DocumentKind::ServiceMetadata, "d::b"),
        key("s::v", DocumentKind::ServiceGroup, ""),
        key("s::v", DocumentKind::BusinessCard, ""),
        key("s::v", DocumentKind::ServiceMetadata, "d::a"),
    ];
    for k in &mine {
        w(store, |c| documents::put(c, k, b"x", "e", 1));
    }
    let other = key("s::w", DocumentKind::ServiceGroup, "");
    w(store, |c| documents::put(c, &other, b"y", "e", 1));

    let keys = r(store, |c| documents::keys_for_participant(c, "s::v"));
    assert_eq!(
        keys,
        vec![
            mine[2].clone(),
            mine[1].clone(),
            mine[3].clone(),
            mine[0].clone()
        ]
    );
    assert!(r(store, |c| documents::keys_for_participant(c, "s::x")).is_empty());

    assert_eq!(
        w(store, |c| documents::delete_for_participant(c, "s::v")),
        4
    );
    assert_eq!(
        w(store, |c| documents::delete_for_participant(c, "s::v")),
        0
    );
    assert!(r(store, |c| documents::keys_for_participant(c, "s::v")).is_empty());
    assert!(r(store, |c| documents::get(c, &other)).is_some());
}
