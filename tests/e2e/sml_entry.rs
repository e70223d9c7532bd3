//! The SMP entry at the SML: show, update, and certificate rollover with
//! PrepareChangeCertificate, through the `ferry sml` commands against the emulator.

use ferry_e2e::free_port;
use std::process::{Command, Output};

use ferry_e2e::{FerryProcess, ferry_binary, repo_root};

fn cli(env: &[(String, String)], args: &[&str]) -> Output {
    Command::new(ferry_binary())
        .current_dir(repo_root())
        .args(args)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .expect("run ferry")
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

#[test]
fn show_update_and_certificate_rollover() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = test_support::fresh_sqlite_url(tmp.path());
    let mut env = vec![
        ("FERRY_DATABASE__URL".to_owned(), db.clone()),
        (
            "FERRY_SML__EMULATOR__SOAP_BIND".to_owned(),
            format!("127.0.0.1:{}", free_port()),
        ),
        (
            "FERRY_SML__EMULATOR__DATABASE".to_owned(),
            tmp.path().join("sml.db").display().to_string(),
        ),
    ];
    let pairs: Vec<(&str, &str)> = env[1..]
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let ferry = FerryProcess::start(&db, &pairs);

    let shown = json(&cli(&env, &["--json", "sml", "show-smp"]));
    assert_eq!(shown["smpId"], "FERRY-LOCAL");
    assert_eq!(
        shown["logicalAddress"],
        ferry.base_url(),
        "serve registered its public URL"
    );

    let updated = json(&cli(
        &env,
        &[
            "--json",
            "sml",
            "update-smp",
            "--logical-address",
            "https://smp.example.org",
        ],
    ));
    assert_eq!(updated["logicalAddress"], "https://smp.example.org");
    assert_eq!(
        json(&cli(&env, &["--json", "sml", "show-smp"]))["logicalAddress"],
        "https://smp.example.org"
    );

    // Registering the same SMP ID again is refused by the SML, with its code.
    let again = cli(&env, &["sml", "register-smp"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("ERR-106"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );

    // The next certificate is refused before it is announced, accepted after.
    env.push((
        "FERRY_SML__CLIENT_CERTIFICATE".to_owned(),
        "certs-test/smp/smp2.crt.pem".to_owned(),
    ));
    env.push((
        "FERRY_SML__CLIENT_KEY".to_owned(),
        "certs-test/smp/smp2.key.pem".to_owned(),
    ));
    let refused = cli(&env, &["sml", "show-smp"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("ERR-101"));
    let old_cert = &env[..3];
    json(&cli(
        old_cert,
        &[
            "--json",
            "sml",
            "prepare-change-certificate",
            "certs-test/smp/smp2.crt.pem",
        ],
    ));
    assert_eq!(
        json(&cli(&env, &["--json", "sml", "show-smp"]))["smpId"],
        "FERRY-LOCAL"
    );
}
