//! Participants and what they publish: creation with capabilities, service groups,
//! service metadata, business cards, deletion. Every write re-signs what it affects in
//! its own transaction and queues the SML intent with it.

mod business_cards;
mod registration;
mod service_groups;
mod services;

pub use business_cards::store_business_card;
pub use registration::participant_view;

use crate::Core;

/// The participants service; see [`Core::participants`].
pub struct Participants<'a> {
    pub(crate) core: &'a Core,
}
