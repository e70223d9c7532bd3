//! Enveloped XMLDSig over `SignedServiceMetadata` (PEPPOL-FACTS "SignedServiceMetadata
//! signature").
//!
//! The document is written directly in canonical form, so the digest is taken over the
//! bytes we emit (minus the Signature) rather than over a re-canonicalisation of them.

use openssl::hash::MessageDigest;
use openssl::sign::Signer;
use sha2::{Digest, Sha256};

use crate::dsig::signing_key::SigningKey;
use crate::error::XmlError;
use crate::model::service_metadata::ServiceMetadata;
use crate::ns;
use crate::write::XML_DECLARATION;
use crate::write::canonical::{CanonicalWriter, escape_attribute};
use crate::write::service_metadata::write_metadata_element;

pub(crate) const C14N_INCLUSIVE: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
pub(crate) const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
pub(crate) const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
pub(crate) const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";

/// Root namespace declarations of the signed document, sorted by prefix as C14N wants.
const ROOT_DECLS: [(&str, &str); 4] = [
    ("ds", ns::DS),
    ("id", ns::IDS),
    ("smp", ns::SMP),
    ("wsa", ns::WSA),
];

fn declarations() -> String {
    let mut out = String::new();
    for (prefix, uri) in ROOT_DECLS {
        out.push_str(" xmlns:");
        out.push_str(prefix);
        out.push_str("=\"");
        escape_attribute(&mut out, uri);
        out.push('"');
    }
    out
}

/// Produces the `SignedServiceMetadata` document for `sm`, signed with `key`.
///
/// Output: XML declaration, then canonical XML (inclusive C14N 1.0) with `ds:Signature`
/// as the last child of the root; one Reference `URI=""` with only the
/// enveloped-signature transform, SHA-256 digest, RSA-SHA256, and the signer certificate
/// in `KeyInfo/X509Data`.
pub fn sign_service_metadata(sm: &ServiceMetadata, key: &SigningKey) -> Result<Vec<u8>, XmlError> {
    let decls = declarations();
    let open = format!("<smp:SignedServiceMetadata{decls}>");
    let close = "</smp:SignedServiceMetadata>";

    let mut w = CanonicalWriter::with_context(&ROOT_DECLS);
    write_metadata_element(&mut w, sm, &[]);
    let body = w.finish();

    // Enveloped transform + C14N of the whole document = root element without Signature.
    let mut hasher = Sha256::new();
    hasher.update(open.as_bytes());
    hasher.update(body.as_bytes());
    hasher.update(close.as_bytes());
    let digest = data_encoding::BASE64.encode(&hasher.finalize());

    let signed_info_content = format!(
        concat!(
            r#"<ds:CanonicalizationMethod Algorithm="{c14n}"></ds:CanonicalizationMethod>"#,
            r#"<ds:SignatureMethod Algorithm="{sig}"></ds:SignatureMethod>"#,
            r#"<ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="{env}"></ds:Transform></ds:Transforms>"#,
            r#"<ds:DigestMethod Algorithm="{dig}"></ds:DigestMethod><ds:DigestValue>{value}</ds:DigestValue></ds:Reference>"#,
        ),
        c14n = C14N_INCLUSIVE,
        sig = RSA_SHA256,
        env = ENVELOPED,
        dig = SHA256,
        value = digest,
    );
    // C14N of the SignedInfo subset renders every namespace in scope from the root on it.
    let signed_info_c14n = format!("<ds:SignedInfo{decls}>{signed_info_content}</ds:SignedInfo>");
    let mut signer = Signer::new(MessageDigest::sha256(), key.private_key())
        .map_err(|e| XmlError::signing_key(format!("cannot create RSA signer: {e}")))?;
    signer
        .update(signed_info_c14n.as_bytes())
        .map_err(|e| XmlError::signing_key(format!("signing failed: {e}")))?;
    let signature = signer
        .sign_to_vec()
        .map_err(|e| XmlError::signing_key(format!("signing failed: {e}")))?;

    let mut out = String::with_capacity(open.len() + body.len() + 4096);
    out.push_str(XML_DECLARATION);
    out.push_str(&open);
    out.push_str(&body);
    out.push_str("<ds:Signature><ds:SignedInfo>");
    out.push_str(&signed_info_content);
    out.push_str("</ds:SignedInfo><ds:SignatureValue>");
    out.push_str(&data_encoding::BASE64.encode(&signature));
    out.push_str("</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>");
    out.push_str(&data_encoding::BASE64.encode(key.certificate_der()));
    out.push_str("</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>");
    out.push_str(close);
    Ok(out.into_bytes())
}
