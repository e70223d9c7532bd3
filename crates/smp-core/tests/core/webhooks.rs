//! Events and webhooks: the outbox is written with the change, deliveries reach a real
//! local HTTP receiver signed with HMAC-SHA256, failures are retried with backoff and
//! given up after the last attempt.

use std::collections::VecDeque;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::sign::Signer;
use peppol_id::ParticipantId;
use smp_core::{CapabilitySpec, HttpWebhookSender, NewParticipant, NewWebhook, WebhookView};
use smp_xml::ServiceGroup;
use test_support::http_stub::{self, Request, Response};

use crate::support::{DOCTYPE, Env, PARTICIPANT, PROCESS, each_backend, each_backend_with_sml};

const SECRET: &str = "test-secret-0123456789";

/// One request as the receiver saw it.
type Received = Request;

/// A local HTTP server that records requests and answers with scripted statuses (200 once
/// the script is used up).
struct Receiver {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    fn start(script: &[u16]) -> Self {
        let received = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(script.iter().copied().collect::<VecDeque<_>>()));
        let (rec, scr) = (received.clone(), script.clone());
        let base = http_stub::serve(move |request| {
            rec.lock().unwrap().push(request.clone());
            Response::empty(scr.lock().unwrap().pop_front().unwrap_or(200))
        });
        Self {
            url: format!("{base}/hook"),
            received,
            script,
        }
    }

    fn requests(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

fn hmac_hex(secret: &str, body: &[u8]) -> String {
    let key = PKey::hmac(secret.as_bytes()).unwrap();
    let mut signer = Signer::new(MessageDigest::sha256(), &key).unwrap();
    signer.update(body).unwrap();
    data_encoding::HEXLOWER.encode(&signer.sign_to_vec().unwrap())
}

fn subscribe(env: &Env, url: &str, events: &[&str]) -> WebhookView {
    env.registry
        .events()
        .create_webhook(
            &env.admin,
            &NewWebhook {
                url: url.into(),
                secret: Some(SECRET.into()),
                events: events.iter().map(|e| (*e).to_owned()).collect(),
            },
        )
        .unwrap()
}

fn participant(value: &str) -> NewParticipant {
    NewParticipant {
        participant: format!("iso6523-actorid-upis::{value}"),
        capabilities: vec![],
        owner: None,
        create_in_sml: None,
    }
}

/// Well after every delivery created by the test so far.
fn later() -> i64 {
    let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    i64::try_from(nanos / 1_000_000).unwrap() + 1000
}

#[test]
fn a_registration_is_delivered_signed_and_listed() {
    each_backend_with_sml(|env| {
        let receiver = Receiver::start(&[]);
        let hook = subscribe(&env, &receiver.url, &["*"]);
        assert_eq!(hook.secret.as_deref(), Some(SECRET));
        env.registry
            .participants()
            .create_participant(&env.admin, &participant("0208:0123456749"))
            .unwrap();

        let sender = HttpWebhookSender::new().unwrap();
        let summary = env
            .registry
            .events()
            .run_webhook_deliveries(&sender, 10)
            .unwrap();
        assert_eq!(summary.delivered, 1, "{summary:?}");

        let requests = receiver.requests();
        assert_eq!(requests.len(), 1);
        let req = &requests[0];
        assert_eq!(req.path, "/hook");
        assert_eq!(req.headers["content-type"], "application/json");
        assert_eq!(req.headers["x-ferry-event"], "participant.registered");
        assert_eq!(
            req.headers["x-ferry-signature"],
            format!("sha256={}", hmac_hex(SECRET, &req.body))
        );
        assert_ne!(
            req.headers["x-ferry-signature"],
            format!("sha256={}", hmac_hex("another-secret-xxxxx", &req.body))
        );

        let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
        let events = env
            .registry
            .events()
            .events_after(&env.admin, None, None)
            .unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(body["id"], events[0].id.as_str());
        assert!(events[0].id.starts_with("evt_"));
        assert_eq!(body["type"], "participant.registered");
        assert_eq!(body["created_at"], events[0].created_at.as_str());
        assert_eq!(
            body["data"],
            serde_json::json!({"participant": PARTICIPANT, "smlState": "pending"})
        );
        assert_eq!(body["data"], events[0].data);
        assert!(
            env.registry
                .events()
                .events_after(&env.admin, Some(events[0].seq), None)
                .unwrap()
                .is_empty()
        );

        let deliveries = env
            .registry
            .events()
            .webhook_deliveries(&env.admin, &hook.id, 10)
            .unwrap();
        assert_eq!(deliveries.len(), 1);
        let d = &deliveries[0];
        assert_eq!(req.headers["x-ferry-delivery"], d.id.to_string());
        assert_eq!(
            (d.status.as_str(), d.attempts, d.last_http_status),
            ("delivered", 1, Some(200))
        );
        assert_eq!(d.event_id, events[0].id);
        assert!(d.delivered_at.is_some() && d.next_attempt_at.is_none());

        // Nothing is sent twice.
        let again = env
            .registry
            .events()
            .run_webhook_deliveries(&sender, 10)
            .unwrap();
        assert_eq!(again, Default::default());
        assert_eq!(receiver.requests().len(), 1);
    });
}

#[test]
fn a_refused_delivery_is_retried_with_the_same_bytes() {
    each_backend(|env| {
        let receiver = Receiver::start(&[500, 503]);
        let hook = subscribe(&env, &receiver.url, &["participant.registered"]);
        env.registry
            .participants()
            .create_participant(&env.admin, &participant("0208:0123456749"))
            .unwrap();
        let sender = HttpWebhookSender::new().unwrap();
        let now = later();

        let first = env
            .registry
            .events()
            .run_webhook_deliveries_at(&sender, 10, now)
            .unwrap();
        assert_eq!((first.retrying, first.delivered), (1, 0));
        let d = &env
            .registry
            .events()
            .webhook_deliveries(&env.admin, &hook.id, 10)
            .unwrap()[0];
        assert_eq!(
            (
                d.status.as_str(),
                d.attempts,
                d.last_http_status,
                d.last_error.as_deref()
            ),
            ("pending", 1, Some(500), Some("HTTP 500"))
        );
        // Not due again before the backoff (1 s) has passed.
        let early = env
            .registry
            .events()
            .run_webhook_deliveries_at(&sender, 10, now + 999)
            .unwrap();
        assert_eq!(early, Default::default());
        // Second attempt after 1 s, third after another 2 s.
        let second = env
            .registry
            .events()
            .run_webhook_deliveries_at(&sender, 10, now + 1000)
            .unwrap();
        assert_eq!(second.retrying, 1);
        assert_eq!(
            env.registry
                .events()
                .run_webhook_deliveries_at(&sender, 10, now + 2999)
                .unwrap(),
            Default::default()
        );
        let third = env
            .registry
            .events()
            .run_webhook_deliveries_at(&sender, 10, now + 3000)
            .unwrap();
        assert_eq!(third.delivered, 1);

        let requests = receiver.requests();
        assert_eq!(requests.len(), 3);
        for r in &requests[1..] {
            assert_eq!(r.body, requests[0].body);
            assert_eq!(
                r.headers["x-ferry-signature"],
                requests[0].headers["x-ferry-signature"]
            );
            assert_eq!(
                r.headers["x-ferry-delivery"],
                requests[0].headers["x-ferry-delivery"]
            );
        }
        let d = &env
            .registry
            .events()
            .webhook_deliveries(&env.admin, &hook.id, 10)
            .unwrap()[0];
        assert_eq!(
            (d.status.as_str(), d.attempts, d.last_http_status),
            ("delivered", 3, Some(200))
        );
        assert!(receiver.script.lock().unwrap().is_empty());
    });
}

#[test]
fn a_delivery_fails_after_twelve_attempts() {
    each_backend(|env| {
        let receiver = Receiver::start(&[500; 20]);
        let hook = subscribe(&env, &receiver.url, &["*"]);
        env.registry
            .participants()
            .create_participant(&env.admin, &participant("0208:0123456749"))
            .unwrap();
        let sender = HttpWebhookSender::new().unwrap();
        let mut now = later();
        let mut failed = 0;
        for _ in 0..12 {
            let summary = env
                .registry
                .events()
                .run_webhook_deliveries_at(&sender, 10, now)
                .unwrap();
            assert_eq!(summary.delivered, 0);
            failed += summary.failed;
            // More than the longest backoff (1 h).
            now += 2 * 60 * 60 * 1000;
        }
        assert_eq!(failed, 1);
        assert_eq!(receiver.requests().len(), 12);
        let d = &env
            .registry
            .events()
            .webhook_deliveries(&env.admin, &hook.id, 10)
            .unwrap()[0];
        assert_eq!((d.status.as_str(), d.attempts), ("failed", 12));
        assert!(d.next_attempt_at.is_none());
        // Given up: never sent again.
        let after = env
            .registry
            .events()
            .run_webhook_deliveries_at(&sender, 10, now)
            .unwrap();
        assert_eq!(after, Default::default());
        assert_eq!(receiver.requests().len(), 12);
    });
}

#[test]
fn an_unreachable_receiver_is_retried_with_the_error() {
    each_backend(|env| {
        // A port nobody listens on: bind, then close.
        let url = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}/gone", l.local_addr().unwrap())
        };
        let hook = subscribe(&env, &url, &["*"]);
        env.registry
            .participants()
            .create_participant(&env.admin, &participant("0208:0123456749"))
            .unwrap();
        let sender = HttpWebhookSender::new().unwrap();
        let summary = env
            .registry
            .events()
            .run_webhook_deliveries_at(&sender, 10, later())
            .unwrap();
        assert_eq!(summary.retrying, 1);
        let d = &env
            .registry
            .events()
            .webhook_deliveries(&env.admin, &hook.id, 10)
            .unwrap()[0];
        assert_eq!(
            (d.status.as_str(), d.attempts, d.last_http_status),
            ("pending", 1, None)
        );
        assert!(d.last_error.as_deref().is_some_and(|e| !e.is_empty()));
    });
}

