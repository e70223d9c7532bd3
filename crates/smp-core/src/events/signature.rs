//! The webhook signature: HMAC-SHA256 over the exact body bytes.

use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::sign::Signer;

use crate::DomainError;

/// The `X-Ferry-Signature` value for `body`: `sha256=` and the lower-case hex
/// HMAC-SHA256 of the body, keyed with the UTF-8 bytes of the subscription's secret.
///
/// Receivers recompute it over the raw request body (before any JSON parsing) and compare
/// in constant time.
pub fn webhook_signature(secret: &str, body: &[u8]) -> Result<String, DomainError> {
    let sign = || -> Result<Vec<u8>, openssl::error::ErrorStack> {
        let key = PKey::hmac(secret.as_bytes())?;
        let mut signer = Signer::new(MessageDigest::sha256(), &key)?;
        signer.update(body)?;
        signer.sign_to_vec()
    };
    let mac = sign().map_err(|e| DomainError::Corrupt(format!("HMAC-SHA256 failed: {e}")))?;
    Ok(format!("sha256={}", data_encoding::HEXLOWER.encode(&mac)))
}

#[cfg(test)]
mod tests {
    use super::webhook_signature;

    #[test]
    fn matches_the_rfc_4231_test_vector() {
        // RFC 4231, test case 2.
        let sig = webhook_signature("Jefe", b"what do ya want for nothing?").ok();
        assert_eq!(
            sig.as_deref(),
            Some("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        );
    }
}
