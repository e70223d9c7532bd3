use smp_store::{DeliveryOutcome, NewEvent, NewSubscription, Store, events, webhooks};

use crate::common::{r, user, w};

per_backend!(
    events_are_listed_after_a_sequence_number,
    events_commit_in_id_order,
    old_finished_events_are_pruned,
    due_deliveries_join_event_and_subscription,
    attempts_are_guarded,
    deleting_a_subscription_deletes_its_deliveries
);

fn event(id: &str, at: i64) -> NewEvent {
    NewEvent {
        event_id: id.into(),
        event_type: "participant.registered".into(),
        created_at: at,
        data: r#"{"participant":"x"}"#.into(),
    }
}

fn subscription(id: &str, owner_id: Option<i64>) -> NewSubscription {
    NewSubscription {
        id: id.into(),
        url: format!("http://127.0.0.1:9/{id}"),
        secret: "s3cret".into(),
        event_types: "*".into(),
        owner_id,
        created_at: 5,
    }
}

/// A transaction that inserts an event after another one did, but would commit first, must
/// not make its event visible before the earlier one: a poller at `after=` its id would skip
/// the earlier event for good. So the later insert waits until the earlier transaction
/// ended: once it returns, the earlier event is visible. (Checked from inside the later
/// transaction, not with clocks, which a loaded machine makes unreliable.)
fn events_commit_in_id_order(store: &Store) {
    use std::sync::mpsc;
    use std::time::Duration;

    let (inserted_tx, inserted_rx) = mpsc::channel();
    let seen_by_second = std::thread::scope(|scope| {
        scope.spawn(|| {
            w(store, |c| {
                let row = events::insert(c, &event("evt_first", 10))?;
                inserted_tx.send(row.id).unwrap();
                // Hold the transaction open while the other one inserts.
                std::thread::sleep(Duration::from_millis(300));
                Ok(row)
            })
        });
        let first_id = inserted_rx.recv().unwrap();
        w(store, |c| {
            events::insert(c, &event("evt_second", 11))?;
            events::get(c, first_id)
        })
    });
    assert!(
        seen_by_second.is_some(),
        "the later insert went ahead while the earlier event was still uncommitted"
    );
    let seen: Vec<String> = r(store, |conn| events::after(conn, 0, 10))
        .into_iter()
        .map(|e| e.event_id)
        .collect();
    assert_eq!(seen, ["evt_first", "evt_second"]);
}

/// Retention: old events go with their finished deliveries; an event still being delivered
/// and recent events stay.
fn old_finished_events_are_pruned(store: &Store) {
    w(store, |c| {
        webhooks::insert_subscription(c, &subscription("whk_1", None))
    });
    let delivered = w(store, |c| events::insert(c, &event("evt_delivered", 10)));
    let pending = w(store, |c| events::insert(c, &event("evt_pending", 11)));
    let plain = w(store, |c| events::insert(c, &event("evt_plain", 12)));
    let recent = w(store, |c| events::insert(c, &event("evt_recent", 100)));
    let done = w(store, |c| {
        webhooks::insert_delivery(c, "whk_1", delivered.id, 10)
    });
    let outcome = DeliveryOutcome {
        status: "delivered",
        next_attempt_at: 10,
        http_status: Some(200),
        error: None,
        delivered_at: Some(10),
    };
    assert!(w(store, |c| webhooks::record_attempt(
        c, done.id, 0, &outcome
    )));
    let waiting = w(store, |c| {
        webhooks::insert_delivery(c, "whk_1", pending.id, 11)
    });

    // One at a time, oldest first.
    assert_eq!(w(store, |c| events::prune_before(c, 50, 1)), 1);
    assert_eq!(w(store, |c| events::prune_before(c, 50, 100)), 1);
    assert_eq!(w(store, |c| events::prune_before(c, 50, 100)), 0);
    let left: Vec<String> = r(store, |c| events::after(c, 0, 10))
        .into_iter()
        .map(|e| e.event_id)
        .collect();
    assert_eq!(left, ["evt_pending", "evt_recent"]);
    assert!(r(store, |c| events::get(c, plain.id)).is_none());
    assert!(r(store, |c| webhooks::get_delivery(c, done.id)).is_none());
    assert!(r(store, |c| webhooks::get_delivery(c, waiting.id)).is_some());
    assert!(r(store, |c| events::get(c, recent.id)).is_some());
}

