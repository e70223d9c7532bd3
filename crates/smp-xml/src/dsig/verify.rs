//! Verification of other SMPs' signatures, delegated to bergshamra behind our own trait.
//!
//! Before bergshamra sees the document, our strict parser refuses DTDs and entities, and
//! the signature's shape is checked: exactly one Signature, a child of the root, one
//! Reference with `URI=""` (the whole document), only enveloped/C14N transforms, and a
//! KeyInfo carrying the signer certificate and nothing that would make the verifier fetch
//! keys from elsewhere.

use bergshamra::{DsigContext, KeysManager, VerifyResult};

use crate::error::XmlError;
use crate::ns;
use crate::read::dom::{self, Element};
use crate::read::options::ParseOptions;

/// Checks an XML signature.
pub trait SignatureVerifier {
    /// Verifies the enveloped signature of `xml` and returns the signer certificate.
    /// Trust in that certificate (chain, validity, revocation) is the caller's decision.
    fn verify(&self, xml: &[u8]) -> Result<VerifiedSignature, XmlError>;
}

/// Outcome of a successful verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedSignature {
    /// DER of the certificate whose key produced the signature.
    pub signer_certificate_der: Vec<u8>,
}

/// [`SignatureVerifier`] that checks the signature is cryptographically valid with the key
/// of the certificate in KeyInfo. It does not check the certificate chain or validity dates.
///
/// Only SHA-2 algorithms are accepted (SMP 1.4.0 requires RSA-SHA256 with SHA-256): a
/// SHA-1 signature or digest is `dsig.unsupported`, because SHA-1 collisions are practical
/// and a verifier that accepts whatever its library knows lets a peer pick the weakest.
/// Archives of older documents can be read with [`Sha1TolerantVerifier`].
#[derive(Clone, Copy, Debug, Default)]
pub struct DsigVerifier;

/// Like [`DsigVerifier`], but also accepts RSA-SHA1 and SHA-1 digests (documents signed
/// before Peppol required SHA-256). Never use it to decide trust in a live document.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sha1TolerantVerifier;

/// Signature algorithms accepted by default: RSA (PKCS#1 v1.5 and PSS) and ECDSA with SHA-2.
const SIGNATURE_METHODS: [&str; 9] = [
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
    "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
    "http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1",
    "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
];
/// Digest algorithms accepted by default.
const DIGEST_METHODS: [&str; 3] = [
    "http://www.w3.org/2001/04/xmlenc#sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512",
];
/// What [`Sha1TolerantVerifier`] accepts besides.
const SHA1_METHODS: [&str; 2] = [
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
    "http://www.w3.org/2000/09/xmldsig#sha1",
];

const TRANSFORMS_ALLOWED: [&str; 7] = [
    "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments",
    "http://www.w3.org/2001/10/xml-exc-c14n#",
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
    "http://www.w3.org/2006/12/xml-c14n11",
    "http://www.w3.org/2006/12/xml-c14n11#WithComments",
];

fn unsupported(detail: impl Into<String>) -> XmlError {
    XmlError::DsigUnsupported {
        detail: detail.into(),
    }
}

fn invalid(reason: impl Into<String>) -> XmlError {
    XmlError::DsigInvalid {
        reason: reason.into(),
    }
}

fn count_signatures(el: &Element) -> usize {
    usize::from(el.is(ns::DS, "Signature"))
        + el.child_elements().map(count_signatures).sum::<usize>()
}

fn ds_children<'a>(el: &'a Element, local: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
    el.child_elements().filter(move |c| c.is(ns::DS, local))
}

/// Refuses an algorithm outside `allowed` (plus SHA-1 when `sha1` is set).
fn check_algorithm(
    el: Option<&Element>,
    what: &str,
    allowed: &[&str],
    sha1: bool,
) -> Result<(), XmlError> {
    let alg = el.and_then(|e| e.attr("Algorithm")).unwrap_or("");
    if allowed.contains(&alg) || (sha1 && SHA1_METHODS.contains(&alg)) {
        Ok(())
    } else if SHA1_METHODS.contains(&alg) {
        Err(unsupported(format!(
            "{what} {alg:?} uses SHA-1, which is not accepted (Peppol SMP 1.4.0 requires RSA-SHA256 with SHA-256)"
        )))
    } else {
        Err(unsupported(format!("{what} {alg:?}")))
    }
}

