//! Who is calling, and what they may change.
//!
//! An [`Actor`] can only be made by authenticating (or by the explicitly named
//! [`crate::Users::unchecked_local_admin`] for the CLI, which already holds the
//! database). Every write operation takes one, so a handler cannot forget to check.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};
use smp_store::users::UserRow;

use crate::DomainError;

/// A user's id as the store numbers users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UserId(i64);

impl UserId {
    /// The id of a stored user row (or an owner column).
    pub fn from_stored(id: i64) -> Self {
        Self(id)
    }

    /// The stored form.
    pub fn get(self) -> i64 {
        self.0
    }
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Actor {
    pub(crate) user_id: UserId,
    pub(crate) username: String,
    pub(crate) is_admin: bool,
}

impl Actor {
    pub(crate) fn from_user(user: &UserRow) -> Self {
        Self {
            user_id: UserId(user.id),
            username: user.username.clone(),
            is_admin: user.is_admin,
        }
    }

    /// The user name (for logs and audit).
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The caller's user id.
    pub fn user_id(&self) -> UserId {
        self.user_id
    }

    /// The owner column value of something this caller creates.
    pub fn as_owner(&self) -> Option<i64> {
        Some(self.user_id.0)
    }

    /// Whether the caller is an administrator.
    pub fn is_admin(&self) -> bool {
        self.is_admin
    }

    /// Owners change their own participants; administrators change everything.
    pub fn may_change(&self, owner: Option<UserId>, participant: &str) -> Result<(), DomainError> {
        if self.is_admin || owner == Some(self.user_id) {
            Ok(())
        } else {
            Err(DomainError::NotOwner {
                participant: participant.to_owned(),
            })
        }
    }

    pub fn require_admin(&self) -> Result<(), DomainError> {
        if self.is_admin {
            Ok(())
        } else {
            Err(DomainError::AdminRequired)
        }
    }
}

/// Tokens are stored as their SHA-256 only: they are long random strings, so a fast hash
/// is enough and keeps bearer authentication cheap.
pub(crate) fn token_hash(token: &str) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(token.as_bytes()))
}

/// A new random API token (256 bits from OpenSSL's CSPRNG).
pub(crate) fn new_token() -> Result<String, DomainError> {
    let mut buf = [0u8; 32];
    openssl::rand::rand_bytes(&mut buf)
        .map_err(|e| DomainError::Corrupt(format!("random generator failed: {e}")))?;
    Ok(format!(
        "fy_{}",
        data_encoding::BASE64URL_NOPAD.encode(&buf)
    ))
}

pub(crate) fn hash_password(password: &str) -> Result<String, DomainError> {
    // Characters, as the message says (and as the OpenAPI `minLength` counts), not bytes.
    if password.chars().count() < 8 {
        return Err(DomainError::invalid(
            "password",
            "use at least 8 characters",
        ));
    }
    let mut salt = [0u8; 16];
    openssl::rand::rand_bytes(&mut salt)
        .map_err(|e| DomainError::Corrupt(format!("random generator failed: {e}")))?;
    Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|h: PasswordHash| h.to_string())
        .map_err(|e| DomainError::Corrupt(format!("password hashing failed: {e}")))
}

pub(crate) fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_round_trip_and_refuse_others() {
        let h = hash_password("correct horse").unwrap();
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse!", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
    }
}
