//! Migrations between two Ferry instances (separate databases, SMP IDs and certificates)
//! over one SML emulator: A hosts the participant and runs the emulator in-process; B
//! talks to that emulator as a `custom` SML.

use ferry_e2e::free_port;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ferry_e2e::{
    ADMIN_TOKEN, DOCTYPE, FerryProcess, PROCESS, ap_cert_b64, encode_segment, ferry_binary,
    repo_root,
};
use peppol_id::{DocumentTypeId, ParticipantId};
use serde_json::{Value, json};
use sml_client::{DnsAnswer, SmlDns};
use smp_xml::{DsigVerifier, ParseOptions, ServiceMetadata, SignatureVerifier};

const P: &str = "iso6523-actorid-upis::0208:0123456749";
const ZONE: &str = "sml.ferry.local.";

pub(crate) fn capability(url: &str) -> Value {
    json!({"documentType": DOCTYPE, "process": PROCESS, "endpoint": {
        "url": url, "transportProfile": "peppol-transport-as4-v2_0", "certificate": ap_cert_b64(),
        "serviceDescription": "AP", "technicalContactUrl": "mailto:ops@example.org"}})
}

struct Pair {
    a: FerryProcess,
    b: FerryProcess,
    _tmp: tempfile::TempDir,
}

pub(crate) const FAST: [(&str, &str); 2] = [
    ("FERRY_MIGRATION__CHECK_INTERVAL_MS", "200"),
    ("FERRY_MIGRATION__CLEANUP_GRACE_MS", "1500"),
];

/// Instance B: SMP `FERRY-B` with the second SMP certificate, talking to A's emulator as a
/// `custom` SML, on a fixed port (so it can restart), its SMP entry registered.
pub(crate) struct InstanceB {
    env: Vec<(String, String)>,
    db: String,
}

