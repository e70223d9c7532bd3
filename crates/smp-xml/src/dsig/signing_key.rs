//! The SMP's signing certificate and RSA key.

use openssl::pkey::{Id, PKey, Private};
use openssl::x509::X509;
use sha2::{Digest, Sha256};

use crate::error::XmlError;

/// Smallest RSA modulus we sign with.
const MIN_RSA_BITS: u32 = 2048;

/// The certificate and matching RSA private key used to sign `SignedServiceMetadata`.
pub struct SigningKey {
    cert_der: Vec<u8>,
    key: PKey<Private>,
    fingerprint: String,
}

impl SigningKey {
    /// Loads a PEM certificate (the first one if the file holds a chain) and its PEM private
    /// key. Fails with `sign.key` if either does not parse, the key is not RSA of at least
    /// 2048 bits, or the key does not belong to the certificate.
    pub fn from_pem(cert_pem: &[u8], key_pem: &[u8]) -> Result<Self, XmlError> {
        let cert = X509::from_pem(cert_pem)
            .map_err(|e| XmlError::signing_key(format!("certificate is not PEM X.509: {e}")))?;
        let key = PKey::private_key_from_pem(key_pem)
            .map_err(|e| XmlError::signing_key(format!("private key is not PEM: {e}")))?;
        if key.id() != Id::RSA {
            return Err(XmlError::signing_key(
                "private key is not RSA (Peppol SMP signatures use RSA-SHA256)",
            ));
        }
        if key.bits() < MIN_RSA_BITS {
            return Err(XmlError::signing_key(format!(
                "RSA key has {} bits, at least {MIN_RSA_BITS} are required",
                key.bits()
            )));
        }
        let public = cert
            .public_key()
            .map_err(|e| XmlError::signing_key(format!("certificate public key: {e}")))?;
        if !public.public_eq(&key) {
            return Err(XmlError::signing_key(
                "private key does not match the certificate's public key",
            ));
        }
        let cert_der = cert
            .to_der()
            .map_err(|e| XmlError::signing_key(format!("certificate DER encoding: {e}")))?;
        let fingerprint = data_encoding::HEXLOWER.encode(&Sha256::digest(&cert_der));
        Ok(Self {
            cert_der,
            key,
            fingerprint,
        })
    }

    /// DER of the signing certificate (what goes into `ds:X509Certificate`).
    pub fn certificate_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// Lower-case hex SHA-256 of the certificate DER; changes when the certificate does, so
    /// callers can tell when stored signatures must be renewed.
    pub fn fingerprint_sha256(&self) -> String {
        self.fingerprint.clone()
    }

    pub(crate) fn private_key(&self) -> &PKey<Private> {
        &self.key
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("fingerprint_sha256", &self.fingerprint)
            .finish_non_exhaustive()
    }
}
