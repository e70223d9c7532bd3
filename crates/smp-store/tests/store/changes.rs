use smp_store::{Store, changes};

use crate::common::{r, w};

per_backend!(record_since_recent_latest, prune_never_reuses_ids);

fn record_since_recent_latest(store: &Store) {
    assert_eq!(r(store, changes::latest_id), 0);
    assert!(r(store, |c| changes::since(c, 0, 10)).is_empty());
    let ids: Vec<i64> = [("a::1", 100), ("b::2", 200), ("a::1", 300)]
        .into_iter()
        .map(|(key, at)| w(store, |c| changes::record(c, key, at)))
        .collect();
    assert!(ids.windows(2).all(|p| p[0] < p[1]), "{ids:?}");
    assert_eq!(r(store, changes::latest_id), ids[2]);

    let all = r(store, |c| changes::since(c, 0, 10));
    assert_eq!(
        all.iter()
            .map(|c| (c.id, c.at, c.participant_key.as_str()))
            .collect::<Vec<_>>(),
        [
            (ids[0], 100, "a::1"),
            (ids[1], 200, "b::2"),
            (ids[2], 300, "a::1")
        ]
    );
    let after_first = r(store, |c| changes::since(c, ids[0], 1));
    assert_eq!(
        after_first.iter().map(|c| c.id).collect::<Vec<_>>(),
        [ids[1]]
    );
    assert!(r(store, |c| changes::since(c, ids[2], 10)).is_empty());

    let recent = r(store, |c| changes::recent(c, 200));
    assert_eq!(recent.iter().map(|c| c.at).collect::<Vec<_>>(), [200, 300]);
    assert!(r(store, |c| changes::recent(c, 301)).is_empty());
}

fn prune_never_reuses_ids(store: &Store) {
    let first = w(store, |c| changes::record(c, "a::1", 100));
    let second = w(store, |c| changes::record(c, "a::1", 200));
    assert_eq!(w(store, |c| changes::prune_before(c, 200)), 1);
    assert_eq!(
        r(store, |c| changes::since(c, 0, 10))
            .iter()
            .map(|c| c.id)
            .collect::<Vec<_>>(),
        [second]
    );
    assert_eq!(w(store, |c| changes::prune_before(c, 1000)), 1);
    assert_eq!(r(store, changes::latest_id), 0);
    // A reader that saw `second` must still see later changes.
    let third = w(store, |c| changes::record(c, "a::1", 300));
    assert!(third > second && second > first);
    assert_eq!(r(store, |c| changes::since(c, second, 10)).len(), 1);
}
