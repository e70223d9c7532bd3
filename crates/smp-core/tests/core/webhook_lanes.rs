//! Webhook deliveries run one lane per subscription, side by side: a slow or failing
//! receiver holds up only its own deliveries; secrets are sealed at rest.

use std::sync::{Condvar, Mutex};
use std::time::Duration;

use smp_core::{KeySealer, NewParticipant, NewWebhook, WebhookSender, WebhookView};

use crate::support::{Env, each_backend};

/// Subscription `a` answers only once `b` has received all three of its deliveries (which a
/// serial worker would never let happen), then stops answering; `b` always succeeds.
#[derive(Default)]
struct TwoReceivers {
    b_seen: Mutex<usize>,
    b_done: Condvar,
    a_calls: Mutex<usize>,
}

impl WebhookSender for TwoReceivers {
    fn post(&self, url: &str, _: &[(String, String)], _: &[u8]) -> Result<u16, String> {
        if url.ends_with("/b") {
            *self.b_seen.lock().unwrap() += 1;
            self.b_done.notify_all();
            return Ok(200);
        }
        let mut calls = self.a_calls.lock().unwrap();
        *calls += 1;
        if *calls > 1 {
            return Err("connection refused".into());
        }
        drop(calls);
        let seen = self.b_seen.lock().unwrap();
        let (seen, timeout) = self
            .b_done
            .wait_timeout_while(seen, Duration::from_secs(20), |n| *n < 3)
            .unwrap();
        if timeout.timed_out() {
            return Err(format!("b saw only {} deliveries: lanes are serial", *seen));
        }
        Ok(200)
    }
}

fn subscribe(env: &Env, url: &str) -> WebhookView {
    env.registry
        .events()
        .create_webhook(
            &env.admin,
            &NewWebhook {
                url: url.into(),
                secret: Some("lane-secret-0123456789".into()),
                events: vec!["participant.registered".into()],
            },
        )
        .unwrap()
}

fn register(env: &Env, value: &str) {
    env.registry
        .participants()
        .create_participant(
            &env.admin,
            &NewParticipant {
                participant: format!("iso6523-actorid-upis::{value}"),
                capabilities: vec![],
                owner: None,
                create_in_sml: None,
            },
        )
        .unwrap();
}

#[test]
fn a_slow_receiver_holds_up_only_its_own_lane_and_a_silent_one_stops_for_the_run() {
    each_backend(|env| {
        let a = subscribe(&env, "http://a.invalid/a");
        let b = subscribe(&env, "http://b.invalid/b");
        for value in ["0208:0123456749", "0208:0677424046", "9915:lane3"] {
            register(&env, value);
        }
        let sender = TwoReceivers::default();
        let summary = env
            .registry
            .events()
            .run_webhook_deliveries(&sender, 100)
            .unwrap();
        // b: all three; a: the first (after b's), the second unanswered, the third not tried.
        assert_eq!((summary.delivered, summary.retrying), (4, 1), "{summary:?}");
        let attempts = |id: &str| {
            let mut v: Vec<i32> = env
                .registry
                .events()
                .webhook_deliveries(&env.admin, id, 10)
                .unwrap()
                .iter()
                .map(|d| d.attempts)
                .collect();
            v.sort_unstable();
            v
        };
        assert_eq!(attempts(&b.id), vec![1, 1, 1]);
        assert_eq!(
            attempts(&a.id),
            vec![0, 1, 1],
            "the third waits for the next run"
        );
    });
}

#[test]
fn webhook_secrets_are_sealed_at_rest_and_still_sign() {
    each_backend(|env| {
        let Env {
            registry, admin, ..
        } = env;
        let key = KeySealer::generate_key_text().unwrap();
        let core = registry.with_key_sealer(KeySealer::from_key_text(&key).unwrap());
        let created = core
            .events()
            .create_webhook(
                &admin,
                &NewWebhook {
                    url: "http://receiver.invalid/hook".into(),
                    secret: Some("sealed-secret-0123456789".into()),
                    events: vec!["participant.registered".into()],
                },
            )
            .unwrap();
        assert_eq!(created.secret.as_deref(), Some("sealed-secret-0123456789"));
        let stored = core
            .store()
            .read(|conn| smp_store::webhooks::get_subscription(conn, &created.id))
            .unwrap()
            .unwrap()
            .secret;
        assert!(stored.starts_with("sealed:v1:"), "{stored}");
        assert!(!stored.contains("sealed-secret"), "{stored}");
    });
}
