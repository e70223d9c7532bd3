//! Signing our own documents and verifying signatures with DsigVerifier.

use crate::common::{
    TestPki, ap_certificate_b64, full_information, full_redirect, read_sample, spec_dir,
};
use smp_xml::{
    DsigVerifier, ParseOptions, Sha1TolerantVerifier, SignatureVerifier, SigningKey,
    parse_signed_service_metadata, sign_service_metadata,
};

/// Signed samples that xmlsec1 accepts (checked with `xmlsec1 --verify --enabled-key-data
/// x509 --insecure`). signed-service-metadata1.xml is NOT among them: xmlsec1 reports
/// "data and digest do not match" (the file was re-indented after signing).
const VALID_SAMPLES: &[&str] = &[
    "peppol/signed-peppol-commons/signed-service-metadata2.xml",
    "peppol/signed-peppol-commons/signed-service-metadata3-c14n-inclusive.xml",
    "peppol/signed-vefa/busdox-servicemetadata-0192-12345678-1.xml",
    "peppol/signed-vefa/busdox-servicemetadata-0192-12345678-2.xml",
    "peppol/signed-vefa/busdox-servicemetadata-0192-12345678-3.xml",
    "peppol/signed-vefa/busdox-servicemetadata-0192-923829644-1.xml",
    "peppol/signed-vefa/busdox-servicemetadata-0192-923829644-2.xml",
    "peppol/signed-vefa/busdox-servicemetadata-0192-923829644-3.xml",
    "peppol/signed-vefa/busdox-servicemetadata-0192-98765432-1.xml",
    "peppol/signed-vefa/busdox-servicemetadata-0192-98765432-2.xml",
    "peppol/signed-vefa/busdox-servicemetadata-0192-98765432-3.xml",
    "peppol/signed-vefa/busdox-servicemetadata-0192-991825827.xml",
    "peppol/signed-vefa/busdox-servicemetadata-9908-12345678.xml",
    "peppol/signed-vefa/busdox-servicemetadata-9908-923829644.xml",
    "peppol/signed-vefa/busdox-servicemetadata-9908-98765432.xml",
    "peppol/signed-vefa/busdox-servicemetadata-9933-061828591.xml",
    "peppol/signed-vefa/busdox-servicemetadata-redirect-0192-991825827.xml",
    "peppol/signed-vefa/busdox-servicemetadata-redirected-0192-991825827.xml",
    "peppol/signed-vefa/peppol-doctype-wildcard-servicemetadata-9901-pint_c4_jp_sb.xml",
];

/// Replaces the element text of the first `<...tag>` occurrence by `f(text)`.
fn tamper_text(xml: &str, tag: &str, f: impl Fn(&str) -> String) -> String {
    let open = xml.find(&format!("{tag}>")).unwrap() + tag.len() + 1;
    let close = open + xml[open..].find('<').unwrap();
    format!("{}{}{}", &xml[..open], f(&xml[open..close]), &xml[close..])
}

