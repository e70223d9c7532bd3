//! `ferry participants add|list|show|rm` against the same database a server uses.

use std::process::{Command, Output};

use ferry_e2e::{FerryProcess, PARTICIPANT, ferry_binary, participant_path, repo_root};

fn ferry(db_url: &str, args: &[&str]) -> Output {
    Command::new(ferry_binary())
        .current_dir(repo_root())
        .args(args)
        .env("FERRY_DATABASE__URL", db_url)
        .output()
        .expect("run ferry")
}

fn json(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("--json prints JSON")
}

#[test]
fn participants_commands_round_trip() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (backend, url) in test_support::test_databases(tmp.path()) {
        eprintln!("--- database: {backend}");
        let added = json(&ferry(
            &url,
            &["--json", "participants", "add", PARTICIPANT],
        ));
        assert_eq!(added["participant"], PARTICIPANT);

        let listed = json(&ferry(
            &url,
            &["--json", "participants", "list", "--search", "9915"],
        ));
        assert_eq!(listed["total"], 1);
        assert_eq!(listed["items"][0]["participant"], PARTICIPANT);

        let shown = json(&ferry(
            &url,
            &["--json", "participants", "show", PARTICIPANT],
        ));
        assert_eq!(shown["owner"], "admin");

        // A server on the same database serves what the CLI registered.
        {
            let server = FerryProcess::start(&url, &[]);
            server
                .get(&participant_path(PARTICIPANT))
                .assert_status(200)
                .assert_xml_ok();
        }

        let duplicate = ferry(&url, &["participants", "add", PARTICIPANT]);
        assert_eq!(duplicate.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&duplicate.stderr).contains("participant.exists"));

        json(&ferry(&url, &["--json", "participants", "rm", PARTICIPANT]));
        let gone = ferry(&url, &["participants", "show", PARTICIPANT]);
        assert_eq!(gone.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&gone.stderr).contains("participant.not_found"));

        let bad = ferry(
            &url,
            &[
                "participants",
                "add",
                "iso6523-actorid-upis::0208:0123456750",
            ],
        );
        assert_eq!(bad.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&bad.stderr).contains("id.check_digit"));
    }
}

#[test]
fn a_bad_config_value_names_the_key_and_exits_2() {
    let out = Command::new(ferry_binary())
        .current_dir(repo_root())
        .args(["participants", "list"])
        .env("FERRY_SERVER__BIND", "not-an-address")
        .output()
        .expect("run ferry");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("server.bind") && stderr.contains("FERRY_SERVER__BIND"),
        "{stderr}"
    );
}

/// Short commands must exit cleanly every time. A pool that opened connections on a
/// background thread let `main` return while libpq (through krb5) was mid-connect, and
/// about 1 run in 70 aborted in `k5_mutex_lock` on PostgreSQL; 150 runs catch that with
/// a probability above 0.88.
#[test]
fn short_commands_exit_cleanly_every_time() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (backend, url) in test_support::test_databases(tmp.path()) {
        eprintln!("--- database: {backend}");
        json(&ferry(
            &url,
            &["--json", "participants", "add", PARTICIPANT],
        ));
        for run in 0..150 {
            let out = ferry(&url, &["--json", "participants", "list"]);
            assert!(
                out.status.success(),
                "run {run} exited with {:?}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
