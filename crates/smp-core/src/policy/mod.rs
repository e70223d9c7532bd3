//! Registration policy: operator rules that refuse a service registration with a clear code.
//!
//! The rules are checked inside the write transaction of every path that adds or replaces a
//! service, so a refused registration changes nothing.

mod registration_policy;

pub use registration_policy::{LegacyEquivalent, PolicyRule, RegistrationPolicy};
