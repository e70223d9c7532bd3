use super::*;

#[test]
fn defaults_are_the_documented_ones() {
    let c = Config::default();
    assert_eq!(c.server.bind, "127.0.0.1:8080");
    assert_eq!(c.database.url, "sqlite://data/ferry.db");
    assert_eq!(c.admin_token, DEV_ADMIN_TOKEN);
}

#[test]
fn real_networks_refuse_the_development_secrets() {
    let mut c = Config::default();
    c.signing.certificate = repo_file("certs-test/smp/smp.crt.pem");
    c.signing.key = repo_file("certs-test/smp/smp.key.pem");
    assert!(c.validate().is_ok(), "fine with the emulator");
    for mode in [SmlMode::Test, SmlMode::Production] {
        c.sml.mode = mode;
        c.admin_token = DEV_ADMIN_TOKEN.into();
        let msg = c
            .validate()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(msg.contains("FERRY_ADMIN_TOKEN"), "{mode:?}: {msg}");
        c.admin_token = "an-operator-secret-token".into();
        let msg = c
            .validate()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            msg.contains("signing.certificate") && msg.contains("certs-test"),
            "{mode:?}: {msg}"
        );
    }
}

fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

#[test]
fn validation_names_key_and_env() {
    let mut c = Config::default();
    c.server.bind = "nonsense".into();
    let msg = c
        .validate()
        .map_err(|e| e.to_string())
        .err()
        .unwrap_or_default();
    assert!(
        msg.contains("server.bind") && msg.contains("FERRY_SERVER__BIND"),
        "{msg}"
    );
}

#[test]
fn parking_audit_retention_and_crl_files_are_checked() {
    let mut c = Config::default();
    c.signing.certificate = repo_file("certs-test/smp/smp.crt.pem");
    c.signing.key = repo_file("certs-test/smp/smp.key.pem");
    assert_eq!(
        c.parking.audit_retention_days,
        party_config::DEFAULT_AUDIT_RETENTION_DAYS
    );
    c.parking.audit_retention_days = 0;
    assert!(c.validate().is_ok(), "0 keeps the log for good");
    c.parking.audit_retention_days = 36_501;
    let msg = c
        .validate()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        msg.contains("parking.audit_retention_days")
            && msg.contains("FERRY_PARKING__AUDIT_RETENTION_DAYS"),
        "{msg}"
    );
    c.parking.audit_retention_days = 90;
    c.parking.enabled = true;
    c.parking.crl_files = vec!["/nonexistent/ap-ca.crl".into()];
    let msg = c
        .validate()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        msg.contains("parking.crl_files") && msg.contains("FERRY_PARKING__CRL_FILES"),
        "{msg}"
    );
}
