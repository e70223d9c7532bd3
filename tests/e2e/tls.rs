//! Native https (what production Peppol requires).

use ferry_e2e::{
    ADMIN_TOKEN, FerryProcess, PARTICIPANT, hrefs, participant_path, service_group_xml,
};

#[test]
fn serves_https_with_https_hrefs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let url = test_support::fresh_sqlite_url(tmp.path());
    let ferry = FerryProcess::start(
        &url,
        &[
            (
                "FERRY_SERVER__TLS_CERTIFICATE",
                "certs-test/tls/localhost.crt.pem",
            ),
            ("FERRY_SERVER__TLS_KEY", "certs-test/tls/localhost.key.pem"),
        ],
    );
    assert!(
        ferry.base_url().starts_with("https://"),
        "{}",
        ferry.base_url()
    );
    let group = participant_path(PARTICIPANT);
    ferry
        .put_xml(&group, service_group_xml(PARTICIPANT), Some(ADMIN_TOKEN))
        .assert_status(200);
    let metadata = ferry_e2e::metadata_path(PARTICIPANT, ferry_e2e::DOCTYPE);
    ferry
        .put_xml(
            &metadata,
            ferry_e2e::service_metadata_xml(PARTICIPANT, "https://ap.example.org/as4"),
            Some(ADMIN_TOKEN),
        )
        .assert_status(200);
    let body = ferry.get(&group).assert_status(200).text();
    let links = hrefs(&body);
    assert!(
        !links.is_empty() && links.iter().all(|h| h.starts_with("https://")),
        "{links:?}"
    );
}

#[test]
fn a_key_that_does_not_match_the_certificate_stops_startup() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let output = std::process::Command::new(ferry_e2e::ferry_binary())
        .current_dir(ferry_e2e::repo_root())
        .arg("serve")
        .env("FERRY_SERVER__BIND", "127.0.0.1:0")
        .env(
            "FERRY_DATABASE__URL",
            test_support::fresh_sqlite_url(tmp.path()),
        )
        .env(
            "FERRY_SERVER__TLS_CERTIFICATE",
            "certs-test/tls/localhost.crt.pem",
        )
        .env("FERRY_SERVER__TLS_KEY", "certs-test/smp/smp.key.pem")
        .output()
        .expect("run ferry");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("server.tls_key"), "{stderr}");
}
