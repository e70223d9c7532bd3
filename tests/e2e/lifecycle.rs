//! Process contract: startup line, health, clean shutdown.

use ferry_e2e::{FerryProcess, for_each_database};

#[test]
fn health_reports_database_ok() {
    for_each_database(&[], |ferry| {
        let health = ferry.get("/health");
        health.assert_status(200);
        let body = health.json();
        assert_eq!(body["status"], "ok", "{health}");
        assert_eq!(body["database"], "ok", "{health}");
        // The domain's workers, by name, each running, none restarted.
        let workers = body["workers"].as_array().expect("workers").clone();
        for name in [
            "republish",
            "webhooks",
            "event-retention",
            "sml-jobs",
            "migrations",
        ] {
            assert!(
                workers.iter().any(|w| w["name"] == name),
                "worker {name} missing: {health}"
            );
        }
        assert!(workers.iter().all(|w| w["restarts"] == 0), "{health}");
        let metrics = ferry.get("/metrics").text();
        assert!(
            metrics.contains("ferry_worker_restarts_total{worker=\"sml-jobs\"} 0")
                && metrics.contains("ferry_worker_up{worker=\"migrations\"} 1"),
            "{metrics}"
        );
    });
}

#[test]
fn sigterm_stops_cleanly() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let url = test_support::fresh_sqlite_url(tmp.path());
    let ferry = FerryProcess::start(&url, &[]);
    let status = ferry.stop().expect("ferry was running");
    assert!(status.success(), "ferry exited with {status} on SIGTERM");
}
