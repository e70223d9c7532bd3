//! Strict readers for SMP and business card documents.

pub(crate) mod business_card;
pub mod dom;
pub(crate) mod fields;
pub(crate) mod options;
pub(crate) mod service_group;
pub(crate) mod service_metadata;
pub(crate) mod walk;
