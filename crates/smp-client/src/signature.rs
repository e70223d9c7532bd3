//! A SignedServiceMetadata's signature: the XML signature, then the signer's chain to the
//! trust store and its dates. Each failure is recorded as a failed check of the report; none
//! stops the lookup.

use openssl::x509::X509;
use smp_xml::{DsigVerifier, SignatureVerifier};

use crate::report::{LookupReport, SignatureReport};
use crate::trust::{TrustStore, asn1_text, dn, validity_problem};

/// Verifies the signature of `xml` (read from `url`) and the signer certificate. Failures
/// go to `report` under `signature`, `chain` or `expired`.
pub(crate) fn check_signature(
    xml: &[u8],
    trust: &TrustStore,
    url: &str,
    report: &mut LookupReport,
) -> SignatureReport {
    let verified = match DsigVerifier.verify(xml) {
        Ok(v) => v,
        Err(e) => {
            report.fail(
                "signature",
                format!("the signature of {url} does not verify: {e} [{}]", e.code()),
            );
            return SignatureReport::default();
        }
    };
    let mut out = SignatureReport {
        valid: true,
        ..SignatureReport::default()
    };
    let cert = match X509::from_der(&verified.signer_certificate_der) {
        Ok(c) => c,
        Err(e) => {
            report.fail(
                "chain",
                format!("the signer certificate of {url} is unreadable: {e}"),
            );
            return out;
        }
    };
    out.signer = Some(dn(cert.subject_name()));
    out.issuer = Some(dn(cert.issuer_name()));
    out.not_before = Some(asn1_text(cert.not_before()));
    out.not_after = Some(asn1_text(cert.not_after()));
    match trust.verify(&cert) {
        Ok(chain) => {
            out.chain_trusted = true;
            out.valid_now = true;
            for c in &chain {
                if let Some(problem) = validity_problem(c) {
                    out.valid_now = false;
                    report.fail("expired", format!("{} {problem}", dn(c.subject_name())));
                }
            }
        }
        Err(reason) => {
            report.fail(
                "chain",
                format!(
                    "the signer certificate {} of {url} does not chain to the trust store {}: {reason}",
                    dn(cert.subject_name()),
                    trust.label()
                ),
            );
            let problem = validity_problem(&cert);
            out.valid_now = problem.is_none();
            if let Some(problem) = problem {
                report.fail("expired", format!("{} {problem}", dn(cert.subject_name())));
            }
        }
    }
    out
}

/// Whether a Redirect's CertificateUID names `signer_dn`. Peppol leaves the UID's form open;
/// SMPs publish the subject DN (either order), the CN or the serial. Accept any of them.
pub(crate) fn certificate_uid_matches(uid: &str, signer_dn: &str) -> bool {
    let norm = |s: &str| {
        s.split(',')
            .map(|p| p.trim().to_ascii_lowercase().replace(" = ", "="))
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
    };
    let uid_parts = norm(uid);
    let mut signer_parts = norm(signer_dn);
    if uid_parts == signer_parts {
        return true;
    }
    signer_parts.reverse();
    if uid_parts == signer_parts {
        return true;
    }
    let cn = signer_parts
        .iter()
        .find_map(|p| p.strip_prefix("cn="))
        .unwrap_or_default();
    !cn.is_empty() && (uid.trim().eq_ignore_ascii_case(cn) || uid_parts.iter().any(|p| p == cn))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_uid_forms() {
        let signer = "CN=FERRY-TEST-SMP, O=Ferry Test, C=BE";
        assert!(certificate_uid_matches(signer, signer));
        assert!(certificate_uid_matches(
            "C=BE,O=Ferry Test,CN=FERRY-TEST-SMP",
            signer
        ));
        assert!(certificate_uid_matches("FERRY-TEST-SMP", signer));
        assert!(!certificate_uid_matches(
            "CN=OTHER, O=Ferry Test, C=BE",
            signer
        ));
        assert!(!certificate_uid_matches("", signer));
    }
}
