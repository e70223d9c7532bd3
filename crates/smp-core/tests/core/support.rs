use smp_core::{Actor, Core, CoreConfig, NewUser, RegistrationPolicy};
use smp_store::Store;
use smp_xml::SigningKey;

pub(crate) const PARTICIPANT: &str = "iso6523-actorid-upis::0208:0123456749";
pub(crate) const DOCTYPE: &str = "busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1";
pub(crate) const PROCESS: &str = "cenbii-procid-ubl::urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

pub(crate) use test_support::fixtures::ap_cert_b64;

pub(crate) fn signing_key() -> SigningKey {
    let (cert, key) = test_support::fixtures::smp_signing_pem();
    SigningKey::from_pem(&cert, &key).unwrap()
}

pub(crate) struct Env {
    pub(crate) registry: Core,
    pub(crate) admin: Actor,
    pub(crate) backend: &'static str,
    _dir: tempfile::TempDir,
}

impl Env {
    pub(crate) fn user(&self, name: &str) -> Actor {
        self.registry
            .users()
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
            .users()
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
        let registry = Core::new(
            store,
            signing_key(),
            &CoreConfig {
                public_url: "http://smp.test".into(),
                base_path: String::new(),
                cache_enabled: true,
                cache_max_entries: 1000,
                max_document_bytes: 1 << 20,
                sml_enabled,
                policy: policy.clone(),
                event_retention_ms: 30 * 24 * 3600 * 1000,
            },
        );
        let admin = registry.users().unchecked_local_admin().unwrap();
        eprintln!("-- backend {backend}");
        test(Env {
            registry,
            admin,
            backend,
            _dir: tempfile::tempdir().unwrap(),
        });
    }
}
