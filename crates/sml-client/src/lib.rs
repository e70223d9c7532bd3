//! Client for the Peppol SML (Service Metadata Locator): the SOAP services an SMP calls to
//! register itself and its participants, and the DNS lookup that tells where a participant is
//! registered.
//!
//! | part | what | where |
//! |---|---|---|
//! | [`SmlClient`] | every operation of ManageServiceMetadataService, ManageBusinessIdentifierService and the BDMSL extension service, over mutual TLS | `{base}/manageservicemetadata`, `{base}/manageparticipantidentifier`, `{base}/bdmslservice` |
//! | [`soap`] | the pure half: build each request envelope (bytes + SOAPAction) and parse each answer | no I/O |
//! | [`SmlDns`] | participant → NAPTR `Meta:SMP` / `U` → SMP URL, in a configurable zone and name servers | DNS |
//!
//! The SML answers a refusal with a SOAP fault whose detail names the kind (bad request, not
//! found, unauthorised, internal error) and whose message starts with `[ERR-nnn]`, at HTTP 400,
//! 401, 404 or 500 (or 200): [`SmlError::Fault`] carries all three, whatever the HTTP status.
//! Failures to reach the SML or to read its answer are [`SmlError::Transport`], and say whether
//! the request may nevertheless have been applied: a timed-out write may have succeeded, so
//! check (with [`SmlClient::exists_participant`], [`SmlClient::list_participants`] or
//! [`SmlDns`]) before retrying.
//!
//! What this crate deliberately does not do: it keeps no state (no retry queue, no record of
//! what was registered; the caller's durable jobs own that), never retries on its own (a retried
//! write is a business decision), does not verify the SML's WS-Security response signature
//! (the TLS server certificate already authenticates the SML), and does not verify DNSSEC.
//! [`SmlClient`] is blocking: call it from a thread (e.g. `spawn_blocking`), never from inside
//! an async runtime, where it refuses with [`SmlError::Config`] instead of blocking the runtime.
//!
//! # Example
//!
//! ```
//! use peppol_id::ParticipantId;
//! use sml_client::{MigrationKey, soap};
//!
//! // The pure half: what would be sent for PrepareToMigrate.
//! let p = ParticipantId::parse("iso6523-actorid-upis::0088:5798000000001")?;
//! let key = MigrationKey::new("11AAbb$$")?;
//! let req = soap::prepare_to_migrate_request("SMP-EXAMPLE-OLD", &p, &key)?;
//! assert_eq!(
//!     req.operation.soap_action_header(),
//!     "\"http://busdox.org/serviceMetadata/ManageBusinessIdentifierService/1.0/         :prepareMigrateIn\""
//! );
//! assert!(String::from_utf8_lossy(&req.envelope).contains("<lrs:MigrationKey>11AAbb$$</lrs:MigrationKey>"));
//!
//! // A key the SML would refuse is refused here, naming the rule.
//! let err = MigrationKey::new("11Azbb$$").unwrap_err();
//! assert_eq!(err.code(), "sml.invalid_migration_key");
//! assert!(err.to_string().contains("upper-case"));
//!
//! // A fault parses the same at any HTTP status.
//! let fault = br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>
//!   <faultcode>s:Server</faultcode><faultstring>[ERR-100] The SMP 'X' doesn't exist.</faultstring>
//!   <detail><NotFoundFault xmlns="http://busdox.org/serviceMetadata/locator/1.0/">
//!   <FaultMessage>[ERR-100] The SMP 'X' doesn't exist.</FaultMessage></NotFoundFault></detail>
//! </s:Fault></s:Body></s:Envelope>"#;
//! let err = soap::parse_empty_response(404, fault).unwrap_err();
//! assert!(err.is_not_found());
//! assert_eq!(err.code(), "sml.err_100");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Tests may unwrap (house rule); the workspace lint is there for library code.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod client;
mod config;
mod dns;
mod error;
mod migration_key;
mod preset;
mod smp_entry;
pub mod soap;
#[cfg(test)]
mod test_support;
mod xml;

// `soap` is the one public module: its builders and parsers are named after the SML
// operations (`soap::create_smp_request`) and would crowd the crate root.
pub use crate::{
    client::SmlClient,
    config::{ClientIdentity, SmlClientConfig},
    dns::{DnsAnswer, NaptrRecord, SmlDns, select_smp_url},
    error::{FaultKind, SmlError},
    migration_key::MigrationKey,
    preset::SmlPreset,
    smp_entry::SmpEntry,
};
