//! Integration tests over real sockets: SOAP over mutual TLS, DNS over UDP and TCP, admin http.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test with a backtrace

mod dns;
mod faults;
mod migration;
mod persistence;
mod samples;
mod support;
