use smp_store::{
    EndpointRecord, ProcessRecord, RedirectRecord, ServiceRecord, Store, profiles, services,
};

use crate::common::{endpoint, new_profile, participant, r, w, w_err};

per_backend!(
    replace_and_list_keep_order,
    get_is_exact_and_case_sensitive,
    replace_overwrites_the_whole_tree,
    redirect_round_trip,
    delete_one_service,
    unknown_participant_or_profile_is_foreign_key_violation,
    participants_using_profile_are_distinct,
    sync_profile_endpoints_rewrites_linked_endpoints,
);

const DOCTYPE_SCHEME: &str = "busdox-docid-qns";

fn process(value: &str, urls: &[&str]) -> ProcessRecord {
    ProcessRecord {
        scheme: "cenbii-procid-ubl".into(),
        value: value.into(),
        extension: Some(format!("<P>{value}</P>")),
        endpoints: urls.iter().map(|u| endpoint(u)).collect(),
    }
}

fn service(value: &str, processes: Vec<ProcessRecord>) -> ServiceRecord {
    ServiceRecord {
        doctype_scheme: DOCTYPE_SCHEME.into(),
        doctype_value: value.into(),
        redirect: None,
        extension: None,
        processes,
    }
}

fn replace_and_list_keep_order(store: &Store) {
    let p = participant(store, "s::v");
    // Written out of alphabetical order: processes and endpoints must come back as written.
    let b = service(
        "urn:b::Invoice##x::2.1",
        vec![
            process("urn:z", &["https://3", "https://1", "https://2"]),
            process("urn:a", &["https://0"]),
        ],
    );
    let a = ServiceRecord {
        extension: Some("<SvcExt/>".into()),
        ..service("urn:a::Order", vec![process("urn:p", &[])])
    };
    w(store, |c| services::replace(c, p.id, &b, 1));
    w(store, |c| services::replace(c, p.id, &a, 2));
    assert_eq!(
        r(store, |c| services::list(c, p.id)),
        vec![a.clone(), b.clone()]
    );
    assert!(r(store, |c| services::list(c, p.id + 100)).is_empty());
}

fn get_is_exact_and_case_sensitive(store: &Store) {
    let p = participant(store, "s::v");
    let other = participant(store, "s::w");
    let lower = service(
        "urn:doc::invoice",
        vec![process("urn:p", &["https://lower"])],
    );
    let upper = service(
        "urn:doc::Invoice",
        vec![process("urn:p", &["https://upper"])],
    );
    w(store, |c| services::replace(c, p.id, &lower, 1));
    w(store, |c| services::replace(c, p.id, &upper, 1));
    assert_eq!(
        r(store, |c| services::get(
            c,
            p.id,
            DOCTYPE_SCHEME,
            "urn:doc::invoice"
        )),
        Some(lower.clone())
    );
    assert_eq!(
        r(store, |c| services::get(
            c,
            p.id,
            DOCTYPE_SCHEME,
            "urn:doc::Invoice"
        )),
        Some(upper.clone())
    );
    assert_eq!(
        r(store, |c| services::get(
            c,
            p.id,
            DOCTYPE_SCHEME,
            "urn:doc::INVOICE"
        )),
        None
    );
    assert_eq!(
        r(store, |c| services::get(
            c,
            p.id,
            "BUSDOX-DOCID-QNS",
            "urn:doc::invoice"
        )),
        None
    );
    assert_eq!(
        r(store, |c| services::get(
            c,
            other.id,
            DOCTYPE_SCHEME,
            "urn:doc::invoice"
        )),
        None
    );
    // LIKE wildcards in a value are not patterns.
    assert_eq!(
        r(store, |c| services::get(
            c,
            p.id,
            DOCTYPE_SCHEME,
            "urn:doc::%nvoice"
        )),
        None
    );
    assert_eq!(r(store, |c| services::list(c, p.id)).len(), 2);
}

fn replace_overwrites_the_whole_tree(store: &Store) {
    let p = participant(store, "s::v");
    let first = service(
        "d",
        vec![
            process("urn:1", &["https://a", "https://b"]),
            process("urn:2", &["https://c"]),
        ],
    );
    let second = service("d", vec![process("urn:3", &["https://d"])]);
    w(store, |c| services::replace(c, p.id, &first, 1));
    w(store, |c| services::replace(c, p.id, &second, 2));
    assert_eq!(r(store, |c| services::list(c, p.id)), vec![second.clone()]);
    let empty = service("d", vec![]);
    w(store, |c| services::replace(c, p.id, &empty, 3));
    assert_eq!(
        r(store, |c| services::get(c, p.id, DOCTYPE_SCHEME, "d")),
        Some(empty)
    );
}

fn redirect_round_trip(store: &Store) {
    let p = participant(store, "s::v");
    let redirect = ServiceRecord {
        redirect: Some(RedirectRecord {
            href: "https://other-smp.example/iso::1/services/d".into(),
            certificate_uid: "CN=SMP, O=X".into(),
        }),
        extension: Some("<Ext/>".into()),
        ..service("d", vec![])
    };
    w(store, |c| services::replace(c, p.id, &redirect, 1));
    assert_eq!(
        r(store, |c| services::get(c, p.id, DOCTYPE_SCHEME, "d")),
        Some(redirect.clone())
    );
    // Back from redirect to a normal service.
    let normal = service("d", vec![process("urn:p", &["https://a"])]);
    w(store, |c| services::replace(c, p.id, &normal, 2));
    assert_eq!(r(store, |c| services::list(c, p.id)), vec![normal]);
}

