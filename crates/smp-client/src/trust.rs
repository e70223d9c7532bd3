//! The CAs an SMP signing certificate must chain to, and certificate dates and names.

use std::path::Path;

use openssl::asn1::{Asn1Time, Asn1TimeRef};
use openssl::stack::Stack;
use openssl::x509::store::{X509Store, X509StoreBuilder};
use openssl::x509::verify::X509VerifyFlags;
use openssl::x509::{X509, X509NameRef, X509Ref, X509StoreContext};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::SmpClientError;

/// A PEM trust store: the CAs that SMP signing certificates must chain to (in production the
/// Peppol SMP CAs). Its certificates are also trusted for TLS, besides the system roots, so
/// SMPs of the same private PKI can be reached over https.
pub struct TrustStore {
    label: String,
    store: X509Store,
    tls_roots: Vec<reqwest::Certificate>,
}

impl std::fmt::Debug for TrustStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustStore")
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

impl TrustStore {
    /// Reads the PEM file at `path`.
    ///
    /// # Errors
    ///
    /// [`SmpClientError::TrustStore`] if it cannot be read or holds no certificate.
    pub fn from_pem_file(path: &Path) -> Result<Self, SmpClientError> {
        let pem = std::fs::read(path).map_err(|e| SmpClientError::TrustStore {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::from_pem(&path.display().to_string(), &pem)
    }

    /// Builds the store from PEM text; `label` names it in messages (usually the file path).
    ///
    /// # Errors
    ///
    /// [`SmpClientError::TrustStore`] for unreadable PEM or no certificate.
    pub fn from_pem(label: &str, pem: &[u8]) -> Result<Self, SmpClientError> {
        let bad = |reason: String| SmpClientError::TrustStore {
            path: label.to_owned(),
            reason,
        };
        let certs = X509::stack_from_pem(pem).map_err(|e| bad(e.to_string()))?;
        if certs.is_empty() {
            return Err(bad("no PEM certificate in it".into()));
        }
        let mut builder = X509StoreBuilder::new().map_err(|e| bad(e.to_string()))?;
        // Dates are checked separately, so an expired signer is reported as `expired`,
        // not as an untrusted chain.
        builder
            .set_flags(X509VerifyFlags::NO_CHECK_TIME)
            .map_err(|e| bad(e.to_string()))?;
        let mut tls_roots = Vec::with_capacity(certs.len());
        for cert in certs {
            let der = cert.to_der().map_err(|e| bad(e.to_string()))?;
            tls_roots.push(reqwest::Certificate::from_der(&der).map_err(|e| bad(e.to_string()))?);
            builder.add_cert(cert).map_err(|e| bad(e.to_string()))?;
        }
        Ok(Self {
            label: label.to_owned(),
            store: builder.build(),
            tls_roots,
        })
    }

    /// Where the store came from (for messages).
    pub fn label(&self) -> &str {
        &self.label
    }

    pub(crate) fn tls_roots(&self) -> Vec<reqwest::Certificate> {
        self.tls_roots.clone()
    }

    /// Builds the chain from `cert` to a certificate of the store; returns it (leaf first) or
    /// OpenSSL's reason. Validity dates are not checked here (see [`validity_problem`]).
    pub(crate) fn verify(&self, cert: &X509Ref) -> Result<Vec<X509>, String> {
        let untrusted = Stack::new().map_err(|e| e.to_string())?;
        let mut ctx = X509StoreContext::new().map_err(|e| e.to_string())?;
        ctx.init(&self.store, cert, &untrusted, |c| {
            if c.verify_cert()? {
                let chain = c
                    .chain()
                    .map(|s| s.iter().map(ToOwned::to_owned).collect())
                    .unwrap_or_default();
                Ok(Ok(chain))
            } else {
                Ok(Err(c.error().error_string().to_owned()))
            }
        })
        .map_err(|e| e.to_string())?
    }
}

/// Why `cert` is not valid now, if it is not.
pub(crate) fn validity_problem(cert: &X509Ref) -> Option<String> {
    let now = Asn1Time::days_from_now(0).ok()?;
    if cert.not_after() < now {
        Some(format!("expired on {}", asn1_text(cert.not_after())))
    } else if cert.not_before() > now {
        Some(format!(
            "is not valid before {}",
            asn1_text(cert.not_before())
        ))
    } else {
        None
    }
}

/// RFC 3339 (UTC) when representable, else OpenSSL's own text.
pub(crate) fn asn1_text(t: &Asn1TimeRef) -> String {
    Asn1Time::from_unix(0)
        .and_then(|epoch| epoch.diff(t))
        .ok()
        .and_then(|d| {
            OffsetDateTime::from_unix_timestamp(i64::from(d.days) * 86_400 + i64::from(d.secs)).ok()
        })
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| t.to_string())
}

/// `CN=..., O=..., C=...` (RFC 4514 order: most specific first).
pub(crate) fn dn(name: &X509NameRef) -> String {
    let mut parts: Vec<String> = name
        .entries()
        .map(|e| {
            let object = e.object();
            let key = object
                .nid()
                .short_name()
                .map_or_else(|_| object.to_string(), str::to_owned);
            let value = e.data().to_string().unwrap_or_else(|_| "?".to_owned());
            format!("{key}={value}")
        })
        .collect();
    parts.reverse();
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn repo_file(path: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(path)
    }

    fn smp_roots() -> TrustStore {
        TrustStore::from_pem_file(&repo_file("certs-test/truststore/smp-roots.pem")).unwrap()
    }

    fn cert(path: &str) -> X509 {
        X509::from_pem(&std::fs::read(repo_file(path)).unwrap()).unwrap()
    }

    #[test]
    fn smp_certificate_chains_to_the_smp_roots() {
        let chain = smp_roots()
            .verify(&cert("certs-test/smp/smp.crt.pem"))
            .unwrap();
        let subjects: Vec<String> = chain.iter().map(|c| dn(c.subject_name())).collect();
        assert_eq!(
            subjects,
            [
                "CN=FERRY-TEST-SMP, O=Ferry Test, C=BE",
                "CN=Ferry Test SMP CA, O=Ferry Test, C=BE",
                "CN=Ferry Test Root CA, O=Ferry Test, C=BE",
            ]
        );
    }

    #[test]
    fn untrusted_certificate_fails_the_chain_check() {
        let err = smp_roots()
            .verify(&cert("certs-test/ap/ap-untrusted.crt.pem"))
            .unwrap_err();
        assert!(err.contains("issuer"), "{err}");
    }

    #[test]
    fn certificate_of_another_ca_fails_the_chain_check() {
        // ap-valid's issuer (the AP CA) is not an SMP CA, though it shares the root.
        assert!(
            smp_roots()
                .verify(&cert("certs-test/ap/ap-valid.crt.pem"))
                .is_err()
        );
    }

    #[test]
    fn expired_certificate_is_trusted_but_not_valid_now() {
        let expired = cert("certs-test/ap/ap-expired.crt.pem");
        let trust =
            TrustStore::from_pem_file(&repo_file("certs-test/truststore/peppol-test-ap-roots.pem"))
                .unwrap();
        assert!(
            trust.verify(&expired).is_ok(),
            "dates are not the chain's job"
        );
        let problem = validity_problem(&expired).unwrap();
        assert_eq!(problem, "expired on 2021-01-01T00:00:00Z");
        let later = validity_problem(&cert("certs-test/ap/ap-not-yet-valid.crt.pem")).unwrap();
        assert!(
            later.starts_with("is not valid before 2090-01-01"),
            "{later}"
        );
        assert!(validity_problem(&cert("certs-test/ap/ap-valid.crt.pem")).is_none());
    }

    #[test]
    fn missing_or_empty_trust_store_is_an_error() {
        let missing = TrustStore::from_pem_file(Path::new("no-such-dir/roots.pem")).unwrap_err();
        assert_eq!(missing.code(), "smp_client.trust_store");
        assert!(missing.to_string().contains("no-such-dir/roots.pem"));
        assert!(TrustStore::from_pem("x", b"").is_err());
    }
}
