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
    pub fn authenticate_basic(&self, username: &str, password: &str) -> Result<Actor, DomainError> {
        let user = self
            .core
            .store
            .read(|conn| users::get_by_username(conn, username))?;
        match user {
            Some(u)
                if u.password_hash
                    .as_deref()
                    .is_some_and(|h| verify_password(password, h)) =>
            {
                Ok(Actor::from_user(&u))
            }
            _ => Err(DomainError::AuthenticationFailed),
        }
    }

    /// Makes sure the `admin` user exists and, when a bootstrap token is configured, that it
    /// is that user's only `bootstrap` token (a changed token replaces the old one).
    pub fn bootstrap_admin(&self, token: Option<&str>) -> Result<(), DomainError> {
        self.core.store.write(|conn| {
            let now = now_ms();
            let admin = match users::get_by_username(conn, ADMIN_USERNAME)? {
                Some(u) => u,
                None => users::insert(
                    conn,
                    &users::NewUser {
                        username: ADMIN_USERNAME.into(),
                        password_hash: None,
                        is_admin: true,
                        created_at: now,
                    },
                )?,
            };
            let Some(token) = token.map(str::trim).filter(|t| !t.is_empty()) else {
                return Ok(());
            };
            let hash = token_hash(token);
            let mut present = false;
            for t in tokens::list_for_user(conn, admin.id)? {
                if t.name == BOOTSTRAP_TOKEN_NAME {
                    if t.token_hash == hash {
                        present = true;
                    } else {
                        tokens::delete(conn, t.id)?;
                    }
                }
            }
            if !present {
                tokens::insert(
                    conn,
                    &tokens::NewToken {
                        user_id: admin.id,
                        name: BOOTSTRAP_TOKEN_NAME.into(),
                        token_hash: hash,
                        created_at: now,
                        expires_at: None,
                    },
                )?;
            }
            Ok::<_, DomainError>(())
        })
    }

    /// The administrator, without credentials: for the local CLI, which opens the
    /// database itself and so already has every right.
    pub fn unchecked_local_admin(&self) -> Result<Actor, DomainError> {
        self.bootstrap_admin(None)?;
        let user = self
            .core
            .store
            .read(|conn| users::get_by_username(conn, ADMIN_USERNAME))?;
        user.map(|u| Actor::from_user(&u))
            .ok_or_else(|| DomainError::Corrupt("admin user missing".into()))
    }
}
