//! smp-client against real loopback sockets: the fetch policy (`policy.rs`), lookups of
//! signed documents and redirects (`lookup.rs`), and the official samples (`samples.rs`,
//! from `FERRY_SPEC_DIR`). Helpers (servers, signed documents) live in `support.rs`.

#![allow(clippy::unwrap_used)] // Tests may unwrap (house rule).

mod lookup;
mod policy;
mod samples;
mod support;
