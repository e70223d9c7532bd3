//! Integration tests of `peppol-id` through its public API only.
//!
//! `properties.rs` holds the property tests (round trips, case rules, no panics on any input).
//! Add example-based tests next to the code they test, in the crate's inline `mod tests`.

// Tests may unwrap (house rule); the workspace lint is there for library code.
#![allow(clippy::unwrap_used)]

mod properties;
