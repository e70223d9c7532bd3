//! Integration tests of smp-xml: samples from the spec, round trips, hostile input,
//! signing and verification. New tests go in the module for their area.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

#[path = "../common/mod.rs"]
mod common;

mod bad_input;
mod limits;
mod round_trip;
mod samples;
mod signatures;
