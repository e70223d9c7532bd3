//! Classifying the certificate a token collector presents: is it a valid Peppol AP
//! certificate of the right environment, issued under the configured trust store, meant
//! for TLS client authentication, and not revoked?
//!
//! TLS accepts any client certificate; the decision is made here so that every defect
//! gets its own outcome (a handshake failure would tell the caller nothing).

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use openssl::asn1::Asn1Time;
use openssl::nid::Nid;
use openssl::stack::Stack;
use openssl::x509::store::{X509Store, X509StoreBuilder};
use openssl::x509::{X509, X509NameRef, X509StoreContext};
use sha2::{Digest, Sha256};

use super::TokenError;
use super::revocation::Crls;

/// Which Peppol network this SMP serves; AP certificates must come from the same one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParkingEnvironment {
    /// The test network: certificates issued by a CA whose name contains `TEST`.
    Test,
    /// The production network: certificates issued by a CA without `TEST` in its name.
    Production,
}

impl ParkingEnvironment {
    /// `test` or `production`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "test" => Some(Self::Test),
            "production" => Some(Self::Production),
            _ => None,
        }
    }
}

/// A caller whose certificate passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApCaller {
    /// Lower-case hex SHA-256 of the certificate DER: the caller's identity.
    pub fingerprint: String,
    /// The subject, one line (`C=BE, O=..., CN=PBE000001`).
    pub subject: String,
    /// The Peppol seat id (the subject CN).
    pub seat_id: Option<String>,
}

/// The trust store and rules AP certificates are checked against.
pub struct ApTrust {
    store: X509Store,
    /// The trust store's certificates (CRLs must be signed by one of them).
    cas: Vec<X509>,
    /// DER of the subjects of the trust store's AP CAs.
    ap_cas: Vec<Vec<u8>>,
    environment: ParkingEnvironment,
    crls: Crls,
}

impl std::fmt::Debug for ApTrust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApTrust")
            .field("ap_cas", &self.ap_cas.len())
            .field("environment", &self.environment)
            .field("crls", &self.crls)
            .finish_non_exhaustive()
    }
}

/// Markers that make a trust-store CA an AP CA when none are configured.
pub const DEFAULT_AP_CA_MARKERS: [&str; 2] = ["AP CA", "ACCESS POINT"];

