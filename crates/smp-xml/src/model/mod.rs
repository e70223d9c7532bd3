//! The SMP and Peppol Directory document model.

pub(crate) mod business_card;
pub(crate) mod extension;
pub(crate) mod service_group;
pub(crate) mod service_metadata;
