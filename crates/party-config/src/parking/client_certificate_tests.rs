//! Certificates issued by the test AP CA with the extensions a test needs, made on the
//! fly: key usage and purpose, and revocation by CRL files.

use std::path::{Path, PathBuf};

use openssl::asn1::{Asn1Integer, Asn1Time};
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::x509::extension::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage,
};
use openssl::x509::{
    CrlNumber, X509, X509Builder, X509Crl, X509CrlBuilder, X509Extension, X509NameBuilder,
    X509RevokedBuilder,
};

use super::{ApTrust, DEFAULT_AP_CA_MARKERS, ParkingEnvironment};

fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

fn trust() -> ApTrust {
    let markers: Vec<String> = DEFAULT_AP_CA_MARKERS
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    ApTrust::from_pem_file(
        &repo_file("certs-test/truststore/peppol-test-ap-roots.pem"),
        &markers,
        ParkingEnvironment::Test,
    )
    .unwrap()
}

/// A CA from certs-test and its key.
fn ca(name: &str) -> (X509, PKey<Private>) {
    let cert =
        X509::from_pem(&std::fs::read(repo_file(&format!("{name}.crt.pem"))).unwrap()).unwrap();
    let key =
        PKey::private_key_from_pem(&std::fs::read(repo_file(&format!("{name}.key.pem"))).unwrap())
            .unwrap();
    (cert, key)
}

fn ap_ca() -> (X509, PKey<Private>) {
    ca("certs-test/ap/ap-ca")
}

