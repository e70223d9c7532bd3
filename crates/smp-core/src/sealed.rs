//! Secrets at rest — migration keys and webhook secrets — sealed with AES-256-GCM under a
//! key that lives outside the database (`migration.key_file`), so a database dump or backup
//! hands out neither the credential that moves a participant to another provider nor the
//! one that lets anybody forge Ferry's webhook signatures.
//!
//! A stored value is `sealed:v1:` + base64url(nonce ‖ ciphertext ‖ tag). Values without the
//! prefix were written before sealing existed and are read as they are. Every node that
//! shares a database needs the same key file.

use data_encoding::BASE64URL_NOPAD;
use openssl::symm::{Cipher, decrypt_aead, encrypt_aead};

use crate::DomainError;

const PREFIX: &str = "sealed:v1:";
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// Binds a sealed value to its purpose: it cannot be replayed as another kind of secret.
const AAD: &[u8] = b"ferry migration key";
/// The same for webhook secrets.
const WEBHOOK_AAD: &[u8] = b"ferry webhook secret";

/// Seals and opens stored migration keys.
#[derive(Clone)]
pub struct KeySealer {
    /// `None`: values are stored as given (library users and tests that do not care).
    key: Option<[u8; 32]>,
}

impl std::fmt::Debug for KeySealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySealer")
            .field("sealing", &self.key.is_some())
            .finish()
    }
}

impl KeySealer {
    /// Stores keys as given. `ferry` never uses this; it always loads a key file.
    pub fn plaintext() -> Self {
        Self { key: None }
    }

    /// A sealer from the text of a key file: 32 bytes in base64 (standard or URL alphabet,
    /// padding optional), surrounding whitespace ignored.
    ///
    /// # Errors
    ///
    /// A message saying what is wrong with the text (never the text itself).
    pub fn from_key_text(text: &str) -> Result<Self, String> {
        let text = text.trim().replace('+', "-").replace('/', "_");
        let bytes = BASE64URL_NOPAD
            .decode(text.trim_end_matches('=').as_bytes())
            .map_err(|_| "the key is not base64".to_owned())?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| format!("the key has {} bytes, expected 32", b.len()))?;
        Ok(Self { key: Some(key) })
    }

    /// A new random key as key-file text.
    ///
    /// # Errors
    ///
    /// When the system's random generator fails.
    pub fn generate_key_text() -> Result<String, String> {
        let mut key = [0u8; 32];
        openssl::rand::rand_bytes(&mut key).map_err(|e| format!("no random bytes: {e}"))?;
        Ok(BASE64URL_NOPAD.encode(&key))
    }

    /// The value to store for the migration key `secret`.
    pub fn seal(&self, secret: &str) -> Result<String, DomainError> {
        self.seal_with(AAD, secret)
    }

    /// The migration key behind a stored value.
    pub fn open(&self, stored: &str) -> Result<String, DomainError> {
        self.open_with(AAD, stored)
    }

    /// The value to store for a webhook's signing secret.
    pub fn seal_webhook_secret(&self, secret: &str) -> Result<String, DomainError> {
        self.seal_with(WEBHOOK_AAD, secret)
    }

    /// A webhook's signing secret behind a stored value (also one stored in clear by an
    /// earlier version).
    pub fn open_webhook_secret(&self, stored: &str) -> Result<String, DomainError> {
        self.open_with(WEBHOOK_AAD, stored)
    }

    fn seal_with(&self, aad: &[u8], secret: &str) -> Result<String, DomainError> {
        let Some(key) = &self.key else {
            return Ok(secret.to_owned());
        };
        let mut nonce = [0u8; NONCE_LEN];
        openssl::rand::rand_bytes(&mut nonce).map_err(|e| unreadable(e.to_string()))?;
        let mut tag = [0u8; TAG_LEN];
        let ciphertext = encrypt_aead(
            Cipher::aes_256_gcm(),
            key,
            Some(&nonce),
            aad,
            secret.as_bytes(),
            &mut tag,
        )
        .map_err(|e| unreadable(e.to_string()))?;
        let mut blob = Vec::with_capacity(NONCE_LEN + ciphertext.len() + TAG_LEN);
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&ciphertext);
        blob.extend_from_slice(&tag);
        Ok(format!("{PREFIX}{}", BASE64URL_NOPAD.encode(&blob)))
    }

    fn open_with(&self, aad: &[u8], stored: &str) -> Result<String, DomainError> {
        let Some(sealed) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_owned());
        };
        let Some(key) = &self.key else {
            return Err(unreadable(
                "it is sealed, and no migration.key_file is configured".into(),
            ));
        };
        let blob = BASE64URL_NOPAD
            .decode(sealed.as_bytes())
            .map_err(|_| unreadable("the stored value is not base64".into()))?;
        if blob.len() < NONCE_LEN + TAG_LEN {
            return Err(unreadable("the stored value is too short".into()));
        }
        let (nonce, rest) = blob.split_at(NONCE_LEN);
        let (ciphertext, tag) = rest.split_at(rest.len() - TAG_LEN);
        let plain = decrypt_aead(
            Cipher::aes_256_gcm(),
            key,
            Some(nonce),
            aad,
            ciphertext,
            tag,
        )
        .map_err(|_| {
            unreadable(
                "it was sealed with another key (does every node use the same migration.key_file?)"
                    .into(),
            )
        })?;
        String::from_utf8(plain).map_err(|_| unreadable("it is not UTF-8".into()))
    }

    /// [`open`](Self::open) for an optional column.
    pub fn open_opt(&self, stored: Option<&str>) -> Result<Option<String>, DomainError> {
        stored.map(|s| self.open(s)).transpose()
    }
}