impl InstanceB {
    pub(crate) fn new(emulator: &ferry_e2e::SmlEmulatorInfo, dir: &std::path::Path) -> Self {
        let port = free_port();
        let mut env: Vec<(String, String)> = [
            ("FERRY_SERVER__BIND", format!("127.0.0.1:{port}")),
            ("FERRY_SML__MODE", "custom".into()),
            ("FERRY_SML__URL", emulator.soap_url.clone()),
            ("FERRY_SML__DNS_ZONE", ZONE.into()),
            ("FERRY_SML__DNS_SERVERS", format!("[\"{}\"]", emulator.dns)),
            ("FERRY_SML__SMP_ID", "FERRY-B".into()),
            ("FERRY_SML__ALLOW_HTTP", "true".into()),
            (
                "FERRY_SML__CLIENT_CERTIFICATE",
                "certs-test/smp/smp2.crt.pem".into(),
            ),
            (
                "FERRY_SML__CLIENT_KEY",
                "certs-test/smp/smp2.key.pem".into(),
            ),
            (
                "FERRY_SIGNING__CERTIFICATE",
                "certs-test/smp/smp2.crt.pem".into(),
            ),
            ("FERRY_SIGNING__KEY", "certs-test/smp/smp2.key.pem".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        env.extend(FAST.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let b = Self {
            env,
            db: test_support::fresh_sqlite_url(dir),
        };
        let register = b.cli(&[
            "sml",
            "register-smp",
            "--logical-address",
            &format!("http://127.0.0.1:{port}"),
        ]);
        assert!(
            register.status.success(),
            "{}",
            String::from_utf8_lossy(&register.stderr)
        );
        b
    }

    pub(crate) fn start(&self) -> FerryProcess {
        let env: Vec<(&str, &str)> = self
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        FerryProcess::start(&self.db, &env)
    }

    fn cli(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new(ferry_binary())
            .current_dir(repo_root())
            .args(args)
            .env("FERRY_DATABASE__URL", &self.db)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .expect("ferry cli")
    }
}

/// A with the emulator, and B.
fn pair() -> Pair {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = FerryProcess::start(
        &test_support::fresh_sqlite_url(&tmp.path().join("a")),
        &FAST,
    );
    let b = InstanceB::new(a.sml_emulator(), &tmp.path().join("b")).start();
    Pair { a, b, _tmp: tmp }
}

fn participant_view(ferry: &FerryProcess) -> Value {
    ferry
        .get_auth(
            &format!("/api/v1/participants/{}", encode_segment(P)),
            ADMIN_TOKEN,
        )
        .json()
}

pub(crate) fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn host_at_a(pair: &Pair) {
    pair.a
        .post_json("/api/v1/participants", &json!({"participant": P, "capabilities": [capability("https://ap-a.example.org/as4")]}), Some(ADMIN_TOKEN))
        .assert_status(201);
    wait_for("registration at A", || {
        participant_view(&pair.a)["smlState"] == "registered"
    });
}

fn migration(ferry: &FerryProcess, id: &str) -> Value {
    ferry
        .get_auth(&format!("/api/v1/migrations/{id}"), ADMIN_TOKEN)
        .json()
}

/// Resolves and fetches like a sender, until stopped; counts failures and who answered.
struct Sender {
    stop: Arc<AtomicBool>,
    failures: Arc<AtomicUsize>,
    seen_b: Arc<AtomicUsize>,
    rounds: Arc<AtomicUsize>,
    handle: Option<std::thread::JoinHandle<Vec<String>>>,
}

impl Sender {
    fn start(dns_server: std::net::SocketAddr) -> Self {
        let (stop, failures, seen_b, rounds) = (
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(0)),
        );
        let (s, f, b, r) = (
            stop.clone(),
            failures.clone(),
            seen_b.clone(),
            rounds.clone(),
        );
        let handle = std::thread::spawn(move || {
            let dns = SmlDns::new(ZONE, &[dns_server], Duration::from_secs(2))
                .expect("dns")
                .allow_http(true);
            let http = reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .expect("client");
            let pid = ParticipantId::parse(P).expect("id");
            let doctype = DocumentTypeId::parse(DOCTYPE).expect("doctype");
            let mut errors = Vec::new();
            while !s.load(Ordering::SeqCst) {
                r.fetch_add(1, Ordering::SeqCst);
                let outcome = (|| -> Result<bool, String> {
                    let DnsAnswer::Registered { smp_url, .. } =
                        dns.lookup(&pid).map_err(|e| e.to_string())?
                    else {
                        return Err("not registered".into());
                    };
                    let url = format!(
                        "{}/{}/services/{}",
                        smp_url.trim_end_matches('/'),
                        pid.path_segment(),
                        doctype.path_segment()
                    );
                    let response = http.get(&url).send().map_err(|e| e.to_string())?;
                    if !response.status().is_success() {
                        return Err(format!("{url} -> {}", response.status()));
                    }
                    let body = response.bytes().map_err(|e| e.to_string())?;
                    DsigVerifier.verify(&body).map_err(|e| e.to_string())?;
                    let ServiceMetadata::Information(info) =
                        smp_xml::parse_signed_service_metadata(&body, &ParseOptions::default())
                            .map_err(|e| e.to_string())?
                    else {
                        return Err("redirect".into());
                    };
                    Ok(info.processes[0].endpoints[0].address.contains("ap-b"))
                })();
                match outcome {
                    Ok(true) => {
                        b.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok(false) => {}
                    Err(e) => {
                        f.fetch_add(1, Ordering::SeqCst);
                        errors.push(e);
                    }
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            errors
        });
        Self {
            stop,
            failures,
            seen_b,
            rounds,
            handle: Some(handle),
        }
    }

    fn finish(mut self) -> (usize, usize, usize, Vec<String>) {
        self.stop.store(true, Ordering::SeqCst);
        let errors = self
            .handle
            .take()
            .map(|h| h.join().expect("sender thread"))
            .unwrap_or_default();
        (
            self.rounds.load(Ordering::SeqCst),
            self.failures.load(Ordering::SeqCst),
            self.seen_b.load(Ordering::SeqCst),
            errors,
        )
    }
}

#[test]
fn out_with_a_key_and_in_with_it_never_breaks_resolution() {
    let pair = pair();
    host_at_a(&pair);
    let subscribe = |ferry: &FerryProcess, events: &[&str]| {
        let (url, inbox) = crate::webhooks::receiver();
        let secret = "a-webhook-secret-of-some-length";
        ferry
            .post_json(
                "/api/v1/webhooks",
                &json!({"url": url, "secret": secret, "events": events}),
                Some(ADMIN_TOKEN),
            )
            .assert_status(201);
        (inbox, secret)
    };
    let (inbox_a, secret_a) = subscribe(&pair.a, &["migration.prepared", "migration.completed"]);
    let (inbox_b, secret_b) = subscribe(&pair.b, &["migration.completed"]);
    let sender = Sender::start(pair.a.sml_emulator().dns);
    std::thread::sleep(Duration::from_millis(300));

    let prepared = pair.a.post_json(
        &format!("/api/v1/participants/{}/migration-key", encode_segment(P)),
        &json!({}),
        Some(ADMIN_TOKEN),
    );
    prepared.assert_status(200);
    let prepared = prepared.json();
    assert_eq!(prepared["status"], "prepared");
    let key = prepared["migrationKey"].as_str().expect("key").to_owned();
    let out_id = prepared["migrationId"].as_str().expect("id").to_owned();
    // Still fully served by A while prepared.
    assert_eq!(participant_view(&pair.a)["smlState"], "registered");

    let arrived = pair.b.post_json(
        "/api/v1/migrations",
                &json!({"participant": P, "migrationKey": key, "capabilities": [capability("https://ap-b.example.org/as4")],
                "businessCard": ferry_e2e::business_card_sample(P)}),
        Some(ADMIN_TOKEN),
    );
    arrived.assert_status(201);
    pair.b
        .get(&format!("/businesscard/{}", encode_segment(P)))
        .assert_status(200)
        .assert_xml_ok();
    assert_eq!(arrived.json()["status"], "completed", "{}", arrived.text());
    assert_eq!(participant_view(&pair.b)["smlState"], "registered");

    wait_for("A to see the takeover", || {
        migration(&pair.a, &out_id)["status"] == "completed"
    });
    wait_for("A to clean up after the grace period", || {
        pair.a.get(&format!("/{}", encode_segment(P))).status == 404
    });
    let history: Vec<String> = migration(&pair.a, &out_id)["history"]
        .as_array()
        .map(|h| {
            h.iter()
                .filter_map(|e| e["status"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(history.first().map(String::as_str), Some("prepared"));
    assert!(history.iter().any(|s| s == "completed"));

    std::thread::sleep(Duration::from_millis(300));
    let (rounds, failures, seen_b, errors) = sender.finish();
    assert!(rounds > 20, "the sender loop ran {rounds} rounds");
    assert_eq!(
        failures, 0,
        "resolution failed during the migration: {errors:?}"
    );
    assert!(seen_b > 0, "the sender never reached B's endpoint");

    // The integrators' view: signed webhooks at both ends.
    let received =
        |inbox: &std::sync::mpsc::Receiver<crate::webhooks::Received>, secret: &str, n: usize| {
            (0..n)
                .map(|_| {
                    let r = inbox
                        .recv_timeout(Duration::from_secs(20))
                        .expect("a webhook delivery");
                    let signature = r
                        .headers
                        .get("x-ferry-signature")
                        .cloned()
                        .unwrap_or_default();
                    assert_eq!(
                        signature,
                        format!(
                            "sha256={}",
                            crate::webhooks::hmac_sha256_hex(secret, &r.body)
                        )
                    );
                    let event: Value = serde_json::from_slice(&r.body).expect("JSON payload");
                    assert_eq!(event["data"]["participant"], P, "{event}");
                    event["type"].as_str().unwrap_or_default().to_owned()
                })
                .collect::<Vec<_>>()
        };
    let mut at_a = received(&inbox_a, secret_a, 2);
    at_a.sort();
    assert_eq!(at_a, ["migration.completed", "migration.prepared"]);
    assert_eq!(received(&inbox_b, secret_b, 1), ["migration.completed"]);
}

#[test]
fn a_wrong_key_is_refused_with_the_sml_code_and_leaves_nothing() {
    let pair = pair();
    host_at_a(&pair);
    pair.a
        .post_json(
            &format!("/api/v1/participants/{}/migration-key", encode_segment(P)),
            &json!({}),
            Some(ADMIN_TOKEN),
        )
        .assert_status(200);
    let refused = pair.b.post_json(
        "/api/v1/migrations",
        &json!({"participant": P, "migrationKey": "11AAbb$$wrong", "capabilities": [capability("https://ap-b.example.org/as4")]}),
        Some(ADMIN_TOKEN),
    );
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert!(
        refused.json()["code"]
            .as_str()
            .unwrap_or_default()
            .starts_with("sml."),
        "{}",
        refused.text()
    );
    pair.b
        .get(&format!("/{}", encode_segment(P)))
        .assert_status(404);
    let badly_formed = pair.b.post_json(
        "/api/v1/migrations",
        &json!({"participant": P, "migrationKey": "short"}),
        Some(ADMIN_TOKEN),
    );
    ferry_e2e::assert_problem(&badly_formed, 400, "migration.invalid_key");
    // Still A's.
    assert_eq!(participant_view(&pair.a)["smlState"], "registered");
}

#[test]
fn cancel_leaves_no_open_record_and_delete_works_again() {
    let pair = pair();
    host_at_a(&pair);
    let prepared = pair
        .a
        .post_json(
            &format!("/api/v1/participants/{}/migration-key", encode_segment(P)),
            &json!({}),
            Some(ADMIN_TOKEN),
        )
        .json();
    let id = prepared["migrationId"].as_str().expect("id").to_owned();
    let key = prepared["migrationKey"].as_str().expect("key").to_owned();
    let cancelled = pair.a.post_json(
        &format!("/api/v1/migrations/{id}/cancel"),
        &json!({}),
        Some(ADMIN_TOKEN),
    );
    cancelled.assert_status(200);
    assert_eq!(cancelled.json()["status"], "cancelled");
    // The old key is dead at the SML: B cannot use it.
    let refused = pair.b.post_json(
        "/api/v1/migrations",
        &json!({"participant": P, "migrationKey": key}),
        Some(ADMIN_TOKEN),
    );
    assert_eq!(refused.status, 422, "{}", refused.text());
    // And A can delete the participant (no ERR-114 from a pending migration record).
    pair.a
        .delete(
            &format!("/api/v1/participants/{}", encode_segment(P)),
            Some(ADMIN_TOKEN),
        )
        .assert_status(204);
    let dns = SmlDns::new(ZONE, &[pair.a.sml_emulator().dns], Duration::from_secs(2))
        .expect("dns")
        .allow_http(true);
    let pid = ParticipantId::parse(P).expect("id");
    wait_for("deregistration", || {
        dns.lookup(&pid).ok() == Some(DnsAnswer::NotRegistered)
    });
}

#[test]
fn watching_registers_when_the_old_provider_lets_go() {
    let pair = pair();
    host_at_a(&pair);
    let watch = pair.b.post_json(
        "/api/v1/migrations",
        &json!({"participant": P, "autoRegister": true, "capabilities": [capability("https://ap-b.example.org/as4")]}),
        Some(ADMIN_TOKEN),
    );
    watch.assert_status(201);
    let watch = watch.json();
    assert_eq!(watch["status"], "pending_deregistration", "{watch}");
    assert_eq!(watch["errorCode"], "ALREADY_REGISTERED");
    assert_eq!(
        watch["currentSmp"]
            .as_str()
            .map(|s| s.trim_end_matches('/')),
        Some(pair.a.base_url())
    );
    assert_eq!(
        watch["currentAp"]["endpointUrl"],
        "https://ap-a.example.org/as4"
    );
    assert!(watch["currentAp"]["seatId"].is_string(), "{watch}");
    assert!(
        !watch["nextSteps"]
            .as_array()
            .map(Vec::is_empty)
            .unwrap_or(true)
    );
    let id = watch["id"].as_str().expect("id").to_owned();

    pair.a
        .delete(
            &format!("/api/v1/participants/{}", encode_segment(P)),
            Some(ADMIN_TOKEN),
        )
        .assert_status(204);
    wait_for("B to register the participant", || {
        migration(&pair.b, &id)["status"] == "completed"
    });
    assert_eq!(participant_view(&pair.b)["smlState"], "registered");
}

/// B is killed (SIGKILL) in the middle of a bulk inbound migration; after a restart every
/// migration ends completed, none is applied twice, and reconcile finds nothing.
#[test]
fn a_crash_during_a_bulk_migration_is_resumed() {
    const N: usize = 200;
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = FerryProcess::start(
        &test_support::fresh_sqlite_url(&tmp.path().join("a")),
        &FAST,
    );
    let emulator = a.sml_emulator().clone();
    let participants: Vec<String> = (0..N)
        .map(|i| {
            let base = 10_200_000 + i as u64;
            format!("iso6523-actorid-upis::0208:{base:08}{:02}", 97 - base % 97)
        })
        .collect();
    for p in &participants {
        a.post_json(
            "/api/v1/participants",
            &json!({"participant": p}),
            Some(ADMIN_TOKEN),
        )
        .assert_status(201);
    }
    wait_for("registration of every participant at A", || {
        let page = a
            .get_auth("/api/v1/participants?limit=1000", ADMIN_TOKEN)
            .json();
        page["items"]
            .as_array()
            .is_some_and(|items| items.iter().all(|i| i["smlState"] == "registered"))
    });
    let items: Vec<Value> = participants
        .iter()
        .map(|p| {
            let key = a.post_json(&format!("/api/v1/participants/{}/migration-key", encode_segment(p)), &json!({}), Some(ADMIN_TOKEN));
            let key = key.json()["migrationKey"].as_str().expect("key").to_owned();
            json!({"participant": p, "migrationKey": key, "capabilities": [capability("https://ap-b.example.org/as4")]})
        })
        .collect();

    // B on a fixed port, so it can come back after the crash.
    let instance_b = InstanceB::new(&emulator, &tmp.path().join("b"));

    // Slow SML: the bulk is still running when B dies.
    let admin = reqwest::blocking::Client::new();
    let faults = format!("{}/faults", emulator.admin_url);
    admin
        .post(&faults)
        .json(&json!({"latency_ms": 150}))
        .send()
        .expect("faults");
    let b = instance_b.start();
    let accepted = b.post_json(
        "/api/v1/migrations/bulk",
        &json!({"items": items}),
        Some(ADMIN_TOKEN),
    );
    accepted.assert_status(202);
    let bulk_id = accepted.json()["id"].as_str().expect("bulk id").to_owned();
    std::thread::sleep(Duration::from_millis(700));
    let before = b
        .get_auth(&format!("/api/v1/migrations/bulk/{bulk_id}"), ADMIN_TOKEN)
        .json();
    b.crash();
    assert!(
        before["inProgress"].as_i64().unwrap_or(0) > 0,
        "the crash must hit a running bulk: {before}"
    );

    admin
        .post(&faults)
        .json(&json!({"latency_ms": 0}))
        .send()
        .expect("faults");
    let b = instance_b.start();
    wait_for("the bulk to finish after the restart", || {
        b.get_auth(&format!("/api/v1/migrations/bulk/{bulk_id}"), ADMIN_TOKEN)
            .json()["inProgress"]
            == 0
    });
    let after = b
        .get_auth(&format!("/api/v1/migrations/bulk/{bulk_id}"), ADMIN_TOKEN)
        .json();
    assert_eq!(after["completed"], N, "every migration completed: {after}");

    // None applied twice, nothing left behind: the SML and B's database agree exactly.
    let reconcile = instance_b.cli(&["--json", "sml", "reconcile"]);
    let report: Value = serde_json::from_slice(&reconcile.stdout).expect("reconcile JSON");
    assert_eq!(reconcile.status.code(), Some(0), "{report}");
    assert_eq!(report["smlCount"], N);
    assert_eq!(report["localCount"], N);
}
