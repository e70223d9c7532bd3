use std::sync::Arc;

use party_config::{Actor, Handover, HandoverConfig};

use crate::scheme_migration::FakeSml;
use smp_core::{
    CapabilitySpec, Core, CoreConfig, EndpointSpec, NewParticipant, NewUser, RegistrationPolicy,
    SmlRegistry,
};
use smp_store::Store;
use smp_xml::SigningKey;

pub(crate) const DOCTYPE: &str = "busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1";
pub(crate) const PROCESS: &str = "cenbii-procid-ubl::urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

pub(crate) use test_support::fixtures::{ap_cert_b64, repo_root};

pub(crate) fn signing_key() -> SigningKey {
    let (cert, key) = test_support::fixtures::smp_signing_pem();
    SigningKey::from_pem(&cert, &key).unwrap()
}

pub(crate) struct Env {
    pub(crate) registry: Handover,
    pub(crate) admin: Actor,
    _dir: tempfile::TempDir,
}

impl Env {
    pub(crate) fn user(&self, name: &str) -> Actor {
        self.registry
            .core()
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
            .core()
            .users()
            .authenticate_basic(name, "password-123")
            .unwrap()
    }
}

/// One handover per engine with SML registration on and no SML behind it (tests run the
/// jobs against their own fake).
pub(crate) fn each_backend_with_sml(test: impl Fn(Env)) {
    each_backend_with_sml_registry(|| None::<Arc<FakeSml>>, |env, _| test(env));
}

/// One handover per engine whose core calls the SML that `make_sml` returns.
pub(crate) fn each_backend_with_sml_registry<S: SmlRegistry + 'static>(
    make_sml: impl Fn() -> Option<Arc<S>>,
    test: impl Fn(Env, Option<Arc<S>>),
) {
    let dir = tempfile::tempdir().unwrap();
    for (backend, url) in test_support::test_databases(dir.path()) {
        let store = Store::open(&url, 4).unwrap();
        let core = Core::new(
            store,
            signing_key(),
            &CoreConfig {
                public_url: "http://smp.test".into(),
                base_path: String::new(),
                cache_enabled: true,
                cache_max_entries: 1000,
                max_document_bytes: 1 << 20,
                sml_enabled: true,
                policy: RegistrationPolicy::default(),
                event_retention_ms: 30 * 24 * 3600 * 1000,
            },
        );
        let sml = make_sml();
        let core = match &sml {
            Some(sml) => core.with_sml(Arc::clone(sml) as Arc<dyn SmlRegistry>),
            None => core,
        };
        let registry = Handover::new(
            Arc::new(core),
            &HandoverConfig {
                migration_check_ms: 1000,
                migration_grace_ms: 0,
                foreign_fetch: smp_client::FetchPolicy::strict(),
            },
        );
        let admin = registry.core().users().unchecked_local_admin().unwrap();
        eprintln!("-- backend {backend}");
        test(
            Env {
                registry,
                admin,
                _dir: tempfile::tempdir().unwrap(),
            },
            sml,
        );
    }
}

pub(crate) fn endpoint(url: &str) -> EndpointSpec {
    EndpointSpec {
        url: url.into(),
        transport_profile: "peppol-transport-as4-v2_0".into(),
        certificate: ap_cert_b64(),
        service_description: "test AP".into(),
        technical_contact_url: "mailto:ops@example.org".into(),
        technical_information_url: None,
        require_business_level_signature: false,
        minimum_authentication_level: None,
        activation_date: None,
        expiration_date: None,
    }
}

pub(crate) fn with_endpoint(participant: &str, url: &str) -> NewParticipant {
    NewParticipant {
        participant: participant.into(),
        capabilities: vec![CapabilitySpec {
            document_type: DOCTYPE.into(),
            process: PROCESS.into(),
            endpoint: Some(endpoint(url)),
            endpoint_profile: None,
        }],
        owner: None,
        create_in_sml: None,
    }
}