impl ApTrust {
    /// Reads a PEM trust store. A CA in it is an AP CA when its subject CN contains one of
    /// `ap_ca_markers` (case-insensitive).
    pub fn from_pem_file(
        path: &Path,
        ap_ca_markers: &[String],
        environment: ParkingEnvironment,
    ) -> Result<Self, String> {
        let pem = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Self::from_pem(&pem, ap_ca_markers, environment)
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    /// As [`ApTrust::from_pem_file`], from PEM bytes.
    pub fn from_pem(
        pem: &[u8],
        ap_ca_markers: &[String],
        environment: ParkingEnvironment,
    ) -> Result<Self, String> {
        let certs = X509::stack_from_pem(pem).map_err(|e| format!("not PEM certificates: {e}"))?;
        if certs.is_empty() {
            return Err("holds no certificate".into());
        }
        let markers: Vec<String> = ap_ca_markers.iter().map(|m| m.to_uppercase()).collect();
        let mut builder = X509StoreBuilder::new().map_err(|e| e.to_string())?;
        let mut ap_cas = Vec::new();
        let cas = certs.clone();
        for cert in certs {
            let cn = common_name(cert.subject_name())
                .unwrap_or_default()
                .to_uppercase();
            if markers.iter().any(|m| cn.contains(m.as_str())) {
                ap_cas.push(cert.subject_name().to_der().map_err(|e| e.to_string())?);
            }
            builder.add_cert(cert).map_err(|e| e.to_string())?;
        }
        if ap_cas.is_empty() {
            return Err(format!(
                "no CA whose name contains one of {ap_ca_markers:?}: no certificate could ever be an AP certificate"
            ));
        }
        Ok(Self {
            store: builder.build(),
            cas,
            ap_cas,
            environment,
            crls: Crls::default(),
        })
    }

    /// Refuses certificates on the CRLs in `files` (PEM or DER, each signed by a CA of the
    /// trust store); see [`ApTrust::reload_crls`]. An AP CA without a list here has no
    /// certificate revoked, which is logged.
    pub fn with_crl_files(mut self, files: &[PathBuf]) -> Result<Self, String> {
        self.crls = Crls::load(files, &self.cas)?;
        if !self.crls.is_empty() {
            for ca in &self.cas {
                let subject = ca.subject_name().to_der().map_err(|e| e.to_string())?;
                if self.ap_cas.contains(&subject) && !self.crls.covers(ca.subject_name()) {
                    tracing::warn!(
                        ca = %one_line(ca.subject_name()),
                        "no CRL configured for this AP CA: its certificates are not checked for revocation"
                    );
                }
            }
        }
        Ok(self)
    }

    /// Reads the CRL files again if one changed on disk; on an error the lists read before
    /// stay in force. Returns whether they were replaced.
    pub fn reload_crls(&self) -> Result<bool, String> {
        self.crls.reload_if_changed(&self.cas)
    }

    /// Classifies a presented chain (leaf first, then any intermediates the caller sent)
    /// at the current time.
    pub fn classify(&self, chain: &[Vec<u8>]) -> Result<ApCaller, TokenError> {
        let now = Asn1Time::days_from_now(0).map_err(|e| TokenError::Internal(e.to_string()))?;
        self.classify_at(chain, &now)
    }

    /// Classifies at `now`; checks run from the most basic to the most specific, and the
    /// first failure is the answer.
    pub fn classify_at(&self, chain: &[Vec<u8>], now: &Asn1Time) -> Result<ApCaller, TokenError> {
        let Some(leaf_der) = chain.first() else {
            return Err(TokenError::NoCertificate);
        };
        let leaf = X509::from_der(leaf_der).map_err(|_| TokenError::UnparsableCertificate)?;
        // OpenSSL decodes the key only when asked: a certificate whose key does not decode
        // parses, and would otherwise fail chain building with an error of its own.
        leaf.public_key()
            .map_err(|_| TokenError::UnparsableCertificate)?;
        let usage = client_usage(leaf_der)?;
        let subject = one_line(leaf.subject_name());
        let before = leaf
            .not_before()
            .compare(now)
            .map_err(|_| TokenError::UnparsableCertificate)?;
        if before == Ordering::Greater {
            return Err(TokenError::CertificateNotYetValid { subject });
        }
        let after = leaf
            .not_after()
            .compare(now)
            .map_err(|_| TokenError::UnparsableCertificate)?;
        if after == Ordering::Less {
            return Err(TokenError::CertificateExpired { subject });
        }
        if !self.chains_to_trust_store(&leaf, &chain[1..])? {
            return Err(TokenError::UntrustedCertificate { subject });
        }
        let issuer_cn = common_name(leaf.issuer_name()).unwrap_or_default();
        let is_test = issuer_cn.to_uppercase().contains("TEST");
        if is_test != (self.environment == ParkingEnvironment::Test) {
            return Err(TokenError::WrongEnvironment {
                subject,
                issuer: issuer_cn,
            });
        }
        let issuer = leaf
            .issuer_name()
            .to_der()
            .map_err(|e| TokenError::Internal(e.to_string()))?;
        if !self.ap_cas.contains(&issuer) {
            return Err(TokenError::NotAnApCertificate {
                subject,
                issuer: issuer_cn,
            });
        }
        if let Err(reason) = usage {
            return Err(TokenError::NotAClientCertificate {
                subject,
                reason: reason.to_owned(),
            });
        }
        if let Some(revoked) = self.crls.revoked(&leaf).map_err(TokenError::Internal)? {
            return Err(TokenError::CertificateRevoked {
                subject,
                serial: revoked.serial,
                revoked_at: revoked.at,
            });
        }
        Ok(ApCaller {
            fingerprint: data_encoding::HEXLOWER.encode(&Sha256::digest(leaf_der)),
            seat_id: common_name(leaf.subject_name()),
            subject,
        })
    }

    fn chains_to_trust_store(&self, leaf: &X509, extra: &[Vec<u8>]) -> Result<bool, TokenError> {
        let internal = |e: openssl::error::ErrorStack| TokenError::Internal(e.to_string());
        let mut untrusted = Stack::new().map_err(internal)?;
        for der in extra {
            // An unreadable extra certificate cannot help build a chain; leave it out.
            if let Ok(c) = X509::from_der(der) {
                untrusted.push(c).map_err(internal)?;
            }
        }
        let mut ctx = X509StoreContext::new().map_err(internal)?;
        ctx.init(&self.store, leaf, &untrusted, |c| c.verify_cert())
            .map_err(internal)
    }
}

/// Whether the certificate is meant for TLS client authentication (`Err` says why not):
/// an end entity (basicConstraints, if present, says CA:FALSE) whose keyUsage, if present,
/// includes digitalSignature and whose extendedKeyUsage, if present, includes clientAuth.
/// Extensions that cannot be read make the certificate unparsable.
fn client_usage(der: &[u8]) -> Result<Result<(), &'static str>, TokenError> {
    let unparsable = |_| TokenError::UnparsableCertificate;
    let (_, cert) =
        x509_parser::parse_x509_certificate(der).map_err(|_| TokenError::UnparsableCertificate)?;
    if cert
        .basic_constraints()
        .map_err(unparsable)?
        .is_some_and(|bc| bc.value.ca)
    {
        return Ok(Err("it is a CA certificate (basicConstraints CA:TRUE)"));
    }
    if cert
        .key_usage()
        .map_err(unparsable)?
        .is_some_and(|ku| !ku.value.digital_signature())
    {
        return Ok(Err("its keyUsage does not allow digitalSignature"));
    }
    if cert
        .extended_key_usage()
        .map_err(unparsable)?
        .is_some_and(|eku| !eku.value.client_auth)
    {
        return Ok(Err("its extendedKeyUsage does not include clientAuth"));
    }
    Ok(Ok(()))
}