/// An AP-shaped certificate (`CN=PBE0000xx`) with `serial`, issued by the test AP CA,
/// valid now, carrying exactly `extensions`.
fn issue(serial: u32, extensions: Vec<X509Extension>) -> X509 {
    let (ca_cert, ca_key) = ap_ca();
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
    let key = PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap();
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_text("C", "BE").unwrap();
    name.append_entry_by_text("O", "Generated AP").unwrap();
    name.append_entry_by_text("CN", &format!("PBE{serial:06}"))
        .unwrap();
    let name = name.build();
    let mut b = X509Builder::new().unwrap();
    b.set_version(2).unwrap();
    let serial = BigNum::from_u32(serial).unwrap().to_asn1_integer().unwrap();
    b.set_serial_number(&serial).unwrap();
    b.set_subject_name(&name).unwrap();
    b.set_issuer_name(ca_cert.subject_name()).unwrap();
    b.set_pubkey(&key).unwrap();
    b.set_not_before(&Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    b.set_not_after(&Asn1Time::days_from_now(365).unwrap())
        .unwrap();
    for ext in extensions {
        b.append_extension(ext).unwrap();
    }
    b.sign(&ca_key, MessageDigest::sha256()).unwrap();
    b.build()
}

fn end_entity() -> X509Extension {
    BasicConstraints::new().critical().build().unwrap()
}

fn signing_key_usage() -> X509Extension {
    KeyUsage::new()
        .critical()
        .digital_signature()
        .key_encipherment()
        .build()
        .unwrap()
}

fn client_auth() -> X509Extension {
    ExtendedKeyUsage::new().client_auth().build().unwrap()
}

/// What the AP certificates of the test PKI carry.
fn ap_extensions() -> Vec<X509Extension> {
    vec![end_entity(), signing_key_usage(), client_auth()]
}

fn code(trust: &ApTrust, cert: &X509) -> &'static str {
    match trust.classify(&[cert.to_der().unwrap()]) {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

/// A CRL signed by `issuer` listing `revoked` serials.
fn crl(issuer: &(X509, PKey<Private>), revoked: &[u32]) -> X509Crl {
    let (cert, key) = issuer;
    let dummy = X509::builder().unwrap();
    let ctx = dummy.x509v3_context(Some(cert), None);
    let aki = AuthorityKeyIdentifier::new()
        .keyid(true)
        .build(&ctx)
        .unwrap();
    let mut b = X509CrlBuilder::new().unwrap();
    b.set_issuer_name(cert.subject_name()).unwrap();
    b.set_last_update(&Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    b.set_next_update(&Asn1Time::days_from_now(7).unwrap())
        .unwrap();
    b.append_extension(aki).unwrap();
    b.append_extension(
        CrlNumber::new(BigNum::from_u32(1).unwrap())
            .unwrap()
            .build()
            .unwrap(),
    )
    .unwrap();
    for serial in revoked {
        let mut r = X509RevokedBuilder::new().unwrap();
        let serial: Asn1Integer = BigNum::from_u32(*serial)
            .unwrap()
            .to_asn1_integer()
            .unwrap();
        r.set_serial_number(&serial).unwrap();
        r.set_revocation_date(&Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        b.add_revoked(r.build()).unwrap();
    }
    b.sign(key, MessageDigest::sha256()).unwrap();
    b.build().unwrap()
}

#[test]
fn only_end_entity_certificates_for_tls_client_authentication_are_accepted() {
    let t = trust();
    assert_eq!(code(&t, &issue(11, ap_extensions())), "ok");
    // Without the extensions nothing restricts the certificate.
    assert_eq!(code(&t, &issue(12, Vec::new())), "ok");
    let ca_flag = BasicConstraints::new().critical().ca().build().unwrap();
    assert_eq!(
        code(
            &t,
            &issue(13, vec![ca_flag, signing_key_usage(), client_auth()])
        ),
        "token.not_a_client_certificate"
    );
    let encipher_only = KeyUsage::new()
        .critical()
        .key_encipherment()
        .build()
        .unwrap();
    assert_eq!(
        code(
            &t,
            &issue(14, vec![end_entity(), encipher_only, client_auth()])
        ),
        "token.not_a_client_certificate"
    );
    let server_only = ExtendedKeyUsage::new().server_auth().build().unwrap();
    let refused = t
        .classify(&[
            issue(15, vec![end_entity(), signing_key_usage(), server_only])
                .to_der()
                .unwrap(),
        ])
        .unwrap_err();
    assert_eq!(
        (refused.code(), refused.status()),
        ("token.not_a_client_certificate", 401)
    );
    assert!(refused.to_string().contains("clientAuth"), "{refused}");
}

#[test]
fn certificates_on_a_configured_crl_are_refused_and_changed_files_are_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ap-ca.crl.pem");
    std::fs::write(&file, crl(&ap_ca(), &[4242]).to_pem().unwrap()).unwrap();
    let t = trust().with_crl_files(std::slice::from_ref(&file)).unwrap();
    let revoked = issue(4242, ap_extensions());
    let fine = issue(4243, ap_extensions());
    let e = t.classify(&[revoked.to_der().unwrap()]).unwrap_err();
    assert_eq!((e.code(), e.status()), ("token.certificate_revoked", 401));
    assert!(e.to_string().contains("1092"), "serial in hex: {e}");
    assert_eq!(code(&t, &fine), "ok");
    // Unchanged files are not read again.
    assert_eq!(t.reload_crls(), Ok(false));

    // The CA lifts the revocation (a new list, here in DER): read again once it changed.
    std::fs::write(&file, crl(&ap_ca(), &[1]).to_der().unwrap()).unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(later)
        .unwrap();
    assert_eq!(t.reload_crls(), Ok(true));
    assert_eq!(code(&t, &revoked), "ok");

    // A broken file keeps the lists in force.
    std::fs::write(&file, b"not a CRL").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(later + std::time::Duration::from_secs(5))
        .unwrap();
    assert!(t.reload_crls().is_err());
    assert_eq!(code(&t, &revoked), "ok");
}

#[test]
fn crl_files_must_hold_lists_signed_by_the_trust_store() {
    let dir = tempfile::tempdir().unwrap();
    let forged = dir.path().join("forged.crl.pem");
    // Issued by a CA outside the trust store.
    let untrusted = ca("certs-test/untrusted/untrusted-root");
    std::fs::write(&forged, crl(&untrusted, &[4242]).to_pem().unwrap()).unwrap();
    let e = trust().with_crl_files(&[forged]).unwrap_err();
    assert!(
        e.contains("not signed by a CA of parking.trust_store"),
        "{e}"
    );

    // Claiming to be the AP CA's list, but signed with another key.
    let impostor = dir.path().join("impostor.crl.pem");
    let (ap_cert, _) = ap_ca();
    let (_, other_key) = untrusted;
    std::fs::write(
        &impostor,
        crl(&(ap_cert, other_key), &[4242]).to_pem().unwrap(),
    )
    .unwrap();
    assert!(trust().with_crl_files(&[impostor]).is_err());

    let junk = dir.path().join("junk.crl");
    std::fs::write(&junk, b"junk").unwrap();
    assert!(trust().with_crl_files(&[junk]).is_err());
    assert!(
        trust()
            .with_crl_files(&[dir.path().join("missing.crl")])
            .is_err()
    );
}
