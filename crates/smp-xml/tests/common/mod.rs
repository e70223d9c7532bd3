//! Helpers shared by the integration test binaries: spec location, a generated test PKI and
//! fully populated model values.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};

use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, MsbOption};
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::extension::{BasicConstraints, KeyUsage};
use openssl::x509::{X509, X509NameBuilder};
use peppol_id::{DocumentTypeId, ParticipantId, ProcessId};
use smp_xml::{
    Endpoint, Extension, Process, Redirect, ServiceInformation, ServiceMetadata, SigningKey,
};

/// True when missing tools or spec files must fail the test instead of skipping it.
pub(crate) fn require_all() -> bool {
    std::env::var_os("CI").is_some() || std::env::var_os("FERRY_REQUIRE_ALL").is_some()
}

/// For a missing external tool: panics under CI/FERRY_REQUIRE_ALL, else prints a SKIP line;
/// the caller then returns.
pub(crate) fn skip(what: &str) {
    if require_all() {
        panic!("required for this test but missing: {what}");
    }
    println!("SKIP: {what}");
}

/// The spec directory: `$FERRY_SPEC_DIR`, default `<repo>/../shared/spec`. Panics, naming
/// `FERRY_SPEC_DIR`, when it holds no SMP XSDs: a test that needs them fails rather than
/// checking nothing.
pub(crate) fn spec_dir() -> PathBuf {
    let dir = std::env::var_os("FERRY_SPEC_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec"),
        PathBuf::from,
    );
    assert!(
        dir.join("smp/xsd/peppol/peppol-smp-types-v1.xsd").is_file(),
        "spec files not found: {} has no smp/xsd/peppol/peppol-smp-types-v1.xsd; set \
         FERRY_SPEC_DIR to the directory with the official XSDs and samples \
         (default: <repo>/../shared/spec)",
        dir.display()
    );
    dir
}

