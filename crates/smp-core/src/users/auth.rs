//! Authentication: bearer tokens, Basic passwords, and the bootstrap administrator.

use smp_store::{tokens, users};

use crate::Users;
use crate::access::{token_hash, verify_password};
use crate::kernel::now_ms;
use crate::{Actor, DomainError};

/// The user that owns the bootstrap token and everything the CLI does.
pub const ADMIN_USERNAME: &str = "admin";
const BOOTSTRAP_TOKEN_NAME: &str = "bootstrap";

impl Users<'_> {
    /// The caller behind a bearer token.
    pub fn authenticate_bearer(&self, token: &str) -> Result<Actor, DomainError> {
        let hash = token_hash(token.trim());
        let found = self
            .core
            .store
            .read(|conn| tokens::find_by_hash(conn, &hash))?;
        let (token, user) = found.ok_or(DomainError::AuthenticationFailed)?;
        if token.expires_at.is_some_and(|at| at <= now_ms()) {
            return Err(DomainError::AuthenticationFailed);
        }
        Ok(Actor::from_user(&user))
    }

    /// The caller behind Basic credentials (user name + password).
    ///
    /// Every refusal costs one argon2 verification: a user who does not exist or has no
    /// password (such as the token-only `admin`) is checked against a dummy hash with the
    /// same parameters, so the answer time does not tell which user names exist. Callers
    /// facing the network must bound how many run at once (`smp-server` does).
    pub fn authenticate_basic(&self, username: &str, password: &str) -> Result<Actor, DomainError> {
        let user = self
            .core
            .store
            .read(|conn| users::get_by_username(conn, username))?;
        let stored = user.as_ref().and_then(|u| u.password_hash.as_deref());
        let matches = verify_password(password, stored);
        match user {
            Some(u) if matches => Ok(Actor::from_user(&u)),
            _ => Err(DomainError::AuthenticationFailed),
        }
    }

    /// For `ferry serve` only: makes sure the `admin` user exists and that its `bootstrap`
    /// tokens are exactly the configured one. The configuration is the whole truth: a changed
    /// token replaces the old one, and no token (`None`, empty or blank) removes every
    /// `bootstrap` token, so one installed by an earlier start (often the public development
    /// default) stops working. CLI commands use [`Self::unchecked_local_admin`], which never
    /// touches tokens: they must not undo the running server's configuration.
    pub fn bootstrap_admin(&self, token: Option<&str>) -> Result<(), DomainError> {
        let wanted = token
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(token_hash);
        self.core.store.write(|conn| {
            let admin = ensure_admin(conn)?;
            let mut present = false;
            for t in tokens::list_for_user(conn, admin.id)? {
                if t.name != BOOTSTRAP_TOKEN_NAME {
                    continue;
                }
                if !present && wanted.as_deref() == Some(t.token_hash.as_str()) {
                    present = true;
                } else {
                    tokens::delete(conn, t.id)?;
                }
            }
            if let Some(hash) = wanted.filter(|_| !present) {
                tokens::insert(
                    conn,
                    &tokens::NewToken {
                        user_id: admin.id,
                        name: BOOTSTRAP_TOKEN_NAME.into(),
                        token_hash: hash,
                        created_at: now_ms(),
                        expires_at: None,
                    },
                )?;
            }
            Ok::<_, DomainError>(())
        })
    }

    /// The administrator, without credentials: for the local CLI, which opens the
    /// database itself and so already has every right. Creates the `admin` user when
    /// missing; never changes its tokens (see [`Self::bootstrap_admin`]).
    pub fn unchecked_local_admin(&self) -> Result<Actor, DomainError> {
        let found = self
            .core
            .store
            .read(|conn| users::get_by_username(conn, ADMIN_USERNAME))?;
        let admin = match found {
            Some(user) => user,
            None => self.core.store.write(ensure_admin)?,
        };
        Ok(Actor::from_user(&admin))
    }
}

/// The `admin` user, created (without a password) when missing.
fn ensure_admin(conn: &mut smp_store::DbConnection) -> Result<users::UserRow, DomainError> {
    if let Some(user) = users::get_by_username(conn, ADMIN_USERNAME)? {
        return Ok(user);
    }
    Ok(users::insert(
        conn,
        &users::NewUser {
            username: ADMIN_USERNAME.into(),
            password_hash: None,
            is_admin: true,
            created_at: now_ms(),
        },
    )?)
}
