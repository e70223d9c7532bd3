//! SML faults injected into the emulator at run time: lost answers, outages, SML-side
//! errors. Afterwards every participant is registered exactly once and `ferry sml
//! reconcile` reports zero differences; a real drift is reported and repaired.

use ferry_e2e::free_port;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use ferry_e2e::{ADMIN_TOKEN, FerryProcess, encode_segment, ferry_binary, repo_root};
use serde_json::{Value, json};

const A: &str = "iso6523-actorid-upis::0208:0123456749";
const B: &str = "iso6523-actorid-upis::0088:5798000000001";
const C: &str = "iso6523-actorid-upis::9915:faulty";

struct Setup {
    ferry: FerryProcess,
    env: Vec<(String, String)>,
    _tmp: tempfile::TempDir,
}

/// Ferry whose emulator listens on a fixed port, so CLI commands can reach it too.
fn start(db_url: impl FnOnce(&std::path::Path) -> String) -> Setup {
    let tmp = tempfile::tempdir().expect("tempdir");
    let env = vec![
        ("FERRY_DATABASE__URL".to_owned(), db_url(tmp.path())),
        (
            "FERRY_SML__EMULATOR__SOAP_BIND".to_owned(),
            format!("127.0.0.1:{}", free_port()),
        ),
        (
            "FERRY_SML__EMULATOR__DATABASE".to_owned(),
            tmp.path().join("sml.db").display().to_string(),
        ),
    ];
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let ferry = FerryProcess::start(&env[0].1, &pairs[1..]);
    Setup {
        ferry,
        env,
        _tmp: tmp,
    }
}

fn faults(ferry: &FerryProcess, plan: Value) {
    let url = format!("{}/faults", ferry.sml_emulator().admin_url);
    let status = reqwest::blocking::Client::new()
        .post(&url)
        .json(&plan)
        .send()
        .expect("admin endpoint")
        .status();
    assert!(status.is_success(), "POST {url} -> {status}");
}

fn create(ferry: &FerryProcess, p: &str) {
    ferry
        .post_json(
            "/api/v1/participants",
            &json!({"participant": p}),
            Some(ADMIN_TOKEN),
        )
        .assert_status(201);
}

fn view(ferry: &FerryProcess, p: &str) -> Value {
    ferry
        .get_auth(
            &format!("/api/v1/participants/{}", encode_segment(p)),
            ADMIN_TOKEN,
        )
        .json()
}

fn wait_registered(ferry: &FerryProcess, p: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let v = view(ferry, p);
        if v["smlState"] == "registered" {
            assert!(v["smlError"].is_null(), "no error left behind: {v}");
            return;
        }
        assert_ne!(v["smlState"], "failed", "{p} failed: {v}");
        assert!(Instant::now() < deadline, "{p} never registered: {v}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn ferry_cli(setup: &Setup, args: &[&str]) -> Output {
    Command::new(ferry_binary())
        .current_dir(repo_root())
        .args(args)
        .envs(setup.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .expect("run ferry")
}

fn reconcile(setup: &Setup, repair: bool) -> (Option<i32>, Value) {
    let mut args = vec!["--json", "sml", "reconcile"];
    if repair {
        args.push("--repair");
    }
    let out = ferry_cli(setup, &args);
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "reconcile printed no JSON: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), report)
}

#[test]
fn after_any_fault_sequence_reconcile_finds_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (backend, url) in test_support::test_databases(tmp.path()) {
        eprintln!("--- database: {backend}");
        let setup = start(|_| url.clone());
        let ferry = &setup.ferry;

        // The SML commits, then the connection drops: no duplicate, no error left.
        faults(ferry, json!({"drop_after_commit": {"count": 1}}));
        create(ferry, A);
        wait_registered(ferry, A);

        // The SML is down for a while: the participant waits in `pending`.
        faults(ferry, json!({"http_error": {"status": 503, "count": 3}}));
        create(ferry, B);
        assert_eq!(view(ferry, B)["smlState"], "pending");
        wait_registered(ferry, B);

        // SML-side errors and latency.
        faults(
            ferry,
            json!({"latency_ms": 200, "soap_fault": {"kind": "InternalError", "code": 500, "message": "internal", "count": 2}}),
        );
        create(ferry, C);
        wait_registered(ferry, C);
        faults(ferry, json!({"latency_ms": 0}));

        let (code, report) = reconcile(&setup, false);
        assert_eq!(code, Some(0), "{report}");
        assert_eq!(report["smlCount"], 3, "{report}");
        assert_eq!(report["missingAtSml"], json!([]));
        assert_eq!(report["unknownAtSml"], json!([]));
    }
}

#[test]
fn drift_is_reported_and_repaired() {
    let setup = start(test_support::fresh_sqlite_url);
    let ferry = &setup.ferry;
    create(ferry, A);
    wait_registered(ferry, A);
    // Registered locally only: the SML does not know it (a drift by construction).
    ferry
        .put_xml(
            &format!("{}?create-in-sml=false", ferry_e2e::participant_path(B)),
            ferry_e2e::service_group_xml(B),
            Some(ADMIN_TOKEN),
        )
        .assert_status(200);
    // Recorded as registered although the SML lacks it: deregister A behind Ferry's back.
    let out = ferry_cli(&setup, &["participants", "show", A]);
    assert!(out.status.success());
    let client = sml_client::SmlClient::new(&sml_client::SmlClientConfig {
        base_url: ferry.sml_emulator().soap_url.clone(),
        identity: sml_client::ClientIdentity::Pem {
            certificate: std::fs::read(repo_root().join("certs-test/smp/smp.crt.pem"))
                .expect("cert"),
            key: std::fs::read(repo_root().join("certs-test/smp/smp.key.pem")).expect("key"),
        },
        trusted_roots_pem: Some(
            std::fs::read(repo_root().join("certs-test/root/root-ca.crt.pem")).expect("root"),
        ),
        timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(5),
    })
    .expect("client");
    client
        .delete_participant(
            "FERRY-LOCAL",
            &peppol_id::ParticipantId::parse(A).expect("id"),
        )
        .expect("delete behind Ferry's back");

    let (code, report) = reconcile(&setup, false);
    assert_eq!(code, Some(4), "differences exit with 4: {report}");
    assert_eq!(report["missingAtSml"], json!([A]));
    let (code, report) = reconcile(&setup, true);
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report["repaired"], 1);
    let (code, report) = reconcile(&setup, false);
    assert_eq!(code, Some(0), "{report}");
}