#[test]
fn a_rolled_back_change_leaves_no_event() {
    each_backend(|env| {
        let receiver = Receiver::start(&[]);
        let hook = subscribe(&env, &receiver.url, &["*"]);
        let mut request = participant("0208:0123456749");
        // The participant row and its event are written before this capability fails.
        request.capabilities.push(CapabilitySpec {
            document_type: DOCTYPE.into(),
            process: PROCESS.into(),
            endpoint: None,
            endpoint_profile: Some("does-not-exist".into()),
        });
        assert_eq!(
            env.registry
                .participants()
                .create_participant(&env.admin, &request)
                .unwrap_err()
                .code(),
            "profile.not_found"
        );
        assert!(
            env.registry
                .events()
                .events_after(&env.admin, None, None)
                .unwrap()
                .is_empty()
        );
        assert!(
            env.registry
                .events()
                .webhook_deliveries(&env.admin, &hook.id, 10)
                .unwrap()
                .is_empty()
        );
        let sender = HttpWebhookSender::new().unwrap();
        assert_eq!(
            env.registry
                .events()
                .run_webhook_deliveries_at(&sender, 10, later())
                .unwrap(),
            Default::default()
        );
        assert!(receiver.requests().is_empty());
    });
}

#[test]
fn filters_select_events_and_every_write_path_emits() {
    each_backend(|env| {
        let all = Receiver::start(&[]);
        let deletions = Receiver::start(&[]);
        let all_hook = subscribe(&env, &all.url, &["*"]);
        let del_hook = subscribe(&env, &deletions.url, &["participant.deleted"]);
        // Created through the phoss-style ServiceGroup PUT, deleted through DELETE.
        let pid = ParticipantId::parse(PARTICIPANT).unwrap();
        let group = ServiceGroup {
            participant: pid.clone(),
            references: vec![],
            extension: None,
        };
        assert!(
            env.registry
                .participants()
                .put_service_group(&env.admin, &pid, &group, false)
                .unwrap()
        );
        // An update of an existing participant is no registration.
        assert!(
            !env.registry
                .participants()
                .put_service_group(&env.admin, &pid, &group, false)
                .unwrap()
        );
        env.registry
            .participants()
            .delete_participant(&env.admin, &pid)
            .unwrap();

        let events = env
            .registry
            .events()
            .events_after(&env.admin, Some(0), None)
            .unwrap();
        let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
        assert_eq!(types, ["participant.registered", "participant.deleted"]);
        assert!(events[0].seq < events[1].seq);
        assert_eq!(
            events[1].data,
            serde_json::json!({"participant": PARTICIPANT, "smlState": "unregistered"})
        );
        assert_eq!(
            env.registry
                .events()
                .events_after(&env.admin, Some(events[0].seq), Some(1))
                .unwrap()[0]
                .id,
            events[1].id
        );

        let sender = HttpWebhookSender::new().unwrap();
        let summary = env
            .registry
            .events()
            .run_webhook_deliveries_at(&sender, 10, later())
            .unwrap();
        assert_eq!(summary.delivered, 3);
        let seen = |r: &Receiver| {
            r.requests()
                .iter()
                .map(|q| q.headers["x-ferry-event"].clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            seen(&all),
            ["participant.registered", "participant.deleted"]
        );
        assert_eq!(seen(&deletions), ["participant.deleted"]);
        assert_eq!(
            env.registry
                .events()
                .webhook_deliveries(&env.admin, &all_hook.id, 10)
                .unwrap()
                .len(),
            2
        );

        // Deleting a subscription drops its log; later events skip it.
        env.registry
            .events()
            .delete_webhook(&env.admin, &del_hook.id)
            .unwrap();
        assert_eq!(
            env.registry
                .events()
                .webhook_deliveries(&env.admin, &del_hook.id, 10)
                .unwrap_err()
                .code(),
            "webhook.not_found"
        );
        env.registry
            .participants()
            .create_participant(&env.admin, &participant("0208:0123456749"))
            .unwrap();
        env.registry
            .events()
            .run_webhook_deliveries_at(&sender, 10, later())
            .unwrap();
        assert_eq!(deletions.requests().len(), 1);
        assert_eq!(all.requests().len(), 3);
    });
}

#[test]
fn webhooks_are_for_administrators_and_validated() {
    each_backend(|env| {
        let r = &env.registry;
        let user = env.user("alice");
        let ok = NewWebhook {
            url: "https://hooks.example.org/ferry".into(),
            secret: None,
            events: vec![
                "participant.registered".into(),
                "migration.completed".into(),
            ],
        };
        assert_eq!(
            r.events().create_webhook(&user, &ok).unwrap_err().code(),
            "auth.admin_required"
        );
        assert_eq!(
            r.events().list_webhooks(&user).unwrap_err().code(),
            "auth.admin_required"
        );
        assert_eq!(
            r.events()
                .events_after(&user, None, None)
                .unwrap_err()
                .code(),
            "auth.admin_required"
        );

        let created = r.events().create_webhook(&env.admin, &ok).unwrap();
        let secret = created.secret.clone().unwrap();
        assert_eq!(secret.len(), 64);
        assert!(secret.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(created.id.starts_with("whk_"));
        assert_eq!(
            created.events,
            ["participant.registered", "migration.completed"]
        );
        let listed = r.events().list_webhooks(&env.admin).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].id, created.id);
        assert!(listed[0].secret.is_none(), "the secret is shown once");
        assert!(listed[0].active);
        assert_eq!(
            r.events()
                .delete_webhook(&user, &created.id)
                .unwrap_err()
                .code(),
            "auth.admin_required"
        );

        let bad = |url: &str, secret: Option<&str>, events: &[&str]| {
            r.events()
                .create_webhook(
                    &env.admin,
                    &NewWebhook {
                        url: url.into(),
                        secret: secret.map(str::to_owned),
                        events: events.iter().map(|e| (*e).to_owned()).collect(),
                    },
                )
                .unwrap_err()
                .code()
        };
        assert_eq!(bad("ftp://example.org/x", None, &["*"]), "input.invalid");
        assert_eq!(bad("/relative/path", None, &["*"]), "input.invalid");
        assert_eq!(bad("not a url", None, &["*"]), "input.invalid");
        assert_eq!(
            bad("https://example.org/", None, &["participant.renamed"]),
            "input.invalid"
        );
        assert_eq!(bad("https://example.org/", None, &[]), "input.invalid");
        assert_eq!(
            bad("https://example.org/", Some("short"), &["*"]),
            "input.invalid"
        );

        assert_eq!(
            r.events()
                .delete_webhook(&env.admin, "whk_missing")
                .unwrap_err()
                .code(),
            "webhook.not_found"
        );
        r.events().delete_webhook(&env.admin, &created.id).unwrap();
        assert!(r.events().list_webhooks(&env.admin).unwrap().is_empty());
        let actions: Vec<String> = r
            .participants()
            .audit_log(&env.admin, None, 0, 100)
            .unwrap()
            .into_iter()
            .map(|a| a.action)
            .filter(|a| a.starts_with("webhook."))
            .collect();
        assert_eq!(actions, ["webhook.delete", "webhook.create"]);
    });
}

