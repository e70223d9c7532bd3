//! Where a participant is registered: its SML DNS name → NAPTR `Meta:SMP` → SMP URL.
//!
//! The DNS work is `sml-client`'s [`SmlDns`]; this module only turns its answer into the
//! client's types. Whether `http://` SMP URLs count is the [`SmlDns::allow_http`] setting,
//! which callers should take from their [`FetchPolicy`](crate::FetchPolicy).

use peppol_id::ParticipantId;
use sml_client::{DnsAnswer, SmlDns};

use crate::error::SmpClientError;

/// The answer of the SML DNS for one participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Discovery {
    /// A NAPTR record names the participant's SMP.
    Registered {
        /// The SMP base URL from the best record.
        smp_url: String,
        /// The name looked up.
        dns_name: String,
    },
    /// NXDOMAIN, or no `Meta:SMP` record: the participant is not registered in this zone.
    NotRegistered {
        /// The zone, fully qualified.
        zone: String,
        /// The name looked up.
        dns_name: String,
    },
}

/// Looks `participant` up with `dns`.
///
/// # Errors
///
/// [`SmpClientError::Dns`] when the lookup fails (timeout, SERVFAIL, no usable URL): never
/// confused with "not registered".
pub fn discover(dns: &SmlDns, participant: &ParticipantId) -> Result<Discovery, SmpClientError> {
    let dns_name = dns.name_for(participant);
    match dns.lookup(participant)? {
        DnsAnswer::Registered { smp_url, .. } => Ok(Discovery::Registered { smp_url, dns_name }),
        DnsAnswer::NotRegistered => Ok(Discovery::NotRegistered {
            zone: dns.zone().to_owned(),
            dns_name,
        }),
    }
}
