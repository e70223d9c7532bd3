//! Who is calling, and what they may change.
//!
//! An [`Actor`] can only be made by authenticating (or by the explicitly named
//! [`crate::Users::unchecked_local_admin`] for the CLI, which already holds the
//! database). Every write operation takes one, so a handler cannot forget to check.

use std::sync::{Mutex, PoisonError};

use argon2::password_hash::phc::Output;
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, PasswordHasher, Version};
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

/// Checked instead of a stored hash when a user does not exist or has no (usable) password,
/// so that every refusal costs one argon2 verification with the parameters
/// `hash_password` uses. What it was made from does not matter: its result is never
/// accepted. A test keeps its parameters equal to `Argon2::default()`'s.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$ZmVycnktZHVtbXktc2FsdA$H73BptgMlSWNgZxDq3/+8xsY1SR9nKXic/PGFJqi/qE";

/// Whether `password` matches the `stored` PHC hash. Without a stored hash, or with one that
/// does not parse, it spends the same work on [`DUMMY_HASH`] and answers no.
pub(crate) fn verify_password(password: &str, stored: Option<&str>) -> bool {
    match stored.and_then(|s| PasswordHash::new(s).ok()) {
        Some(hash) => verify_with_kept_memory(password.as_bytes(), &hash),
        None => {
            if let Ok(dummy) = PasswordHash::new(DUMMY_HASH) {
                let _never_accepted = verify_with_kept_memory(password.as_bytes(), &dummy);
            }
            false
        }
    }
}

/// Argon2 working memory (19 MiB with the default parameters) kept between verifications.
///
/// `Argon2::verify_password` allocates and frees it on every call, from whichever blocking
/// thread runs it; glibc then keeps a freed block resident in each of its per-thread arenas
/// (up to 8 per core), and a flood of wrong passwords left the server hundreds of MB larger
/// for good even with verifications bounded to two at a time. Reusing a few buffers keeps
/// the memory at (verifications at once) x 19 MiB. `smp-server` runs at most four at once.
static WORK_MEMORY: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());
/// Buffers kept for reuse; verifications beyond this many at once allocate and free.
const KEPT_WORK_MEMORY: usize = 4;

/// What `PasswordVerifier::verify_password` does (the parameters, salt and output length
/// from the PHC string, a constant-time comparison), with memory from [`WORK_MEMORY`].
fn verify_with_kept_memory(password: &[u8], hash: &PasswordHash) -> bool {
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(hash.algorithm.as_str()) else {
        return false;
    };
    let version = match hash.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(hash) else {
        return false;
    };
    let blocks = params.block_count();
    let mut memory = {
        let mut kept = WORK_MEMORY.lock().unwrap_or_else(PoisonError::into_inner);
        match kept.iter().position(|m| m.len() >= blocks) {
            Some(i) => kept.swap_remove(i),
            None => Vec::new(),
        }
    };
    if memory.len() < blocks {
        memory = vec![Block::new(); blocks];
    }
    let mut out = vec![0u8; expected.len()];
    let computed = Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt.as_ref(), &mut out, &mut memory[..])
        .ok()
        .and_then(|()| Output::new(&out).ok());
    let mut kept = WORK_MEMORY.lock().unwrap_or_else(PoisonError::into_inner);
    if kept.len() < KEPT_WORK_MEMORY {
        kept.push(memory);
    }
    // `Output`'s equality is constant-time.
    computed.is_some_and(|computed| computed == *expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_round_trip_and_refuse_others() {
        let h = hash_password("correct horse").unwrap();
        assert!(verify_password("correct horse", Some(&h)));
        assert!(!verify_password("wrong horse!", Some(&h)));
        assert!(!verify_password("x", Some("not a hash")));
        assert!(!verify_password("x", None));
    }

    /// The kept-memory verification agrees with the argon2 crate's own, also for other
    /// parameters and algorithms than the defaults.
    #[test]
    fn kept_memory_verification_matches_the_crates() {
        use argon2::PasswordVerifier;
        let small = Params::new(64, 1, 1, None).unwrap();
        let others = [
            Argon2::default(),
            Argon2::new(Algorithm::Argon2i, Version::V0x10, small.clone()),
            Argon2::new(Algorithm::Argon2d, Version::V0x13, small),
        ];
        for argon2 in others {
            let hash = argon2
                .hash_password_with_salt(b"correct horse", b"some-salt-bytes!")
                .unwrap();
            for password in ["correct horse", "wrong horse", ""] {
                assert_eq!(
                    verify_with_kept_memory(password.as_bytes(), &hash),
                    argon2.verify_password(password.as_bytes(), &hash).is_ok(),
                    "{hash} {password:?}"
                );
            }
        }
    }

    /// Refusing an unknown user must cost what refusing a known one costs.
    #[test]
    fn the_dummy_hash_has_the_parameters_of_real_ones() {
        let real = PasswordHash::new(&hash_password("correct horse").unwrap()).unwrap();
        let dummy = PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.version, real.version);
        assert_eq!(dummy.params, real.params);
        assert_eq!(
            dummy.hash.map(|h| h.len()),
            real.hash.map(|h| h.len()),
            "output length"
        );
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
    }
}