/// Checks the signature's structure and returns the DER of the KeyInfo certificate.
fn check_shape(root: &Element, sha1: bool) -> Result<Vec<u8>, XmlError> {
    let total = count_signatures(root);
    let sig = match (total, ds_children(root, "Signature").next()) {
        (0, _) => {
            return Err(XmlError::DsigMissing {
                detail: "no ds:Signature element in the document".to_owned(),
            });
        }
        (1, Some(sig)) => sig,
        (1, None) => {
            return Err(unsupported(
                "ds:Signature is not a child of the root element",
            ));
        }
        _ => {
            return Err(unsupported(format!(
                "{total} ds:Signature elements, expected one"
            )));
        }
    };
    let signed_info = ds_children(sig, "SignedInfo")
        .next()
        .ok_or_else(|| invalid("ds:SignedInfo missing"))?;
    let refs: Vec<_> = ds_children(signed_info, "Reference").collect();
    let [reference] = refs.as_slice() else {
        return Err(unsupported(format!(
            "{} ds:Reference elements, expected exactly one",
            refs.len()
        )));
    };
    check_algorithm(
        ds_children(signed_info, "SignatureMethod").next(),
        "signature method",
        &SIGNATURE_METHODS,
        sha1,
    )?;
    check_algorithm(
        ds_children(reference, "DigestMethod").next(),
        "digest method",
        &DIGEST_METHODS,
        sha1,
    )?;
    if reference.attr("URI") != Some("") {
        return Err(unsupported(
            "ds:Reference must have URI=\"\" (the whole document)",
        ));
    }
    for transforms in ds_children(reference, "Transforms") {
        for t in transforms.child_elements() {
            let alg = t.attr("Algorithm").unwrap_or("");
            if !t.is(ns::DS, "Transform") || !TRANSFORMS_ALLOWED.contains(&alg) {
                return Err(unsupported(format!("transform {alg:?}")));
            }
        }
    }
    let key_info = ds_children(sig, "KeyInfo")
        .next()
        .ok_or_else(|| unsupported("ds:KeyInfo with the signer certificate is missing"))?;
    let mut certs = Vec::new();
    for child in key_info.child_elements() {
        if child.is(ns::DS, "X509Data") {
            certs.extend(ds_children(child, "X509Certificate"));
        } else if !(child.is(ns::DS, "KeyName") || child.is(ns::DS, "KeyValue")) {
            return Err(unsupported(format!(
                "KeyInfo child {} (only X509Data, KeyName and KeyValue are accepted)",
                child.display_name()
            )));
        }
    }
    let [cert] = certs.as_slice() else {
        return Err(unsupported(format!(
            "{} X509Certificate elements in KeyInfo, expected exactly one",
            certs.len()
        )));
    };
    let b64: String = cert
        .text()
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    data_encoding::BASE64
        .decode(b64.as_bytes())
        .map_err(|e| invalid(format!("X509Certificate is not base64: {e}")))
}

impl SignatureVerifier for DsigVerifier {
    fn verify(&self, xml: &[u8]) -> Result<VerifiedSignature, XmlError> {
        verify(xml, false)
    }
}

impl SignatureVerifier for Sha1TolerantVerifier {
    fn verify(&self, xml: &[u8]) -> Result<VerifiedSignature, XmlError> {
        verify(xml, true)
    }
}

fn verify(xml: &[u8], sha1: bool) -> Result<VerifiedSignature, XmlError> {
    {
        let root = dom::parse_document(xml, &ParseOptions::default())?;
        let cert_der = check_shape(&root, sha1)?;
        let text = std::str::from_utf8(xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml))
            .map_err(|e| XmlError::malformed(format!("input is not UTF-8: {e}")))?;
        // Permissive context + insecure: use the KeyInfo certificate's key without building
        // a chain; trust decisions belong to the caller, who gets the certificate back.
        let ctx = DsigContext::new_permissive(KeysManager::new())
            .with_insecure(true)
            .with_enabled_key_data_x509(true)
            .with_require_reference_digests(true);
        let result = bergshamra::verify(&ctx, text).map_err(|e| match e {
            bergshamra::Error::UnsupportedAlgorithm(a) => unsupported(a),
            other => invalid(other.to_string()),
        })?;
        match result {
            VerifyResult::Valid {
                references,
                key_info,
                ..
            } => {
                if references.len() != 1 || !references.iter().all(|r| r.digest_verified) {
                    return Err(invalid("the document digest was not verified"));
                }
                if key_info.x509_chain.first() != Some(&cert_der) {
                    return Err(invalid(
                        "the signature was not verified with the KeyInfo certificate's key",
                    ));
                }
                Ok(VerifiedSignature {
                    signer_certificate_der: cert_der,
                })
            }
            VerifyResult::Invalid { reason } => Err(invalid(reason)),
        }
    }
}
