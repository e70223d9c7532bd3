use smp_store::{AuditQuery, NewAuditEntry, Store, audit};

use crate::common::{r, w};

per_backend!(append_list_newest_first_filter_and_page);

fn entry(at: i64, key: Option<&str>) -> NewAuditEntry {
    NewAuditEntry {
        at,
        actor: "admin".into(),
        action: "participant.create".into(),
        participant_key: key.map(str::to_owned),
        target: Some(format!("t{at}")),
        outcome: "ok".into(),
        detail: (at == 3).then(|| "detail".to_owned()),
    }
}

fn append_list_newest_first_filter_and_page(store: &Store) {
    assert_eq!(r(store, audit::count), 0);
    for (at, key) in [
        (1, Some("a::1")),
        (2, None),
        (3, Some("a::1")),
        (4, Some("b::2")),
    ] {
        w(store, |c| audit::append(c, &entry(at, key)));
    }
    assert_eq!(r(store, audit::count), 4);

    let all = r(store, |c| {
        audit::list(
            c,
            &AuditQuery {
                participant_key: None,
                offset: 0,
                limit: 10,
            },
        )
    });
    assert_eq!(all.iter().map(|e| e.at).collect::<Vec<_>>(), [4, 3, 2, 1]);
    let third = &all[1];
    assert_eq!(
        (
            third.actor.as_str(),
            third.action.as_str(),
            third.outcome.as_str()
        ),
        ("admin", "participant.create", "ok")
    );
    assert_eq!(
        (third.target.as_deref(), third.detail.as_deref()),
        (Some("t3"), Some("detail"))
    );
    assert!(all.windows(2).all(|p| p[0].id > p[1].id));

    let a = r(store, |c| {
        audit::list(
            c,
            &AuditQuery {
                participant_key: Some("a::1".into()),
                offset: 0,
                limit: 10,
            },
        )
    });
    assert_eq!(a.iter().map(|e| e.at).collect::<Vec<_>>(), [3, 1]);

    let page = r(store, |c| {
        audit::list(
            c,
            &AuditQuery {
                participant_key: None,
                offset: 1,
                limit: 2,
            },
        )
    });
    assert_eq!(page.iter().map(|e| e.at).collect::<Vec<_>>(), [3, 2]);
    // Negative paging values are clamped instead of failing (PostgreSQL) or meaning "all" (SQLite).
    let none = r(store, |c| {
        audit::list(
            c,
            &AuditQuery {
                participant_key: None,
                offset: -5,
                limit: -1,
            },
        )
    });
    assert!(none.is_empty());
}