fn delete_one_service(store: &Store) {
    let p = participant(store, "s::v");
    w(store, |c| {
        services::replace(
            c,
            p.id,
            &service("d1", vec![process("urn:p", &["https://a"])]),
            1,
        )
    });
    w(store, |c| {
        services::replace(c, p.id, &service("d2", vec![]), 1)
    });
    assert!(!w(store, |c| services::delete(
        c,
        p.id,
        DOCTYPE_SCHEME,
        "D1"
    )));
    assert!(w(store, |c| services::delete(
        c,
        p.id,
        DOCTYPE_SCHEME,
        "d1"
    )));
    assert!(!w(store, |c| services::delete(
        c,
        p.id,
        DOCTYPE_SCHEME,
        "d1"
    )));
    let left: Vec<String> = r(store, |c| services::list(c, p.id))
        .into_iter()
        .map(|s| s.doctype_value)
        .collect();
    assert_eq!(left, ["d2"]);
}

fn unknown_participant_or_profile_is_foreign_key_violation(store: &Store) {
    let err = w_err(store, |c| {
        services::replace(c, 999, &service("d", vec![]), 1)
    });
    assert!(err.is_foreign_key_violation(), "{err:?}");
    let p = participant(store, "s::v");
    let mut bad = service("d", vec![process("urn:p", &["https://a"])]);
    bad.processes[0].endpoints[0].profile_id = Some(999);
    let err = w_err(store, |c| services::replace(c, p.id, &bad, 1));
    assert!(err.is_foreign_key_violation(), "{err:?}");
    assert!(r(store, |c| services::list(c, p.id)).is_empty());
}

fn linked(profile_id: i64, url: &str) -> EndpointRecord {
    EndpointRecord {
        profile_id: Some(profile_id),
        ..endpoint(url)
    }
}

fn participants_using_profile_are_distinct(store: &Store) {
    let used = w(store, |c| profiles::insert(c, &new_profile("used")));
    let unused = w(store, |c| profiles::insert(c, &new_profile("unused")));
    let a = participant(store, "s::a");
    let b = participant(store, "s::b");
    let c_ = participant(store, "s::c");
    let two_links = service(
        "d1",
        vec![ProcessRecord {
            endpoints: vec![linked(used.id, "https://1"), linked(used.id, "https://2")],
            ..process("urn:p", &[])
        }],
    );
    w(store, |c| services::replace(c, b.id, &two_links, 1));
    w(store, |c| {
        services::replace(
            c,
            b.id,
            &ServiceRecord {
                doctype_value: "d2".into(),
                ..two_links.clone()
            },
            1,
        )
    });
    w(store, |c| services::replace(c, a.id, &two_links, 1));
    w(store, |c| {
        services::replace(
            c,
            c_.id,
            &service("d1", vec![process("urn:p", &["https://plain"])]),
            1,
        )
    });
    assert_eq!(
        r(store, |c| services::participants_using_profile(c, used.id)),
        vec![a.id, b.id]
    );
    assert!(
        r(store, |c| services::participants_using_profile(
            c, unused.id
        ))
        .is_empty()
    );
}

fn sync_profile_endpoints_rewrites_linked_endpoints(store: &Store) {
    let profile = w(store, |c| profiles::insert(c, &new_profile("prof")));
    let p = participant(store, "s::v");
    let from_profile = |url: &str| EndpointRecord {
        profile_id: Some(profile.id),
        transport_profile: profile.transport_profile.clone(),
        endpoint_url: url.into(),
        certificate: profile.certificate.clone(),
        service_description: profile.service_description.clone(),
        technical_contact_url: profile.technical_contact_url.clone(),
        technical_information_url: profile.technical_information_url.clone(),
        require_business_level_signature: profile.require_business_level_signature,
        minimum_authentication_level: profile.minimum_authentication_level.clone(),
        activation_date: profile.activation_date.clone(),
        expiration_date: profile.expiration_date.clone(),
        extension: Some("<kept/>".into()),
    };
    let record = service(
        "d",
        vec![ProcessRecord {
            endpoints: vec![
                from_profile(&profile.endpoint_url),
                endpoint("https://independent"),
                from_profile("https://stale"),
            ],
            ..process("urn:p", &[])
        }],
    );
    w(store, |c| services::replace(c, p.id, &record, 1));
    // Only the stale copy differs from the profile.
    assert_eq!(
        w(store, |c| services::sync_profile_endpoints(c, &profile)),
        1
    );
    assert_eq!(
        w(store, |c| services::sync_profile_endpoints(c, &profile)),
        0
    );

    let mut updated = profile.clone();
    updated.endpoint_url = "https://moved.example/as4".into();
    updated.technical_information_url = None;
    updated.expiration_date = Some("2031-01-01".into());
    updated.require_business_level_signature = true;
    w(store, |c| profiles::update(c, &updated));
    assert_eq!(
        w(store, |c| services::sync_profile_endpoints(c, &updated)),
        2
    );

    let got = r(store, |c| services::get(c, p.id, DOCTYPE_SCHEME, "d")).unwrap();
    let eps = &got.processes[0].endpoints;
    for e in [&eps[0], &eps[2]] {
        assert_eq!(e.endpoint_url, "https://moved.example/as4");
        assert_eq!(e.technical_information_url, None);
        assert_eq!(e.expiration_date.as_deref(), Some("2031-01-01"));
        assert!(e.require_business_level_signature);
        assert_eq!(e.extension.as_deref(), Some("<kept/>"));
        assert_eq!(e.profile_id, Some(profile.id));
    }
    assert_eq!(eps[1], endpoint("https://independent"));
}
