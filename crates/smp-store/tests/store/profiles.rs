use smp_store::{ProcessRecord, ServiceRecord, Store, profiles, services};

use crate::common::{endpoint, new_profile, participant, r, w, w_err};

per_backend!(
    insert_find_list_update_delete,
    duplicate_name_is_unique_violation,
    delete_in_use_is_refused
);

fn insert_find_list_update_delete(store: &Store) {
    let p = w(store, |c| profiles::insert(c, &new_profile("zulu")));
    let expected = new_profile("zulu");
    assert_eq!(p.name, "zulu");
    assert_eq!(p.endpoint_url, expected.endpoint_url);
    assert_eq!(
        p.technical_information_url,
        expected.technical_information_url
    );
    assert_eq!(p.activation_date, expected.activation_date);
    assert_eq!((p.created_at, p.updated_at), (5, 5));
    w(store, |c| profiles::insert(c, &new_profile("alpha")));
    assert_eq!(r(store, |c| profiles::get(c, p.id)), Some(p.clone()));
    assert_eq!(
        r(store, |c| profiles::get_by_name(c, "zulu")),
        Some(p.clone())
    );
    assert_eq!(r(store, |c| profiles::get_by_name(c, "ZULU")), None);
    let names: Vec<String> = r(store, profiles::list)
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["alpha", "zulu"]);

    let mut changed = p.clone();
    changed.name = "yankee".into();
    changed.endpoint_url = "https://new.example/as4".into();
    changed.technical_information_url = None;
    changed.require_business_level_signature = true;
    changed.minimum_authentication_level = Some("2".into());
    changed.updated_at = 9;
    changed.created_at = 1234; // ignored: creation time is not updatable
    assert!(w(store, |c| profiles::update(c, &changed)));
    let got = r(store, |c| profiles::get(c, p.id)).unwrap();
    assert_eq!(
        got,
        smp_store::ProfileRow {
            created_at: 5,
            ..changed.clone()
        }
    );
    assert!(!w(store, |c| profiles::update(
        c,
        &smp_store::ProfileRow {
            id: p.id + 100,
            ..changed
        }
    )));

    assert!(w(store, |c| profiles::delete(c, p.id)));
    assert!(!w(store, |c| profiles::delete(c, p.id)));
    assert_eq!(r(store, |c| profiles::get(c, p.id)), None);
}

fn duplicate_name_is_unique_violation(store: &Store) {
    let a = w(store, |c| profiles::insert(c, &new_profile("a")));
    let err = w_err(store, |c| profiles::insert(c, &new_profile("a")));
    assert!(err.is_unique_violation(), "{err:?}");
    let b = w(store, |c| profiles::insert(c, &new_profile("b")));
    let err = w_err(store, |c| {
        profiles::update(
            c,
            &smp_store::ProfileRow {
                name: a.name.clone(),
                ..b
            },
        )
    });
    assert!(err.is_unique_violation(), "{err:?}");
}

fn delete_in_use_is_refused(store: &Store) {
    let profile = w(store, |c| profiles::insert(c, &new_profile("used")));
    let p = participant(store, "s::v");
    let service = ServiceRecord {
        doctype_scheme: "d".into(),
        doctype_value: "v".into(),
        redirect: None,
        extension: None,
        processes: vec![ProcessRecord {
            scheme: "p".into(),
            value: "v".into(),
            extension: None,
            endpoints: vec![smp_store::EndpointRecord {
                profile_id: Some(profile.id),
                ..endpoint("https://x")
            }],
        }],
    };
    w(store, |c| services::replace(c, p.id, &service, 1));
    let err = w_err(store, |c| profiles::delete(c, profile.id));
    assert!(err.is_in_use() && err.is_foreign_key_violation(), "{err:?}");
    assert!(r(store, |c| profiles::get(c, profile.id)).is_some());
    // Once no endpoint uses it, it can go.
    assert!(w(store, |c| services::delete(c, p.id, "d", "v")));
    assert!(w(store, |c| profiles::delete(c, profile.id)));
}