fn common_name(name: &X509NameRef) -> Option<String> {
    name.entries_by_nid(Nid::COMMONNAME)
        .next()
        .and_then(|e| e.data().to_string().ok())
        .map(|s| s.to_string())
}

/// A name on one line: `C=BE, O=..., CN=...`.
pub(crate) fn one_line(name: &X509NameRef) -> String {
    name.entries()
        .map(|e| {
            let key = e.object().nid().short_name().unwrap_or("?");
            let value = e.data().to_string().unwrap_or_default();
            format!("{key}={value}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_file(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(rel)
    }

    fn trust(env: ParkingEnvironment) -> ApTrust {
        let markers: Vec<String> = DEFAULT_AP_CA_MARKERS
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        ApTrust::from_pem_file(
            &repo_file("certs-test/truststore/peppol-test-ap-roots.pem"),
            &markers,
            env,
        )
        .unwrap()
    }

    fn der(rel: &str) -> Vec<u8> {
        X509::from_pem(&std::fs::read(repo_file(rel)).unwrap())
            .unwrap()
            .to_der()
            .unwrap()
    }

    fn code(trust: &ApTrust, chain: &[Vec<u8>]) -> &'static str {
        match trust.classify(chain) {
            Ok(_) => "ok",
            Err(e) => e.code(),
        }
    }

    #[test]
    fn every_test_ap_certificate_gets_its_outcome() {
        let t = trust(ParkingEnvironment::Test);
        let caller = t
            .classify(&[der("certs-test/ap/ap-valid.crt.pem")])
            .unwrap();
        assert_eq!(caller.seat_id.as_deref(), Some("PBE000001"));
        assert!(
            caller.subject.ends_with("CN=PBE000001"),
            "{}",
            caller.subject
        );
        assert_eq!(caller.fingerprint.len(), 64);

        assert_eq!(code(&t, &[]), "token.no_certificate");
        assert_eq!(
            code(&t, &[b"not a certificate".to_vec()]),
            "token.unparsable_certificate"
        );
        assert_eq!(
            code(&t, &[der("certs-test/ap/ap-expired.crt.pem")]),
            "token.certificate_expired"
        );
        assert_eq!(
            code(&t, &[der("certs-test/ap/ap-not-yet-valid.crt.pem")]),
            "token.certificate_not_yet_valid"
        );
        assert_eq!(
            code(&t, &[der("certs-test/ap/ap-untrusted.crt.pem")]),
            "token.untrusted_certificate"
        );
        // The SMP CA is not in the AP trust store: with its intermediate the chain holds,
        // but the issuer is no AP CA.
        assert_eq!(
            code(
                &t,
                &[
                    der("certs-test/ap/ap-not-ap.crt.pem"),
                    der("certs-test/smp/smp-ca.crt.pem")
                ]
            ),
            "token.not_an_ap_certificate"
        );
        assert_eq!(
            code(&t, &[der("certs-test/ap/ap-not-ap.crt.pem")]),
            "token.untrusted_certificate"
        );
    }

    /// `der` with the RSA key inside its SubjectPublicKeyInfo made undecodable (the
    /// RSAPublicKey SEQUENCE tag turned into an OCTET STRING tag); the certificate still
    /// parses.
    fn with_undecodable_key(der: &[u8]) -> Vec<u8> {
        let cert = X509::from_der(der).unwrap();
        let spki = cert.public_key().unwrap().public_key_to_der().unwrap();
        let at = der
            .windows(spki.len())
            .position(|w| w == spki.as_slice())
            .unwrap();
        // SEQUENCE, AlgorithmIdentifier, BIT STRING header + unused-bits byte.
        let key_at = at + 4 + usize::from(spki[5]) + 2 + 5;
        assert_eq!(der[key_at], 0x30, "an RSA 2048 key");
        let mut der = der.to_vec();
        der[key_at] = 0x04;
        assert!(X509::from_der(&der).unwrap().public_key().is_err());
        der
    }

    /// Found by the parking_certificate fuzz target: a presented certificate whose key
    /// does not decode made OpenSSL's chain building fail, which was answered as an
    /// internal error (500, the operator blamed) instead of a certificate problem.
    #[test]
    fn undecodable_keys_are_the_callers_problem() {
        let t = trust(ParkingEnvironment::Test);
        let at = Asn1Time::from_unix(1_798_761_600).unwrap(); // 2027-01-01
        let valid = der("certs-test/ap/ap-valid.crt.pem");
        let code_at = |chain: &[Vec<u8>]| match t.classify_at(chain, &at) {
            Ok(_) => "ok",
            Err(e) => e.code(),
        };
        assert_eq!(
            code_at(&[with_undecodable_key(&valid)]),
            "token.unparsable_certificate"
        );
        assert_eq!(
            code_at(&[
                with_undecodable_key(&valid),
                der("certs-test/ap/ap-ca.crt.pem")
            ]),
            "token.unparsable_certificate"
        );
        // Broken certificates sent along with a good leaf are only useless, not an error:
        // the store's own CA still vouches, and a broken issuer or root breaks the chain.
        let broken_ca = with_undecodable_key(&der("certs-test/ap/ap-ca.crt.pem"));
        assert_eq!(code_at(&[valid.clone(), broken_ca]), "ok");
        let broken_smp_ca = with_undecodable_key(&der("certs-test/smp/smp-ca.crt.pem"));
        assert_eq!(
            code_at(&[der("certs-test/ap/ap-not-ap.crt.pem"), broken_smp_ca]),
            "token.untrusted_certificate"
        );
        let broken_root = with_undecodable_key(&der("certs-test/untrusted/untrusted-root.crt.pem"));
        assert_eq!(
            code_at(&[der("certs-test/ap/ap-untrusted.crt.pem"), broken_root]),
            "token.untrusted_certificate"
        );
    }

    #[test]
    fn test_certificates_are_refused_on_production() {
        let t = trust(ParkingEnvironment::Production);
        assert_eq!(
            code(&t, &[der("certs-test/ap/ap-valid.crt.pem")]),
            "token.wrong_environment"
        );
        // Certificate defects come first: they are the caller's most basic problem.
        assert_eq!(
            code(&t, &[der("certs-test/ap/ap-expired.crt.pem")]),
            "token.certificate_expired"
        );
    }

    #[test]
    fn ap_ca_markers_are_configurable() {
        // With the untrusted root declared an AP CA, its certificate is served.
        let pem = std::fs::read(repo_file("certs-test/untrusted/untrusted-root.crt.pem")).unwrap();
        let markers = vec!["untrusted root".to_owned()];
        let t = ApTrust::from_pem(&pem, &markers, ParkingEnvironment::Test).unwrap();
        assert_eq!(code(&t, &[der("certs-test/ap/ap-untrusted.crt.pem")]), "ok");
        assert_eq!(
            code(&t, &[der("certs-test/ap/ap-valid.crt.pem")]),
            "token.untrusted_certificate"
        );
    }

    #[test]
    fn a_trust_store_without_ap_ca_is_refused() {
        let pem = std::fs::read(repo_file("certs-test/truststore/smp-roots.pem")).unwrap();
        let markers = vec!["AP CA".to_owned()];
        assert!(ApTrust::from_pem(&pem, &markers, ParkingEnvironment::Test).is_err());
        assert!(ApTrust::from_pem(b"junk", &markers, ParkingEnvironment::Test).is_err());
    }

    #[test]
    fn environments_parse() {
        assert_eq!(
            ParkingEnvironment::parse("TEST"),
            Some(ParkingEnvironment::Test)
        );
        assert_eq!(
            ParkingEnvironment::parse("production"),
            Some(ParkingEnvironment::Production)
        );
        assert_eq!(ParkingEnvironment::parse("prod"), None);
    }
}
