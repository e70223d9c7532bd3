use smp_store::{EntityRecord, Store, business_cards};

use crate::common::{participant, r, w, w_err};

per_backend!(
    absent_empty_replace_delete,
    unknown_participant_is_foreign_key_violation
);

fn entity(n: u32) -> EntityRecord {
    EntityRecord {
        names_json: format!(r#"[["Name {n}","en"]]"#),
        country_code: "BE".into(),
        geographical_information: n.is_multiple_of(2).then(|| "Brussels\nBelgium".to_owned()),
        identifiers_json: "[]".into(),
        websites_json: r#"["https://example.com"]"#.into(),
        contacts_json: "[]".into(),
        additional_information: Some("ünïcødé ✓".into()),
        registration_date: Some("2020-02-29".into()),
    }
}

fn absent_empty_replace_delete(store: &Store) {
    let p = participant(store, "s::v");
    assert_eq!(r(store, |c| business_cards::get(c, p.id)), None);
    w(store, |c| business_cards::replace(c, p.id, &[], 1));
    assert_eq!(r(store, |c| business_cards::get(c, p.id)), Some(vec![]));

    let entities: Vec<EntityRecord> = [3, 1, 2].into_iter().map(entity).collect();
    w(store, |c| business_cards::replace(c, p.id, &entities, 2));
    assert_eq!(r(store, |c| business_cards::get(c, p.id)), Some(entities));
    w(store, |c| business_cards::replace(c, p.id, &[entity(9)], 3));
    assert_eq!(
        r(store, |c| business_cards::get(c, p.id)),
        Some(vec![entity(9)])
    );

    assert!(w(store, |c| business_cards::delete(c, p.id)));
    assert!(!w(store, |c| business_cards::delete(c, p.id)));
    assert_eq!(r(store, |c| business_cards::get(c, p.id)), None);
}

fn unknown_participant_is_foreign_key_violation(store: &Store) {
    let err = w_err(store, |c| business_cards::replace(c, 404, &[entity(1)], 1));
    assert!(err.is_foreign_key_violation(), "{err:?}");
}
