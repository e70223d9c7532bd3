//! Users, their API tokens, and authentication (bearer tokens, Basic passwords, the
//! bootstrap administrator).

mod accounts;
mod auth;

pub use auth::ADMIN_USERNAME;

use crate::Core;

/// The users service; see [`Core::users`].
pub struct Users<'a> {
    pub(crate) core: &'a Core,
}
