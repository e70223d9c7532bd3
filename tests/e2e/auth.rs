//! Authentication hardening: the bootstrap token follows the configuration across restarts,
//! CLI commands leave it alone, and wrong passwords are throttled.

use std::process::Command;

use ferry_e2e::{ADMIN_TOKEN, FerryProcess, Response, assert_problem, ferry_binary, repo_root};
use serde_json::json;

fn basic(ferry: &FerryProcess, path: &str, user: &str, password: &str) -> Response {
    let credentials = data_encoding::BASE64.encode(format!("{user}:{password}").as_bytes());
    let header = format!("Basic {credentials}");
    ferry.send(
        "GET",
        path,
        None,
        &[("Authorization", header.as_str())],
        None,
    )
}

/// A first start with a token (often the public development default) must not leave that
/// token valid once the operator disables it with `FERRY_ADMIN_TOKEN=""`.
#[test]
fn a_disabled_bootstrap_token_stops_working_after_a_restart() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (backend, url) in test_support::test_databases(tmp.path()) {
        eprintln!("--- database: {backend}");
        let first = FerryProcess::start(&url, &[]);
        first
            .get_auth("/api/v1/users", ADMIN_TOKEN)
            .assert_status(200);
        first.stop();

        let second = FerryProcess::start(&url, &[("FERRY_ADMIN_TOKEN", "")]);
        assert_problem(
            &second.get_auth("/api/v1/users", ADMIN_TOKEN),
            401,
            "auth.invalid",
        );
    }
}

/// `ferry participants list` opens the database as the local administrator; even with the
/// bootstrap token disabled in its own environment it must not remove the running server's.
#[test]
fn cli_commands_leave_the_servers_bootstrap_token_alone() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (backend, url) in test_support::test_databases(tmp.path()) {
        eprintln!("--- database: {backend}");
        let server = FerryProcess::start(&url, &[]);
        let cli = Command::new(ferry_binary())
            .current_dir(repo_root())
            .args(["--json", "participants", "list"])
            .env("FERRY_DATABASE__URL", &url)
            .env("FERRY_ADMIN_TOKEN", "")
            .output()
            .expect("run ferry");
        assert!(
            cli.status.success(),
            "{}",
            String::from_utf8_lossy(&cli.stderr)
        );
        server
            .get_auth("/api/v1/users", ADMIN_TOKEN)
            .assert_status(200);
    }
}

/// After ten wrong passwords for one user name within five minutes, further Basic logins for
/// that name are answered 429 `auth.throttled` with `Retry-After`, without checking the
/// password (so the right one is refused too). Other users and bearer tokens still work.
#[test]
fn wrong_passwords_are_throttled_per_user_name() {
    ferry_e2e::for_each_database(&[], |ferry| {
        for user in ["erin", "frank"] {
            ferry
                .post_json(
                    "/api/v1/users",
                    &json!({"username": user, "password": "right-password", "admin": false}),
                    Some(ADMIN_TOKEN),
                )
                .assert_status(201);
        }
        for attempt in 1..=10 {
            let wrong = basic(ferry, "/api/v1/participants", "erin", "wrong-password");
            assert_eq!(wrong.status, 401, "attempt {attempt}\n{wrong}");
        }
        for password in ["wrong-password", "right-password"] {
            let throttled = basic(ferry, "/api/v1/participants", "erin", password);
            assert_problem(&throttled, 429, "auth.throttled");
            let retry_after: u64 = throttled
                .header("retry-after")
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("no numeric Retry-After\n{throttled}"));
            assert!((1..=300).contains(&retry_after), "{throttled}");
        }
        basic(ferry, "/api/v1/participants", "frank", "right-password").assert_status(200);
        ferry
            .get_auth("/api/v1/users", ADMIN_TOKEN)
            .assert_status(200);
    });
}
