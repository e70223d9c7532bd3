//! Users and their API tokens (administrators only).

use smp_store::{tokens, users};

use crate::Users;
use crate::access::{hash_password, new_token, token_hash};
use crate::kernel::{now_ms, record};
use crate::views::{CreatedToken, NewToken, NewUser, TokenView, UserView, rfc3339};
use crate::{Actor, DomainError};

impl Users<'_> {
    /// Creates a user.
    pub fn create_user(&self, actor: &Actor, request: &NewUser) -> Result<UserView, DomainError> {
        actor.require_admin()?;
        let username = checked_username(&request.username)?;
        let password_hash = request.password.as_deref().map(hash_password).transpose()?;
        self.core.write(|conn, touched| {
            let now = now_ms();
            if users::get_by_username(conn, &username)?.is_some() {
                return Err(DomainError::UserExists {
                    username: username.clone(),
                });
            }
            let row = users::insert(
                conn,
                &users::NewUser {
                    username: username.clone(),
                    password_hash,
                    is_admin: request.admin,
                    created_at: now,
                },
            )?;
            record(
                conn,
                touched,
                actor,
                "user.create",
                None,
                Some(username.clone()),
                now,
            )?;
            Ok(user_view(&row))
        })
    }

    /// All users.
    pub fn list_users(&self, actor: &Actor) -> Result<Vec<UserView>, DomainError> {
        actor.require_admin()?;
        let rows = self.core.store.read(users::list)?;
        Ok(rows.iter().map(user_view).collect())
    }

    /// Deletes a user; their participants stay, without an owner (administrators keep access).
    pub fn delete_user(&self, actor: &Actor, username: &str) -> Result<(), DomainError> {
        actor.require_admin()?;
        self.core.write(|conn, touched| {
            let now = now_ms();
            let row = find_user(conn, username)?;
            if row.is_admin && users::count_admins(conn)? <= 1 {
                return Err(DomainError::LastAdministrator {
                    username: row.username.clone(),
                });
            }
            users::delete(conn, row.id)?;
            record(
                conn,
                touched,
                actor,
                "user.delete",
                None,
                Some(username.to_owned()),
                now,
            )
        })
    }

    /// Creates an API token for a user; the secret is returned once.
    pub fn create_token(
        &self,
        actor: &Actor,
        username: &str,
        request: &NewToken,
    ) -> Result<CreatedToken, DomainError> {
        actor.require_admin()?;
        // Characters, as the message says (and as the OpenAPI `maxLength` counts), not bytes;
        // counted before trimming, so the documented limit holds for the string as sent.
        let name = request.name.trim();
        if name.is_empty() || request.name.chars().count() > 100 {
            return Err(DomainError::invalid(
                "name",
                "give the token a label of 1-100 characters",
            ));
        }
        let secret = new_token()?;
        self.core.write(|conn, touched| {
            let now = now_ms();
            let user = find_user(conn, username)?;
            let row = tokens::insert(
                conn,
                &tokens::NewToken {
                    user_id: user.id,
                    name: name.to_owned(),
                    token_hash: token_hash(&secret),
                    created_at: now,
                    expires_at: None,
                },
            )?;
            record(
                conn,
                touched,
                actor,
                "token.create",
                None,
                Some(format!("{username}/{name}")),
                now,
            )?;
            Ok(CreatedToken {
                id: row.id,
                name: row.name,
                token: secret.clone(),
            })
        })
    }

    /// A user's tokens, without secrets.
    pub fn list_tokens(
        &self,
        actor: &Actor,
        username: &str,
    ) -> Result<Vec<TokenView>, DomainError> {
        actor.require_admin()?;
        self.core.store.read(|conn| {
            let user = find_user(conn, username)?;
            Ok(tokens::list_for_user(conn, user.id)?
                .into_iter()
                .map(|t| TokenView {
                    id: t.id,
                    name: t.name,
                    created_at: rfc3339(t.created_at),
                    last_used_at: t.last_used_at.map(rfc3339),
                })
                .collect())
        })
    }

    /// Revokes a token.
    pub fn delete_token(&self, actor: &Actor, username: &str, id: i64) -> Result<(), DomainError> {
        actor.require_admin()?;
        self.core.write(|conn, touched| {
            let now = now_ms();
            let user = find_user(conn, username)?;
            let owned = tokens::list_for_user(conn, user.id)?
                .iter()
                .any(|t| t.id == id);
            if !owned || !tokens::delete(conn, id)? {
                return Err(DomainError::TokenNotFound { id });
            }
            record(
                conn,
                touched,
                actor,
                "token.delete",
                None,
                Some(format!("{username}/{id}")),
                now,
            )
        })
    }
}

fn find_user(
    conn: &mut smp_store::DbConnection,
    username: &str,
) -> Result<users::UserRow, DomainError> {
    users::get_by_username(conn, username)?.ok_or_else(|| DomainError::UserNotFound {
        username: username.to_owned(),
    })
}

fn checked_username(name: &str) -> Result<String, DomainError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if ok {
        Ok(name.to_owned())
    } else {
        Err(DomainError::invalid(
            "username",
            "use 1-64 characters from A-Z a-z 0-9 - _ . @",
        ))
    }
}

fn user_view(u: &users::UserRow) -> UserView {
    UserView {
        id: u.id,
        username: u.username.clone(),
        admin: u.is_admin,
        created_at: rfc3339(u.created_at),
    }
}
