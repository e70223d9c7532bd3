//! Published documents as senders read them: the cache in front of the database, the
//! change log other nodes' caches follow, and republication when the URL or the signing
//! certificate changed.

mod reads;
mod republish;

use crate::Core;

/// The documents service; see [`Core::documents`].
pub struct Documents<'a> {
    pub(crate) core: &'a Core,
}
