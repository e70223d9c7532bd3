//! Endpoint certificates: who they name and whether they are valid now.

use openssl::nid::Nid;
use openssl::x509::X509;

use crate::report::CertificateReport;
use crate::trust::{asn1_text, dn, validity_problem};

fn decode(certificate_b64: &str) -> Result<X509, String> {
    // Published certificates are sometimes wrapped over several lines.
    let compact: String = certificate_b64
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    openssl::base64::decode_block(&compact)
        .map_err(|e| format!("not base64: {e}"))
        .and_then(|der| X509::from_der(&der).map_err(|e| format!("not X.509: {e}")))
}

/// Describes a base64 DER certificate as published in an endpoint's `<Certificate>`:
/// subject, issuer, dates, and whether it is valid now. An unreadable certificate gives a
/// report with only `error` set.
pub fn describe_certificate(certificate_b64: &str) -> CertificateReport {
    match decode(certificate_b64) {
        Ok(cert) => CertificateReport {
            subject: Some(dn(cert.subject_name())),
            issuer: Some(dn(cert.issuer_name())),
            not_before: Some(asn1_text(cert.not_before())),
            not_after: Some(asn1_text(cert.not_after())),
            valid_now: validity_problem(&cert).is_none(),
            error: None,
        },
        Err(error) => CertificateReport {
            error: Some(error),
            ..CertificateReport::default()
        },
    }
}

/// The subject CN of a base64 DER certificate: for a Peppol AP certificate, the seat id
/// (e.g. `PBE000001`). `None` when it is unreadable or has no CN.
pub fn certificate_common_name(certificate_b64: &str) -> Option<String> {
    let cert = decode(certificate_b64).ok()?;
    let entry = cert.subject_name().entries_by_nid(Nid::COMMONNAME).next()?;
    entry.data().to_string().ok().map(|cn| cn.to_string())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn b64(path: &str) -> String {
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(path);
        std::fs::read_to_string(file).unwrap().trim().to_owned()
    }

    #[test]
    fn endpoint_certificate_is_described() {
        let r = describe_certificate(&b64("certs-test/ap/ap-expired.b64"));
        assert_eq!(
            r.subject.as_deref(),
            Some("CN=PBE000002, OU=PEPPOL TEST AP, O=Ferry Test AP Expired, C=BE")
        );
        assert!(!r.valid_now);
        assert!(describe_certificate("not base64!").error.is_some());
    }

    #[test]
    fn common_name_is_the_seat_id() {
        let cn = certificate_common_name(&b64("certs-test/ap/ap-valid.b64")).unwrap();
        assert_eq!(cn, "PBE000001");
        assert_eq!(certificate_common_name("garbage"), None);
    }
}
