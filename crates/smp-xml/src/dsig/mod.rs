//! XML signatures: signing our own SignedServiceMetadata, verifying other SMPs'.

pub(crate) mod sign;
pub(crate) mod signing_key;
pub(crate) mod verify;
