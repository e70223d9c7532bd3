//! Authentication hardening: the bootstrap token follows the configuration across restarts,
//! and CLI commands leave it alone.

use std::process::Command;

use ferry_e2e::{ADMIN_TOKEN, FerryProcess, assert_problem, ferry_binary, repo_root};

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
