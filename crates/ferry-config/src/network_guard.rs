//! What Ferry refuses on a real Peppol network (`sml.mode` test or production).
//!
//! The repository ships a throwaway test PKI (`certs-test/`) and a development admin token,
//! all public. Any of them on a real network would hand the SMP — or, through the parking
//! listener, migration keys — to anybody: so every certificate, key and trust store that
//! the configuration names is checked, by path and by issuer, and the parking desk must
//! trust the network Ferry is registered in.

use std::path::Path;

use openssl::nid::Nid;
use openssl::x509::{X509, X509NameRef};

use super::{Config, ConfigError, DEV_ADMIN_TOKEN, SmlMode, TEST_PKI_ORGANIZATION, invalid};

impl Config {
    /// Refuses the development token, anything from `certs-test/`, any certificate of the
    /// test PKI, and a parking environment that is not the SML's.
    pub(crate) fn refuse_development_secrets(&self) -> Result<(), ConfigError> {
        if self.admin_token == DEV_ADMIN_TOKEN {
            return Err(invalid(
                "admin_token",
                "FERRY_ADMIN_TOKEN",
                "the development token is public; set your own (or an empty one to disable it) before joining a Peppol network",
            ));
        }
        let mut files: Vec<(&'static str, &'static str, &Path)> = vec![
            (
                "signing.certificate",
                "FERRY_SIGNING__CERTIFICATE",
                &self.signing.certificate,
            ),
            ("signing.key", "FERRY_SIGNING__KEY", &self.signing.key),
            (
                "sml.client_certificate",
                "FERRY_SML__CLIENT_CERTIFICATE",
                &self.sml.client_certificate,
            ),
            (
                "sml.client_key",
                "FERRY_SML__CLIENT_KEY",
                &self.sml.client_key,
            ),
        ];
        let named = [
            (
                "sml.trusted_roots",
                "FERRY_SML__TRUSTED_ROOTS",
                self.sml.trusted_roots.as_str(),
            ),
            (
                "server.tls_certificate",
                "FERRY_SERVER__TLS_CERTIFICATE",
                self.server.tls_certificate.as_str(),
            ),
            (
                "server.tls_key",
                "FERRY_SERVER__TLS_KEY",
                self.server.tls_key.as_str(),
            ),
        ];
        for (key, env, path) in named {
            if !path.is_empty() {
                files.push((key, env, Path::new(path)));
            }
        }
        let p = &self.parking;
        if p.enabled {
            for (key, env, path) in [
                (
                    "parking.trust_store",
                    "FERRY_PARKING__TRUST_STORE",
                    p.trust_store.as_str(),
                ),
                (
                    "parking.tls_certificate",
                    "FERRY_PARKING__TLS_CERTIFICATE",
                    p.tls_certificate.as_str(),
                ),
                (
                    "parking.tls_key",
                    "FERRY_PARKING__TLS_KEY",
                    p.tls_key.as_str(),
                ),
            ] {
                files.push((key, env, Path::new(path)));
            }
        }
        for (key, env, path) in files {
            if from_test_directory(path) || holds_test_pki_certificate(path) {
                return Err(invalid(
                    key,
                    env,
                    format!(
                        "{} belongs to the test PKI in certs-test/, whose keys are public; on a Peppol network use the certificates OpenPeppol issued you",
                        path.display()
                    ),
                ));
            }
        }
        if p.enabled {
            let expected = if self.sml.mode == SmlMode::Production {
                "production"
            } else {
                "test"
            };
            if p.environment != expected {
                return Err(invalid(
                    "parking.environment",
                    "FERRY_PARKING__ENVIRONMENT",
                    format!(
                        "the SML is the Peppol {} network, so the parking desk must trust `{expected}` access points",
                        if self.sml.mode == SmlMode::Production {
                            "production"
                        } else {
                            "test"
                        }
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Whether `path` lies in a `certs-test` directory (the repository's public test PKI).
fn from_test_directory(path: &Path) -> bool {
    let resolved = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    resolved.components().any(|c| c.as_os_str() == "certs-test")
}

/// Whether a PEM file holds a certificate issued by (or being) the test PKI. Unreadable
/// files are left to the checks that need them.
fn holds_test_pki_certificate(path: &Path) -> bool {
    let Ok(pem) = std::fs::read(path) else {
        return false;
    };
    X509::stack_from_pem(&pem).is_ok_and(|certs| {
        certs
            .iter()
            .any(|c| of_test_pki(c.issuer_name()) || of_test_pki(c.subject_name()))
    })
}

fn of_test_pki(name: &X509NameRef) -> bool {
    name.entries_by_nid(Nid::ORGANIZATIONNAME)
        .any(|e| e.data().as_slice() == TEST_PKI_ORGANIZATION.as_bytes())
}
