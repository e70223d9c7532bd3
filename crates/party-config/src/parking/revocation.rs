//! Revocation of AP certificates, from CRL files (`parking.crl_files`).
//!
//! Each file holds one or more CRLs (PEM, or one in DER), each issued and signed by a CA
//! of the trust store; a file whose CRL is not is refused at start, because a forged list
//! could otherwise "revoke" or hide anything. The AP certificate itself is looked up in the
//! list of its issuer; a CA whose list is not configured has nothing revoked. A list past
//! its nextUpdate is still used (what it revokes stays revoked) and logged, so that the
//! operator refreshes the file. Files are read again when they change on disk (the parking
//! worker checks them), so a cron job that downloads the CA's list is enough.
//!
//! OCSP is not done: it would make every collection wait on a request to the CA's
//! responder (from the listener, which then needs outbound access), and a responder that
//! is down would have to be answered with "allow" (no protection) or "refuse" (an outage
//! of ours). Peppol CAs publish CRLs, which can be fetched out of band.

use std::path::{Path, PathBuf};
use std::sync::{PoisonError, RwLock};
use std::time::SystemTime;

use openssl::asn1::{Asn1Time, Asn1TimeRef};
use openssl::x509::{CrlStatus, X509, X509Crl, X509NameRef};

const PEM_BEGIN: &[u8] = b"-----BEGIN X509 CRL-----";
const PEM_END: &[u8] = b"-----END X509 CRL-----";

/// A certificate found on a revocation list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Revoked {
    /// The serial number, hex.
    pub(crate) serial: String,
    /// When it was revoked, as the CRL says.
    pub(crate) at: String,
}

/// The configured CRL files and what they held when last read.
#[derive(Default)]
pub(crate) struct Crls {
    files: Vec<PathBuf>,
    loaded: RwLock<Loaded>,
}

#[derive(Default)]
struct Loaded {
    /// Modification times of `files` when read.
    stamps: Vec<Option<SystemTime>>,
    /// (issuer subject DER, list).
    lists: Vec<(Vec<u8>, X509Crl)>,
}

impl std::fmt::Debug for Crls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crls")
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

impl Crls {
    /// Reads `files`; every CRL must be signed by one of `cas`.
    pub(crate) fn load(files: &[PathBuf], cas: &[X509]) -> Result<Self, String> {
        let crls = Self {
            files: files.to_vec(),
            loaded: RwLock::new(Loaded::default()),
        };
        let loaded = crls.read_all(cas)?;
        *crls.loaded.write().unwrap_or_else(PoisonError::into_inner) = loaded;
        Ok(crls)
    }

    /// Whether any CRL is configured.
    pub(crate) fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Whether a list of the CA named `issuer` is loaded.
    pub(crate) fn covers(&self, issuer: &X509NameRef) -> bool {
        let Ok(der) = issuer.to_der() else {
            return false;
        };
        self.loaded
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .lists
            .iter()
            .any(|(list_issuer, _)| *list_issuer == der)
    }

    /// Reads the files again if one of them changed since the last read. On an error the
    /// lists read before stay in force. Returns whether the lists were replaced.
    pub(crate) fn reload_if_changed(&self, cas: &[X509]) -> Result<bool, String> {
        if self.files.is_empty() {
            return Ok(false);
        }
        let now: Vec<_> = self.files.iter().map(|f| modified(f)).collect();
        let unchanged = self
            .loaded
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .stamps
            == now;
        if unchanged {
            return Ok(false);
        }
        match self.read_all(cas) {
            Ok(loaded) => {
                *self.loaded.write().unwrap_or_else(PoisonError::into_inner) = loaded;
                Ok(true)
            }
            Err(e) => {
                // Do not try again until the files change once more.
                self.loaded
                    .write()
                    .unwrap_or_else(PoisonError::into_inner)
                    .stamps = now;
                Err(e)
            }
        }
    }

    fn read_all(&self, cas: &[X509]) -> Result<Loaded, String> {
        let mut loaded = Loaded::default();
        for file in &self.files {
            loaded.stamps.push(modified(file));
            let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
            let lists = parse(&bytes).map_err(|e| format!("{}: {e}", file.display()))?;
            for crl in lists {
                let issuer = crl.issuer_name();
                let signed = cas.iter().any(|ca| {
                    same_name(ca.subject_name(), issuer)
                        && ca
                            .public_key()
                            .and_then(|key| crl.verify(&key))
                            .unwrap_or(false)
                });
                if !signed {
                    return Err(format!(
                        "{}: the CRL of {} is not signed by a CA of parking.trust_store",
                        file.display(),
                        super::certificate::one_line(issuer)
                    ));
                }
                if is_stale(&crl) {
                    tracing::warn!(
                        file = %file.display(),
                        issuer = %super::certificate::one_line(issuer),
                        "CRL is past its nextUpdate; refresh the file (it is still used)"
                    );
                }
                let der = issuer.to_der().map_err(|e| e.to_string())?;
                loaded.lists.push((der, crl));
            }
        }
        Ok(loaded)
    }

    /// The revocation of `cert` on its issuer's list, if it is on one.
    pub(crate) fn revoked(&self, cert: &X509) -> Result<Option<Revoked>, String> {
        let issuer = cert.issuer_name().to_der().map_err(|e| e.to_string())?;
        let loaded = self.loaded.read().unwrap_or_else(PoisonError::into_inner);
        for (list_issuer, crl) in &loaded.lists {
            if *list_issuer != issuer {
                continue;
            }
            if let CrlStatus::Revoked(entry) = crl.get_by_cert(cert) {
                let serial = entry
                    .serial_number()
                    .to_bn()
                    .and_then(|bn| bn.to_hex_str().map(|s| s.to_string()))
                    .map_err(|e| e.to_string())?;
                return Ok(Some(Revoked {
                    serial,
                    at: entry.revocation_date().to_string(),
                }));
            }
        }
        Ok(None)
    }
}

/// The CRLs in a file: PEM blocks, or else one DER list.
fn parse(bytes: &[u8]) -> Result<Vec<X509Crl>, String> {
    let mut lists = Vec::new();
    let mut rest = bytes;
    while let Some(start) = find(rest, PEM_BEGIN) {
        let block = &rest[start..];
        let end = find(block, PEM_END)
            .ok_or_else(|| "a PEM CRL without its END line".to_owned())?
            + PEM_END.len();
        lists.push(X509Crl::from_pem(&block[..end]).map_err(|e| format!("not a CRL: {e}"))?);
        rest = &block[end..];
    }
    if lists.is_empty() {
        lists.push(X509Crl::from_der(bytes).map_err(|e| format!("neither PEM nor DER CRLs: {e}"))?);
    }
    Ok(lists)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn same_name(a: &X509NameRef, b: &X509NameRef) -> bool {
    matches!((a.to_der(), b.to_der()), (Ok(a), Ok(b)) if a == b)
}

fn is_stale(crl: &X509Crl) -> bool {
    let next: Option<&Asn1TimeRef> = crl.next_update();
    match (next, Asn1Time::days_from_now(0)) {
        (Some(next), Ok(now)) => next < now.as_ref(),
        _ => false,
    }
}
