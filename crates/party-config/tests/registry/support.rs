use std::path::{Path, PathBuf};

use party_config::{Actor, NewUser, RegistrationPolicy, Registry, RegistryConfig};
use smp_store::Store;
use smp_xml::SigningKey;

pub(crate) const PARTICIPANT: &str = "iso6523-actorid-upis::0208:0123456749";
pub(crate) const DOCTYPE: &str = "busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1";
pub(crate) const PROCESS: &str = "cenbii-procid-ubl::urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

pub(crate) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub(crate) fn signing_key() -> SigningKey {
    let dir = repo_root().join("certs-test/smp");
    SigningKey::from_pem(
        &std::fs::read(dir.join("smp.crt.pem")).unwrap(),
        &std::fs::read(dir.join("smp.key.pem")).unwrap(),
    )
    .unwrap()
}

pub(crate) fn ap_cert_b64() -> String {
    std::fs::read_to_string(repo_root().join("certs-test/ap/ap-valid.b64"))
        .unwrap()
        .trim()
        .to_owned()
}

pub(crate) struct Env {
    pub(crate) registry: Registry,
    pub(crate) admin: Actor,
    pub(crate) backend: &'static str,
    _dir: tempfile::TempDir,
}

impl Env {
    pub(crate) fn user(&self, name: &str) -> Actor {
        self.registry
            .create_user(
                &self.admin,
                &NewUser {
                    username: name.into(),
                    password: Some("password-123".into()),
                    admin: false,
                },
            )
            .unwrap();
        self.registry
            .authenticate_basic(name, "password-123")
            .unwrap()
    }
}

/// One registry per available database engine.
pub(crate) fn each_backend(test: impl Fn(Env)) {
    each_backend_configured(false, test);
}

/// Like [`each_backend`], with SML registration on.
pub(crate) fn each_backend_with_sml(test: impl Fn(Env)) {
    each_backend_configured(true, test);
}

fn each_backend_configured(sml_enabled: bool, test: impl Fn(Env)) {
    each_backend_with(sml_enabled, &RegistrationPolicy::default(), test);
}

/// One registry per engine with the given SML switch and registration policy.
pub(crate) fn each_backend_with(
    sml_enabled: bool,
    policy: &RegistrationPolicy,
    test: impl Fn(Env),
) {
    let dir = tempfile::tempdir().unwrap();
    for (backend, url) in test_support::test_databases(dir.path()) {
        let store = Store::open(&url, 4).unwrap();
        let registry = Registry::new(
            store,
            signing_key(),
            &RegistryConfig {
                public_url: "http://smp.test".into(),
                base_path: String::new(),
                cache_enabled: true,
                cache_max_entries: 1000,
                max_document_bytes: 1 << 20,
                sml_enabled,
                migration_check_ms: 1000,
                migration_grace_ms: 0,
                policy: policy.clone(),
                event_retention_ms: 30 * 24 * 3600 * 1000,
                foreign_fetch: smp_client::FetchPolicy::strict(),
            },
        );
        let admin = registry.unchecked_local_admin().unwrap();
        eprintln!("-- backend {backend}");
        test(Env {
            registry,
            admin,
            backend,
            _dir: tempfile::tempdir().unwrap(),
        });
    }
}
