//! Integration tests of sml-client: envelopes against the official schemas and samples,
//! sample answers, and real HTTPS round trips with mutual TLS against a scripted server.
//!
//! Where new tests go: request shapes in `envelopes.rs`, answer parsing in `responses.rs`,
//! anything that opens a socket in `round_trip.rs`.

#![allow(clippy::unwrap_used)] // Tests may unwrap (house rule).

mod dns;
mod envelopes;
mod responses;
mod round_trip;
mod support;
