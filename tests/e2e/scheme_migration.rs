//! `ferry identifiers migrate-scheme` against a running `ferry serve` with the SML
//! emulator: the copy under the new ICD is published and registered in the SML, a second
//! run after the overlap removes the old identifier there too, and `--report` shows the
//! three stages.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use ferry_e2e::{
    ADMIN_TOKEN, DOCTYPE, FerryProcess, PROCESS, ap_cert_b64, encode_segment, ferry_binary,
    metadata_path, repo_root,
};
use serde_json::{Value, json};

const OLD: &str = "iso6523-actorid-upis::9956:0123456749";
const NEW: &str = "iso6523-actorid-upis::0208:0123456749";

pub(crate) fn cli(env: &[(String, String)], args: &[&str]) -> Output {
    let out = Command::new(ferry_binary())
        .current_dir(repo_root())
        .args(args)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .expect("run ferry");
    assert!(
        out.status.success(),
        "ferry {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub(crate) fn cli_json(env: &[(String, String)], args: &[&str]) -> Value {
    let out = cli(env, args);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "no JSON from {args:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

pub(crate) fn sml_state(ferry: &FerryProcess, p: &str) -> Option<String> {
    let r = ferry.get_auth(
        &format!("/api/v1/participants/{}", encode_segment(p)),
        ADMIN_TOKEN,
    );
    (r.status == 200).then(|| r.json()["smlState"].as_str().unwrap_or_default().to_owned())
}

/// Waits until `check` holds (the serve's SML worker is asynchronous).
pub(crate) fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check() {
        assert!(Instant::now() < deadline, "never: {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn belgian_9956_participants_move_to_0208() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (backend, url) in test_support::test_databases(tmp.path()) {
        eprintln!("--- database: {backend}");
        let env = ferry_e2e::cli_reachable_env(&url, tmp.path(), backend);
        let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let ferry = FerryProcess::start(&url, &pairs[1..]);
        ferry
            .post_json(
                "/api/v1/participants",
                &json!({"participant": OLD, "capabilities": [{
                    "documentType": DOCTYPE,
                    "process": PROCESS,
                    "endpoint": {
                        "url": "https://ap.example.org/as4",
                        "transportProfile": "peppol-transport-as4-v2_0",
                        "certificate": ap_cert_b64(),
                        "serviceDescription": "test AP",
                        "technicalContactUrl": "mailto:ops@example.org"
                    }
                }]}),
                Some(ADMIN_TOKEN),
            )
            .assert_status(201);
        eventually("old registered", || {
            sml_state(&ferry, OLD).as_deref() == Some("registered")
        });

        let args = [
            "--json",
            "identifiers",
            "migrate-scheme",
            "--from",
            "9956",
            "--to",
            "0208",
        ];
        let dry = cli_json(&env, &[&args[..], &["--dry-run"]].concat());
        assert_eq!(dry["registered"], 1, "{dry}");
        assert_eq!(sml_state(&ferry, NEW), None, "dry run changed nothing");

        let first = cli_json(&env, &[&args[..], &["--overlap-days", "0"]].concat());
        assert_eq!(
            (first["registered"].clone(), first["oldRemoved"].clone()),
            (json!(1), json!(0)),
            "{first}"
        );
        eventually("new registered in the SML", || {
            sml_state(&ferry, NEW).as_deref() == Some("registered")
        });
        let signed = ferry.get(&metadata_path(NEW, DOCTYPE));
        signed.assert_status(200);
        assert!(signed.text().contains("https://ap.example.org/as4"));
        assert!(signed.text().contains("0208:0123456749"));

        let second = cli_json(&env, &[&args[..], &["--overlap-days", "0"]].concat());
        assert_eq!(second["oldRemoved"], 1, "{second}");
        assert_eq!(sml_state(&ferry, OLD), None);
        // The SML delete job ran: the SML lists exactly the new identifier.
        eventually("SML matches the database", || {
            let out = Command::new(ferry_binary())
                .current_dir(repo_root())
                .args(["--json", "sml", "reconcile"])
                .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .output()
                .expect("run ferry");
            let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
            out.status.success() && report["smlCount"] == 1
        });

        let report = cli_json(
            &env,
            &[
                "--json",
                "identifiers",
                "migrate-scheme",
                "--from",
                "9956",
                "--to",
                "0208",
                "--report",
            ],
        );
        assert_eq!(report["migrated"], 1, "{report}");
        assert_eq!(report["oldRemaining"], 0, "{report}");
        assert_eq!(report["newUnderOldSinceStart"], 0, "{report}");
        let text = cli(
            &env,
            &[
                "identifiers",
                "migrate-scheme",
                "--from",
                "9956",
                "--to",
                "0208",
                "--report",
            ],
        );
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.contains("3. 9956 gone: done"), "{text}");
    }
}