fn events_are_listed_after_a_sequence_number(store: &Store) {
    let a = w(store, |c| events::insert(c, &event("evt_a", 10)));
    let b = w(store, |c| events::insert(c, &event("evt_b", 11)));
    let c = w(store, |c| events::insert(c, &event("evt_c", 12)));
    assert!(a.id < b.id && b.id < c.id);
    assert_eq!(b.event_type, "participant.registered");
    assert_eq!(b.data, r#"{"participant":"x"}"#);
    let ids =
        |rows: Vec<smp_store::EventRow>| rows.into_iter().map(|e| e.event_id).collect::<Vec<_>>();
    assert_eq!(
        ids(r(store, |conn| events::after(conn, 0, 10))),
        ["evt_a", "evt_b", "evt_c"]
    );
    assert_eq!(
        ids(r(store, |conn| events::after(conn, a.id, 10))),
        ["evt_b", "evt_c"]
    );
    assert_eq!(
        ids(r(store, |conn| events::after(conn, a.id, 1))),
        ["evt_b"]
    );
    assert!(r(store, |conn| events::after(conn, c.id, 10)).is_empty());
    assert_eq!(r(store, |conn| events::get(conn, b.id)), Some(b));
    // The public id is unique.
    assert!(
        store
            .write(|conn| events::insert(conn, &event("evt_a", 13)))
            .unwrap_err()
            .is_unique_violation()
    );
}

fn due_deliveries_join_event_and_subscription(store: &Store) {
    let admin = user(store, "admin", true);
    let sub = w(store, |c| {
        webhooks::insert_subscription(c, &subscription("whk_1", Some(admin.id)))
    });
    assert!(sub.active);
    assert_eq!(sub.owner_id, Some(admin.id));
    let e1 = w(store, |c| events::insert(c, &event("evt_1", 10)));
    let e2 = w(store, |c| events::insert(c, &event("evt_2", 20)));
    let d1 = w(store, |c| webhooks::insert_delivery(c, "whk_1", e1.id, 10));
    let d2 = w(store, |c| webhooks::insert_delivery(c, "whk_1", e2.id, 20));
    assert_eq!(
        (d1.status.as_str(), d1.attempts, d1.next_attempt_at),
        ("pending", 0, 10)
    );

    let due = r(store, |c| webhooks::due(c, 15, 10));
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].delivery, d1);
    assert_eq!(due[0].event, e1);
    assert_eq!(due[0].subscription, sub);
    let due: Vec<i64> = r(store, |c| webhooks::due(c, 20, 10))
        .iter()
        .map(|d| d.delivery.id)
        .collect();
    assert_eq!(due, [d1.id, d2.id]);
    assert_eq!(r(store, |c| webhooks::due(c, 20, 1)).len(), 1);

    let newest_first: Vec<i64> = r(store, |c| webhooks::deliveries_for(c, "whk_1", 10))
        .iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(newest_first, [d2.id, d1.id]);
    assert!(r(store, |c| webhooks::deliveries_for(c, "whk_other", 10)).is_empty());
    assert_eq!(
        r(store, webhooks::list_subscriptions),
        std::slice::from_ref(&sub)
    );
    assert_eq!(r(store, webhooks::active_subscriptions), [sub]);
    // A delivery for a subscription that does not exist is refused.
    assert!(
        store
            .write(|c| webhooks::insert_delivery(c, "whk_missing", e1.id, 1))
            .unwrap_err()
            .is_foreign_key_violation()
    );
}

fn attempts_are_guarded(store: &Store) {
    w(store, |c| {
        webhooks::insert_subscription(c, &subscription("whk_1", None))
    });
    let e = w(store, |c| events::insert(c, &event("evt_1", 10)));
    let d = w(store, |c| webhooks::insert_delivery(c, "whk_1", e.id, 10));
    let retry = DeliveryOutcome {
        status: "pending",
        next_attempt_at: 99,
        http_status: Some(500),
        error: Some("HTTP 500"),
        delivered_at: None,
    };
    assert!(w(store, |c| webhooks::record_attempt(c, d.id, 0, &retry)));
    // A second worker that read the same attempt count loses the race.
    assert!(!w(store, |c| webhooks::record_attempt(c, d.id, 0, &retry)));
    assert!(r(store, |c| webhooks::due(c, 98, 10)).is_empty());
    assert_eq!(r(store, |c| webhooks::due(c, 99, 10)).len(), 1);
    let done = DeliveryOutcome {
        status: "delivered",
        next_attempt_at: 100,
        http_status: Some(204),
        error: None,
        delivered_at: Some(100),
    };
    assert!(w(store, |c| webhooks::record_attempt(c, d.id, 1, &done)));
    let stored = r(store, |c| webhooks::get_delivery(c, d.id)).unwrap();
    assert_eq!(
        (
            stored.status.as_str(),
            stored.attempts,
            stored.last_http_status,
            stored.last_error,
            stored.delivered_at
        ),
        ("delivered", 2, Some(204), None, Some(100))
    );
    // Delivered is final.
    assert!(!w(store, |c| webhooks::record_attempt(c, d.id, 2, &retry)));
    assert!(r(store, |c| webhooks::due(c, i64::MAX, 10)).is_empty());
}

fn deleting_a_subscription_deletes_its_deliveries(store: &Store) {
    w(store, |c| {
        webhooks::insert_subscription(c, &subscription("whk_1", None))
    });
    w(store, |c| {
        webhooks::insert_subscription(c, &subscription("whk_2", None))
    });
    let e = w(store, |c| events::insert(c, &event("evt_1", 10)));
    let d1 = w(store, |c| webhooks::insert_delivery(c, "whk_1", e.id, 10));
    let d2 = w(store, |c| webhooks::insert_delivery(c, "whk_2", e.id, 10));
    assert!(w(store, |c| webhooks::delete_subscription(c, "whk_1")));
    assert!(!w(store, |c| webhooks::delete_subscription(c, "whk_1")));
    assert_eq!(r(store, |c| webhooks::get_subscription(c, "whk_1")), None);
    assert_eq!(r(store, |c| webhooks::get_delivery(c, d1.id)), None);
    assert!(r(store, |c| webhooks::get_delivery(c, d2.id)).is_some());
    assert_eq!(
        r(store, |c| webhooks::get_subscription(c, "whk_2"))
            .map(|s| s.id)
            .as_deref(),
        Some("whk_2")
    );
}