/// Changes one base64 character in the middle of a value (keeping it valid base64).
fn flip_base64(s: &str) -> String {
    let mid = s.len() / 2;
    let mut chars: Vec<char> = s.chars().collect();
    let i = (mid..chars.len())
        .find(|&i| chars[i].is_ascii_alphabetic())
        .unwrap();
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

fn expect_invalid(xml: &str, what: &str) {
    // The samples predate SHA-256 in Peppol: tampering is judged by the tolerant verifier.
    let err = Sha1TolerantVerifier.verify(xml.as_bytes()).unwrap_err();
    assert_eq!(err.code(), "dsig.invalid", "{what}: {err}");
}

#[test]
fn valid_samples_verify_and_tampered_copies_do_not() {
    let spec = spec_dir();
    for rel in VALID_SAMPLES {
        let xml = String::from_utf8(read_sample(&spec, rel)).unwrap();
        // Every sample is signed with RSA-SHA1: refused by default, with a reason...
        let refused = DsigVerifier.verify(xml.as_bytes()).unwrap_err();
        assert_eq!(refused.code(), "dsig.unsupported", "{rel}: {refused}");
        assert!(refused.to_string().contains("SHA-1"), "{rel}: {refused}");
        // ...and cryptographically valid for a reader of old archives.
        let verified = Sha1TolerantVerifier
            .verify(xml.as_bytes())
            .unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert!(
            x509_parser::parse_x509_certificate(&verified.signer_certificate_der).is_ok(),
            "{rel}"
        );

        // Endpoint address or redirect href: one character changed.
        let changed = if xml.contains("Address>") {
            tamper_text(&xml, "Address", |a| a.replacen("://", "://x", 1))
        } else {
            xml.replacen("href=\"http", "href=\"xhttp", 1)
        };
        assert_ne!(changed, xml);
        expect_invalid(&changed, &format!("{rel} with a changed URL"));
        expect_invalid(
            &tamper_text(&xml, "DigestValue", flip_base64),
            &format!("{rel} with a changed DigestValue"),
        );
        expect_invalid(
            &tamper_text(&xml, "SignatureValue", flip_base64),
            &format!("{rel} with a changed SignatureValue"),
        );
    }
}

#[test]
fn sample_with_a_broken_digest_is_invalid() {
    // xmlsec1 also rejects this sample: it was re-indented after signing.
    let spec = spec_dir();
    let xml = read_sample(
        &spec,
        "peppol/signed-peppol-commons/signed-service-metadata1.xml",
    );
    assert_eq!(
        Sha1TolerantVerifier.verify(&xml).unwrap_err().code(),
        "dsig.invalid"
    );
    // It still parses as a document.
    parse_signed_service_metadata(&xml, &ParseOptions::default()).unwrap();
}

#[test]
fn our_signatures_verify_and_round_trip() {
    let pki = TestPki::generate("PSG000001");
    let key = pki.signing_key();
    for sm in [full_information(&ap_certificate_b64()), full_redirect()] {
        let signed = sign_service_metadata(&sm, &key).unwrap();
        let verified = DsigVerifier.verify(&signed).unwrap();
        assert_eq!(verified.signer_certificate_der, pki.cert.to_der().unwrap());
        assert_eq!(verified.signer_certificate_der, key.certificate_der());
        assert_eq!(
            parse_signed_service_metadata(&signed, &ParseOptions::default()).unwrap(),
            sm
        );

        let text = String::from_utf8(signed).unwrap();
        assert!(text.ends_with("</ds:Signature></smp:SignedServiceMetadata>"));
        assert!(text.contains(r#"<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315">"#));
        assert!(text.contains(
            r#"<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256">"#
        ));
        assert!(
            text.contains(
                r#"<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256">"#
            )
        );
        assert_eq!(text.matches("<ds:Transform ").count(), 1);
        let changed = text
            .replacen("CertificateUID>C=BE", "CertificateUID>C=BF", 1)
            .replacen("ap1.example.org", "ap1.example.orh", 1);
        assert_ne!(changed, text);
        expect_invalid(&changed, "our document with a changed value");
        expect_invalid(
            &tamper_text(&text, "ds:DigestValue", flip_base64),
            "our DigestValue",
        );
        expect_invalid(
            &tamper_text(&text, "ds:SignatureValue", flip_base64),
            "our SignatureValue",
        );
    }
}

#[test]
fn a_signature_by_another_key_with_the_original_certificate_is_invalid() {
    let a = TestPki::generate("PSG000001");
    let b = TestPki::generate("PSG000002");
    let signed_by_b =
        String::from_utf8(sign_service_metadata(&full_redirect(), &b.signing_key()).unwrap())
            .unwrap();
    let a_cert = data_encoding::BASE64.encode(&a.cert.to_der().unwrap());
    let swapped = tamper_text(&signed_by_b, "ds:X509Certificate", |_| a_cert.clone());
    expect_invalid(&swapped, "certificate swapped");
}

#[test]
fn unsigned_and_unsupported_documents() {
    let unsigned = smp_xml::write_service_metadata(&full_redirect());
    assert_eq!(
        DsigVerifier.verify(&unsigned).unwrap_err().code(),
        "dsig.missing"
    );
    let pki = TestPki::generate("PSG000001");
    let signed =
        String::from_utf8(sign_service_metadata(&full_redirect(), &pki.signing_key()).unwrap())
            .unwrap();
    let external = signed.replacen(
        r#"<ds:Reference URI="">"#,
        r#"<ds:Reference URI="http://example.org/x">"#,
        1,
    );
    assert_eq!(
        DsigVerifier.verify(external.as_bytes()).unwrap_err().code(),
        "dsig.unsupported"
    );
    let doctype = format!(
        "<!DOCTYPE x>{}",
        signed
            .trim_start_matches(|c| c != '>')
            .trim_start_matches('>')
    );
    assert_eq!(
        DsigVerifier.verify(doctype.as_bytes()).unwrap_err().code(),
        "xml.dtd_forbidden"
    );
}

#[test]
fn signing_key_checks() {
    let a = TestPki::generate("PSG000001");
    let b = TestPki::generate("PSG000002");
    let key = SigningKey::from_pem(&a.cert_pem(), &a.key_pem()).unwrap();
    assert_eq!(key.fingerprint_sha256().len(), 64);
    assert_ne!(
        key.fingerprint_sha256(),
        b.signing_key().fingerprint_sha256()
    );
    let mismatch = SigningKey::from_pem(&a.cert_pem(), &b.key_pem()).unwrap_err();
    assert_eq!(mismatch.code(), "sign.key");
    assert_eq!(
        SigningKey::from_pem(b"junk", &a.key_pem())
            .unwrap_err()
            .code(),
        "sign.key"
    );
    assert_eq!(
        SigningKey::from_pem(&a.cert_pem(), b"junk")
            .unwrap_err()
            .code(),
        "sign.key"
    );
    let ec = openssl::ec::EcKey::generate(
        &openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1).unwrap(),
    )
    .unwrap();
    let ec_pem = openssl::pkey::PKey::from_ec_key(ec)
        .unwrap()
        .private_key_to_pem_pkcs8()
        .unwrap();
    assert_eq!(
        SigningKey::from_pem(&a.cert_pem(), &ec_pem)
            .unwrap_err()
            .code(),
        "sign.key"
    );
}

/// Inclusive C14N looks at every namespace binding in scope on every element. 9,750
/// bindings (250 on each of 39 nested elements) over 20,000 elements took minutes in the
/// verifier; the namespace-scope limit refuses the document before it is canonicalised.
#[test]
fn namespace_scope_that_would_slow_canonicalisation_is_refused() {
    let pki = TestPki::generate("SMP");
    let signed =
        sign_service_metadata(&full_information(&ap_certificate_b64()), &pki.signing_key())
            .unwrap();
    let signed = String::from_utf8(signed).unwrap();
    let mut nest = String::new();
    for level in 0..39 {
        let decls: String = (0..250)
            .map(|i| format!(r#" xmlns:l{level}p{i}="urn:{i}""#))
            .collect();
        nest.push_str(&format!("<x{decls}>"));
    }
    nest.push_str(&"<a/>".repeat(20_000));
    nest.push_str(&"</x>".repeat(39));
    let xml = signed.replacen(
        "<smp:Extension>",
        &format!("<smp:Extension>{nest}</smp:Extension><smp:Extension>"),
        1,
    );
    let err = DsigVerifier.verify(xml.as_bytes()).unwrap_err();
    assert_eq!(err.code(), "xml.limit.namespace_scope", "{err}");
}
