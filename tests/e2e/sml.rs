//! SML registration end to end: Ferry + its SML emulator over real SOAP (mutual TLS) and
//! DNS ports. Create → the NAPTR record appears; delete → NXDOMAIN; a refused certificate
//! reaches the operator as ERR-101.

use std::time::{Duration, Instant};

use ferry_e2e::{ADMIN_TOKEN, FerryProcess, encode_segment, for_each_database, repo_root};
use peppol_id::ParticipantId;
use serde_json::json;
use sml_client::{DnsAnswer, SmlDns};

const P: &str = "iso6523-actorid-upis::0208:0123456749";

fn dns(ferry: &FerryProcess) -> SmlDns {
    SmlDns::new(
        "sml.ferry.local.",
        &[ferry.sml_emulator().dns],
        Duration::from_secs(2),
    )
    .expect("resolver")
    .allow_http(true)
}

fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn sml_state(ferry: &FerryProcess) -> String {
    let view = ferry.get_auth(
        &format!("/api/v1/participants/{}", encode_segment(P)),
        ADMIN_TOKEN,
    );
    view.json()["smlState"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn create_publishes_naptr_and_delete_removes_it() {
    for_each_database(&[], |ferry| {
        let pid = ParticipantId::parse(P).expect("participant");
        let resolver = dns(ferry);
        assert_eq!(
            resolver.lookup(&pid).expect("lookup"),
            DnsAnswer::NotRegistered
        );

        ferry
            .post_json(
                "/api/v1/participants",
                &json!({"participant": P}),
                Some(ADMIN_TOKEN),
            )
            .assert_status(201);
        wait_for("registration", || sml_state(ferry) == "registered");
        match resolver.lookup(&pid).expect("lookup") {
            DnsAnswer::Registered { smp_url, .. } => {
                assert_eq!(
                    smp_url.trim_end_matches('/'),
                    ferry.base_url(),
                    "NAPTR points at this SMP"
                );
            }
            other => panic!("expected a NAPTR record, got {other:?}"),
        }

        ferry
            .delete(
                &format!("/api/v1/participants/{}", encode_segment(P)),
                Some(ADMIN_TOKEN),
            )
            .assert_status(204);
        wait_for("NXDOMAIN after delete", || {
            resolver.lookup(&pid).ok() == Some(DnsAnswer::NotRegistered)
        });
    });
}

#[test]
fn create_in_sml_false_stays_local() {
    for_each_database(&[], |ferry| {
        let body = ferry_e2e::service_group_xml(P);
        ferry
            .put_xml(
                &format!("{}?create-in-sml=false", ferry_e2e::participant_path(P)),
                body,
                Some(ADMIN_TOKEN),
            )
            .assert_status(200);
        std::thread::sleep(Duration::from_millis(1500));
        assert_eq!(sml_state(ferry), "unregistered");
        let pid = ParticipantId::parse(P).expect("participant");
        assert_eq!(
            dns(ferry).lookup(&pid).expect("lookup"),
            DnsAnswer::NotRegistered
        );
    });
}

#[test]
fn another_certificate_is_refused_with_err_101() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let emulator_db = tmp.path().join("sml.db");
    let db_url = test_support::fresh_sqlite_url(tmp.path());
    let emulator_env = |cert: &str, key: &str| {
        vec![
            (
                "FERRY_SML__EMULATOR__DATABASE".to_owned(),
                emulator_db.display().to_string(),
            ),
            ("FERRY_SML__CLIENT_CERTIFICATE".to_owned(), cert.to_owned()),
            ("FERRY_SML__CLIENT_KEY".to_owned(), key.to_owned()),
        ]
    };
    {
        // First start: the SMP ID is created and bound to the first certificate.
        let env = emulator_env("certs-test/smp/smp.crt.pem", "certs-test/smp/smp.key.pem");
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        FerryProcess::start(&db_url, &env);
    }
    let output = std::process::Command::new(ferry_e2e::ferry_binary())
        .current_dir(repo_root())
        .arg("serve")
        .env("FERRY_SERVER__BIND", "127.0.0.1:0")
        .env("FERRY_DATABASE__URL", &db_url)
        .env("FERRY_SML__EMULATOR__SOAP_BIND", "127.0.0.1:0")
        .env("FERRY_SML__EMULATOR__DNS_BIND", "127.0.0.1:0")
        .envs(emulator_env(
            "certs-test/smp/smp2.crt.pem",
            "certs-test/smp/smp2.key.pem",
        ))
        .output()
        .expect("run ferry");
    assert!(
        !output.status.success(),
        "a foreign certificate must stop startup"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("ERR-101"),
        "the operator must see ERR-101:\n{stderr}"
    );
}