/// Retention (30 days in the test registry): a delivered event older than that goes with
/// its delivery; one still being delivered stays until its delivery ends.
#[test]
fn events_past_their_retention_are_pruned_once_delivered() {
    each_backend(|env| {
        const DAY_MS: i64 = 24 * 3600 * 1000;
        let receiver = Receiver::start(&[500]);
        subscribe(&env, &receiver.url, &["*"]);
        env.registry
            .participants()
            .create_participant(&env.admin, &participant("9915:first"))
            .unwrap();
        env.registry
            .participants()
            .create_participant(&env.admin, &participant("9915:second"))
            .unwrap();
        let sender = HttpWebhookSender::new().unwrap();
        // The first delivery is refused (retrying), the second delivered.
        let summary = env
            .registry
            .events()
            .run_webhook_deliveries(&sender, 10)
            .unwrap();
        assert_eq!((summary.delivered, summary.retrying), (1, 1), "{summary:?}");

        assert_eq!(
            env.registry.events().prune_events_at(later()).unwrap(),
            0,
            "too young"
        );
        let in_31_days = later() + 31 * DAY_MS;
        assert_eq!(
            env.registry.events().prune_events_at(in_31_days).unwrap(),
            1
        );
        let left = env
            .registry
            .events()
            .events_after(&env.admin, None, None)
            .unwrap();
        assert_eq!(left.len(), 1, "the event still being delivered stays");
        assert_eq!(
            left[0].data["participant"],
            "iso6523-actorid-upis::9915:first"
        );

        // Once its delivery succeeds, it goes too.
        let summary = env
            .registry
            .events()
            .run_webhook_deliveries_at(&sender, 10, in_31_days)
            .unwrap();
        assert_eq!(summary.delivered, 1, "{summary:?}");
        assert_eq!(
            env.registry.events().prune_events_at(in_31_days).unwrap(),
            1
        );
        assert!(
            env.registry
                .events()
                .events_after(&env.admin, None, None)
                .unwrap()
                .is_empty()
        );
    });
}