fn unreadable(reason: String) -> DomainError {
    DomainError::SealedKey { reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealer() -> KeySealer {
        KeySealer::from_key_text(&KeySealer::generate_key_text().unwrap()).unwrap()
    }

    #[test]
    fn seals_and_opens() {
        let s = sealer();
        let stored = s.seal("Ab12$%cdEF34").unwrap();
        assert!(stored.starts_with(PREFIX));
        assert!(!stored.contains("Ab12"));
        assert_eq!(s.open(&stored).unwrap(), "Ab12$%cdEF34");
        // A fresh nonce every time.
        assert_ne!(s.seal("Ab12$%cdEF34").unwrap(), stored);
    }

    #[test]
    fn plaintext_values_from_before_sealing_are_read_as_they_are() {
        assert_eq!(sealer().open("Ab12$%cdEF34").unwrap(), "Ab12$%cdEF34");
        let p = KeySealer::plaintext();
        assert_eq!(p.seal("k").unwrap(), "k");
    }

    #[test]
    fn another_key_or_a_changed_value_is_refused() {
        let stored = sealer().seal("Ab12$%cdEF34").unwrap();
        let err = sealer().open(&stored).unwrap_err();
        assert_eq!(err.code(), "internal.sealed_key");
        assert!(err.to_string().contains("migration.key_file"), "{err}");
        let s = sealer();
        let mut tampered = s.seal("Ab12$%cdEF34").unwrap();
        let last = tampered.pop().unwrap();
        tampered.push(if last == 'A' { 'B' } else { 'A' });
        assert!(s.open(&tampered).is_err());
        assert!(s.open("sealed:v1:!!").is_err());
        assert!(s.open("sealed:v1:AAAA").is_err());
        assert!(KeySealer::plaintext().open(&stored).is_err());
    }

    #[test]
    fn key_text_is_checked() {
        assert!(KeySealer::from_key_text("not base64 !").is_err());
        let short = KeySealer::from_key_text("AAAA").unwrap_err();
        assert!(short.contains("expected 32"), "{short}");
        // Standard alphabet with padding is accepted too.
        let std_b64 = data_encoding::BASE64.encode(&[7u8; 32]);
        assert!(KeySealer::from_key_text(&format!("{std_b64}\n")).is_ok());
    }
}
