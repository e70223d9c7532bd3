//! Integration tests over real sockets: SOAP over mutual TLS, DNS over UDP and TCP, admin http.

mod dns;
mod faults;
mod migration;
mod persistence;
mod samples;
mod support;
