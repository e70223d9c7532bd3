//! Client of other Peppol SMPs: everything Ferry reads from an SMP it does not run.
//!
//! | part | what |
//! |---|---|
//! | [`discover`] | participant → SML DNS (NAPTR `Meta:SMP`, through `sml-client`'s [`SmlDns`](sml_client::SmlDns)) → SMP URL, "not registered" kept apart from "lookup failed" |
//! | [`FetchPolicy`] | the limits of every request to a foreign SMP: scheme, addresses, hosts, body size, time |
//! | [`SmpClient`] | ServiceGroup and SignedServiceMetadata (at most one Peppol `Redirect`), [`lookup`](SmpClient::lookup) with signature, chain and expiry checks, [`first_endpoint`](SmpClient::first_endpoint) |
//! | [`TrustStore`] | the PEM CAs SMP signers must chain to |
//! | [`LookupReport`] | what a lookup found, serialisable for `ferry lookup --json` |
//! | [`describe_certificate`], [`certificate_common_name`] | endpoint certificates |
//!
//! Documents are parsed with [`ParseOptions::as_published`](smp_xml::ParseOptions::as_published):
//! registrations older than the ICD rules are live, so they are read, and the lookup reports
//! the policy problem as a warning.
//!
//! What this crate must never do: send a request that bypasses [`FetchPolicy`] (every GET goes
//! through one private fetcher); follow an HTTP redirect; connect to a loopback, private,
//! link-local, unspecified or multicast address unless the policy allows private networks
//! (resolved addresses are checked, not just literal hosts); read a document from another host
//! than the participant's SMP (unless the policy allows a Redirect there); read an answer
//! without a size limit; use a proxy. It never writes anything, keeps no state between calls,
//! does not depend on Ferry's domain or storage crates, and does not check revocation
//! (OCSP/CRL), DNSSEC, or whether endpoint certificates chain to the Peppol AP CA (that is the
//! sending access point's decision). Blocking: call it from worker threads.
//!
//! # Example
//!
//! ```
//! use smp_client::{FetchPolicy, SmpClient};
//!
//! // Strict by default: https only, public addresses only, 1 MiB per answer.
//! let client = SmpClient::new(&FetchPolicy::default(), None)?;
//! let err = client.get("http://smp.example.org/x").unwrap_err();
//! assert_eq!(err.code(), "smp_client.insecure_scheme");
//! let err = client.get("https://127.0.0.1/x").unwrap_err();
//! assert_eq!(err.code(), "smp_client.private_address");
//! # Ok::<(), smp_client::SmpClientError>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Tests may unwrap (house rule); the workspace lint is there for library code.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod certificate;
mod client;
mod discovery;
mod error;
mod fetch;
mod lookup;
mod policy;
mod report;
mod signature;
mod trust;

pub use crate::{
    certificate::{certificate_common_name, describe_certificate},
    client::{FetchedServiceGroup, SmpClient},
    discovery::{Discovery, discover},
    error::SmpClientError,
    lookup::{LookupFailure, LookupStep},
    policy::FetchPolicy,
    report::{
        CertificateReport, EndpointReport, FailedCheck, LookupReport, MetadataReport,
        ProcessReport, RedirectReport, SignatureReport,
    },
    trust::TrustStore,
};