pub(crate) fn read_sample(spec: &Path, rel: &str) -> Vec<u8> {
    let path = spec.join("smp/samples").join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub(crate) fn sample_files(spec: &Path, dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(spec.join("smp/samples").join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    files
}

fn rsa_key() -> PKey<Private> {
    PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap()
}

fn serial() -> openssl::asn1::Asn1Integer {
    let mut bn = BigNum::new().unwrap();
    bn.rand(64, MsbOption::MAYBE_ZERO, false).unwrap();
    bn.to_asn1_integer().unwrap()
}

fn name(cn: &str) -> openssl::x509::X509Name {
    let mut b = X509NameBuilder::new().unwrap();
    b.append_entry_by_text("C", "BE").unwrap();
    b.append_entry_by_text("O", "Ferry Test").unwrap();
    b.append_entry_by_text("CN", cn).unwrap();
    b.build()
}

/// A test CA and an end-entity certificate it issued.
pub(crate) struct TestPki {
    pub(crate) ca_cert: X509,
    pub(crate) cert: X509,
    pub(crate) key: PKey<Private>,
}

impl TestPki {
    pub(crate) fn generate(cn: &str) -> Self {
        let ca_key = rsa_key();
        let mut ca = X509::builder().unwrap();
        ca.set_version(2).unwrap();
        ca.set_serial_number(&serial()).unwrap();
        ca.set_subject_name(&name("Ferry Test CA")).unwrap();
        ca.set_issuer_name(&name("Ferry Test CA")).unwrap();
        ca.set_pubkey(&ca_key).unwrap();
        ca.set_not_before(&Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        ca.set_not_after(&Asn1Time::days_from_now(3650).unwrap())
            .unwrap();
        ca.append_extension(BasicConstraints::new().critical().ca().build().unwrap())
            .unwrap();
        ca.sign(&ca_key, MessageDigest::sha256()).unwrap();
        let ca_cert = ca.build();

        let key = rsa_key();
        let mut ee = X509::builder().unwrap();
        ee.set_version(2).unwrap();
        ee.set_serial_number(&serial()).unwrap();
        ee.set_subject_name(&name(cn)).unwrap();
        ee.set_issuer_name(ca_cert.subject_name()).unwrap();
        ee.set_pubkey(&key).unwrap();
        ee.set_not_before(&Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        ee.set_not_after(&Asn1Time::days_from_now(3650).unwrap())
            .unwrap();
        ee.append_extension(BasicConstraints::new().critical().build().unwrap())
            .unwrap();
        ee.append_extension(
            KeyUsage::new()
                .critical()
                .digital_signature()
                .key_encipherment()
                .build()
                .unwrap(),
        )
        .unwrap();
        ee.sign(&ca_key, MessageDigest::sha256()).unwrap();
        Self {
            ca_cert,
            cert: ee.build(),
            key,
        }
    }

    pub(crate) fn cert_pem(&self) -> Vec<u8> {
        self.cert.to_pem().unwrap()
    }

    pub(crate) fn key_pem(&self) -> Vec<u8> {
        self.key.private_key_to_pem_pkcs8().unwrap()
    }

    pub(crate) fn signing_key(&self) -> SigningKey {
        SigningKey::from_pem(&self.cert_pem(), &self.key_pem()).unwrap()
    }
}

/// Base64 DER of an access point certificate: the shared test PKI's if present, else a
/// freshly generated one.
pub(crate) fn ap_certificate_b64() -> String {
    let shared =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../certs-test/ap/ap-valid.crt.pem");
    let der = match std::fs::read(&shared) {
        Ok(pem) => X509::from_pem(&pem).unwrap().to_der().unwrap(),
        Err(_) => TestPki::generate("POP000001").cert.to_der().unwrap(),
    };
    data_encoding::BASE64.encode(&der)
}

pub(crate) fn participant() -> ParticipantId {
    ParticipantId::new("iso6523-actorid-upis", "0088:5798000000001").unwrap()
}

pub(crate) fn extension(tag: &str) -> Extension {
    Extension::parse(&format!(
        r#"<ext:Info xmlns:ext="urn:example:ext" xmlns:o="urn:example:other" o:kind="{tag}"><ext:Note lang="en">a &lt; b &amp; "c"</ext:Note><Plain xmlns="">x</Plain></ext:Info>"#
    ))
    .unwrap()
}

/// A ServiceInformation with every optional element set, two processes and endpoints.
pub(crate) fn full_information(cert_b64: &str) -> ServiceMetadata {
    let endpoint = |n: u8, full: bool| Endpoint {
        transport_profile: "peppol-transport-as4-v2_0".to_owned(),
        address: format!("https://ap{n}.example.org/as4?a=1&b=<2>"),
        require_business_level_signature: full,
        minimum_authentication_level: full.then(|| "2".to_owned()),
        service_activation_date: full.then(|| "2024-01-01T00:00:00Z".to_owned()),
        service_expiration_date: full.then(|| "2034-01-01T00:00:00.5+01:00".to_owned()),
        certificate: cert_b64.to_owned(),
        service_description: if full {
            "Test \"AP\" & co".to_owned()
        } else {
            String::new()
        },
        technical_contact_url: "mailto:support@example.org".to_owned(),
        technical_information_url: full.then(|| "https://example.org/info".to_owned()),
        extension: full.then(|| extension("endpoint")),
    };
    ServiceMetadata::Information(ServiceInformation {
        participant: participant(),
        document_type: DocumentTypeId::new(
            "busdox-docid-qns",
            "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1",
        )
        .unwrap(),
        processes: vec![
            Process {
                process: ProcessId::new(
                    "cenbii-procid-ubl",
                    "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0",
                )
                .unwrap(),
                endpoints: vec![endpoint(1, true), endpoint(2, false)],
                extension: Some(extension("process")),
            },
            Process {
                process: ProcessId::new("cenbii-procid-ubl", "urn:example:process:2").unwrap(),
                endpoints: vec![endpoint(3, false)],
                extension: None,
            },
        ],
        extension: Some(extension("information")),
    })
}

pub(crate) fn full_redirect() -> ServiceMetadata {
    ServiceMetadata::Redirect(Redirect {
        href: "https://other-smp.example.org/iso6523-actorid-upis%3A%3A0088%3A5798000000001/services/x".to_owned(),
        certificate_uid: "C=BE,O=Other,CN=PSG000001".to_owned(),
        extension: Some(extension("redirect")),
    })
}
