//! A faithful local Peppol SML (Service Metadata Locator) for development and tests.
//!
//! [`Emulator::start`] runs, on its own background thread:
//!
//! - the three SML SOAP 1.1 services (`manageservicemetadata`, `manageparticipantidentifier`,
//!   `bdmslservice`) over https with client-certificate authentication. SMP Create binds the SMP
//!   ID to the caller's certificate; any later call for that SMP with another certificate gets
//!   `ERR-101`. Check order, fault kinds, `ERR-nnn` codes, messages and HTTP statuses follow the
//!   BDMSL behaviour described in `PEPPOL-FACTS.md` and the samples in `spec/sml/samples/`;
//! - an authoritative DNS server (UDP and TCP) for the configured zone that publishes a
//!   `NAPTR 100 10 "U" "Meta:SMP" "!.*!<LogicalAddress>!" .` record for every registered
//!   participant, updated in the same step as the SOAP change (NXDOMAIN for unknown names in the
//!   zone, REFUSED outside it);
//! - a plain-http admin endpoint on loopback for fault injection (`POST`/`GET`/`DELETE /faults`,
//!   see [`FaultPlan`]) and a JSON dump of the state (`GET /state`).
//!
//! State lives in SQLite (diesel, embedded migrations), so a restart keeps SMPs, participants,
//! migration records and pending certificate changes.
//!
//! What it deliberately does not do: WS-Security signing of responses, WSDL publication,
//! DNS for SMP host names (only participant NAPTRs), DNSSEC, the BDMSL operations beyond
//! PrepareChangeCertificate / CreateParticipantIdentifier / IsAlive / ExistsParticipantIdentifier,
//! and policy-level identifier checks (check digits): like the real SML it only checks the
//! `iso6523-actorid-upis` scheme and the `NNNN:id` shape. It shares no code with `sml-client`,
//! so it is an independent check of that client.
//!
//! ```no_run
//! use std::path::{Path, PathBuf};
//! let config = sml_emulator::EmulatorConfig::loopback(Path::new("certs-test"), PathBuf::from(":memory:"));
//! let emulator = sml_emulator::Emulator::start(config)?;
//! println!("{} {}", emulator.soap_base_url(), emulator.dns_addr());
//! emulator.shutdown();
//! # Ok::<(), sml_emulator::EmulatorError>(())
//! ```
#![forbid(unsafe_code)]

mod admin;
mod config;
mod dns_zone;
mod emulator;
mod error;
mod fault_injection;
mod migration_key;
mod registry;
mod schema;
mod sml_fault;
mod soap_request;
mod soap_response;
mod soap_service;
mod store;
mod xml_tree;

pub use crate::{
    config::{DEFAULT_LIST_PAGE_SIZE, EmulatorConfig},
    emulator::Emulator,
    error::EmulatorError,
    fault_injection::{DropAfterCommit, FaultPlan, HttpErrorFault, InjectedSoapFault},
    sml_fault::{FaultKind, SmlFault},
};
