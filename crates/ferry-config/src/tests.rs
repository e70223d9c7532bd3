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

/// A certificate and key of an operator's own CA (not the test PKI), written to `dir`.
fn operator_pem(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    use openssl::{asn1::Asn1Time, hash::MessageDigest, pkey::PKey, rsa::Rsa, x509};
    let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
    let mut subject = x509::X509NameBuilder::new().unwrap();
    subject
        .append_entry_by_text("O", "Example Operator")
        .unwrap();
    subject.append_entry_by_text("CN", name).unwrap();
    let subject = subject.build();
    let mut b = x509::X509Builder::new().unwrap();
    b.set_version(2).unwrap();
    b.set_subject_name(&subject).unwrap();
    b.set_issuer_name(&subject).unwrap();
    b.set_pubkey(&key).unwrap();
    b.set_not_before(&Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    b.set_not_after(&Asn1Time::days_from_now(30).unwrap())
        .unwrap();
    b.sign(&key, MessageDigest::sha256()).unwrap();
    let (cert, key_path) = (
        dir.join(format!("{name}.crt.pem")),
        dir.join(format!("{name}.key.pem")),
    );
    std::fs::write(&cert, b.build().to_pem().unwrap()).unwrap();
    std::fs::write(&key_path, key.private_key_to_pem_pkcs8().unwrap()).unwrap();
    (cert, key_path)
}

/// A production configuration made only of the operator's own files.
fn operator_config(dir: &Path) -> Config {
    let mut c = Config::default();
    c.sml.mode = SmlMode::Production;
    c.admin_token = "an-operator-secret-token".into();
    (c.signing.certificate, c.signing.key) = operator_pem(dir, "smp");
    (c.sml.client_certificate, c.sml.client_key) = operator_pem(dir, "sml-client");
    c.sml.trusted_roots = String::new();
    c.parking.enabled = false;
    c
}

#[test]
fn real_networks_refuse_every_test_pki_file_and_a_foreign_parking_environment() {
    let dir = tempfile::tempdir().unwrap();
    let c = operator_config(dir.path());
    assert!(c.validate().is_ok(), "{:?}", c.validate().err());

    // Each file the configuration names, from certs-test/ or issued by the test PKI.
    let copied = dir.path().join("renamed-root.pem");
    std::fs::copy(repo_file("certs-test/root/root-ca.crt.pem"), &copied).unwrap();
    type Change = Box<dyn Fn(&mut Config)>;
    let mut cases: Vec<(&str, Change)> = vec![
        (
            "sml.client_certificate",
            Box::new(|c| c.sml.client_certificate = repo_file("certs-test/smp/smp.crt.pem")),
        ),
        (
            "sml.trusted_roots",
            Box::new(|c| c.sml.trusted_roots = "certs-test/root/root-ca.crt.pem".into()),
        ),
        // Outside certs-test/, found by its issuer.
        (
            "sml.trusted_roots",
            Box::new(move |c| c.sml.trusted_roots = copied.display().to_string()),
        ),
    ];
    cases.push((
        "parking.trust_store",
        Box::new(|c| {
            c.parking.enabled = true;
            c.parking.environment = "production".into();
            c.parking.trust_store = "certs-test/truststore/peppol-test-ap-roots.pem".into();
        }),
    ));
    cases.push((
        "parking.environment",
        Box::new(|c| {
            c.parking.enabled = true;
            c.parking.environment = "test".into();
            c.parking.trust_store = c.sml.client_certificate.display().to_string();
            c.parking.tls_certificate = c.signing.certificate.display().to_string();
            c.parking.tls_key = c.signing.key.display().to_string();
        }),
    ));
    for (key, change) in cases {
        let mut bad = operator_config(dir.path());
        change(&mut bad);
        let msg = bad
            .validate()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            msg.contains(key),
            "expected a refusal naming {key}, got: {msg}"
        );
    }
}
