//! The blocking NAPTR lookup, over hickory-resolver on a private runtime.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hickory_resolver::Resolver;
use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::{RData, RecordType};
use peppol_id::ParticipantId;

use super::naptr::{DnsAnswer, NaptrRecord, select_smp_url};
use crate::error::SmlError;

/// Looks participants up in an SML DNS zone.
///
/// Blocking: each lookup runs on a small private runtime, so it works from plain threads and
/// must not be called from inside an async runtime (it reports
/// [`SmlError::DnsLookupFailed`] there instead of blocking it). Answers are never cached: a
/// migration must be seen as soon as the SML publishes it.
#[derive(Clone)]
pub struct SmlDns {
    zone: String,
    allow_http: bool,
    resolver: Arc<Resolver<TokioRuntimeProvider>>,
    runtime: Arc<OwnedRuntime>,
}

/// The private runtime, shut down without blocking when the last clone goes: dropping a tokio
/// runtime the ordinary way panics inside an async context, where an application may well
/// drop its `SmlDns`.
struct OwnedRuntime(Option<tokio::runtime::Runtime>);

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

impl std::fmt::Debug for SmlDns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmlDns")
            .field("zone", &self.zone)
            .field("allow_http", &self.allow_http)
            .finish_non_exhaustive()
    }
}

/// The zone as a fully-qualified name (trailing dot), checked for DNS syntax.
fn normalise_zone(zone: &str) -> Result<String, SmlError> {
    let zone = zone.trim();
    let bare = zone.strip_suffix('.').unwrap_or(zone);
    let ok = !bare.is_empty()
        && bare.len() <= 253
        && bare.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if !ok {
        return Err(SmlError::config(format!(
            "SML DNS zone {zone:?} is not a domain name (e.g. participant.sml.test.tech.peppol.org.)"
        )));
    }
    Ok(format!("{bare}."))
}

fn build_resolver(
    name_servers: &[SocketAddr],
    timeout: Duration,
) -> Result<Resolver<TokioRuntimeProvider>, SmlError> {
    let provider = TokioRuntimeProvider::default();
    let mut builder = if name_servers.is_empty() {
        Resolver::builder(provider).map_err(|e| {
            SmlError::config(format!("cannot read the system DNS configuration: {e}"))
        })?
    } else {
        let servers = name_servers
            .iter()
            .map(|addr| {
                let mut udp = ConnectionConfig::udp();
                udp.port = addr.port();
                let mut tcp = ConnectionConfig::tcp();
                tcp.port = addr.port();
                NameServerConfig::new(addr.ip(), true, vec![udp, tcp])
            })
            .collect();
        Resolver::builder_with_config(ResolverConfig::from_name_servers(servers), provider)
    };
    let opts: &mut ResolverOpts = builder.options_mut();
    opts.timeout = timeout;
    opts.attempts = 2;
    // No cache: a migration must be visible as soon as the SML publishes it.
    opts.cache_size = 0;
    opts.use_hosts_file = ResolveHosts::Never;
    opts.ndots = 0;
    builder
        .build()
        .map_err(|e| SmlError::config(format!("cannot build the DNS resolver: {e}")))
}

impl SmlDns {
    /// A resolver for `zone` (e.g. [`SmlPreset::dns_zone`](crate::SmlPreset::dns_zone)),
    /// asking `name_servers` over UDP, then TCP (for truncated answers), each try limited to
    /// `timeout`; with no name servers, those of the system (`/etc/resolv.conf`).
    ///
    /// # Errors
    ///
    /// [`SmlError::Config`] for a malformed zone, a zero timeout, an unreadable system
    /// configuration or a runtime that cannot start.
    pub fn new(
        zone: &str,
        name_servers: &[SocketAddr],
        timeout: Duration,
    ) -> Result<Self, SmlError> {
        let zone = normalise_zone(zone)?;
        if timeout.is_zero() {
            return Err(SmlError::config(
                "the DNS timeout must be greater than zero",
            ));
        }
        let built = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("sml-dns")
            .enable_all()
            .build()
            .map_err(|e| SmlError::config(format!("cannot start the DNS runtime: {e}")))?;
        let handle = built.handle().clone();
        let runtime = OwnedRuntime(Some(built));
        let resolver = {
            // The resolver's background tasks belong to the runtime it is built in.
            let _guard = handle.enter();
            build_resolver(name_servers, timeout)?
        };
        Ok(Self {
            zone,
            allow_http: false,
            resolver: Arc::new(resolver),
            runtime: Arc::new(runtime),
        })
    }

    /// Accepts `http://` SMP URLs too. Only for local tests, where the emulator publishes
    /// whatever address the test SMP registered.
    #[must_use]
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// The zone, fully qualified.
    pub fn zone(&self) -> &str {
        &self.zone
    }

    /// The name looked up for `p`: `base32(sha256(lower(value))).scheme.zone.`
    pub fn name_for(&self, p: &ParticipantId) -> String {
        p.sml_dns_name(&self.zone)
    }

    /// Where `p` is registered: its SMP URL, or [`DnsAnswer::NotRegistered`] for NXDOMAIN and
    /// for a name without `Meta:SMP` NAPTR records.
    ///
    /// # Errors
    ///
    /// [`SmlError::DnsLookupFailed`] when the name servers time out, fail (SERVFAIL, REFUSED) or
    /// cannot be reached; [`SmlError::DnsNoHttpsTarget`] when the records hold no usable URL.
    pub fn lookup(&self, p: &ParticipantId) -> Result<DnsAnswer, SmlError> {
        let name = self.name_for(p);
        let records = self.naptr_records(&name)?;
        let answer = match records {
            None => DnsAnswer::NotRegistered,
            Some(records) => select_smp_url(&name, &records, self.allow_http)?,
        };
        tracing::debug!(participant = %p, name, ?answer, "SML DNS lookup");
        Ok(answer)
    }

    /// The NAPTR records at `name` (fully qualified); `None` for NXDOMAIN or NODATA.
    ///
    /// # Errors
    ///
    /// [`SmlError::DnsLookupFailed`] as for [`lookup`](Self::lookup).
    pub fn naptr_records(&self, name: &str) -> Result<Option<Vec<NaptrRecord>>, SmlError> {
        let failed = |reason: String| SmlError::DnsLookupFailed {
            name: name.to_owned(),
            reason,
        };
        let Some(runtime) = self.runtime.0.as_ref() else {
            return Err(failed("the DNS runtime is shut down".to_owned()));
        };
        let lookup = || runtime.block_on(self.resolver.lookup(name, RecordType::NAPTR));
        // Inside another runtime's context (e.g. a spawn_blocking thread of an HTTP server)
        // tokio refuses to block_on a second runtime on the same thread: run the lookup
        // on a scoped thread of its own then.
        let result = if tokio::runtime::Handle::try_current().is_ok() {
            std::thread::scope(|s| s.spawn(lookup).join())
                .map_err(|_| failed("the DNS lookup thread panicked".to_owned()))?
        } else {
            lookup()
        };
        let lookup = match result {
            Ok(lookup) => lookup,
            Err(e) if e.is_nx_domain() || e.is_no_records_found() => return Ok(None),
            Err(e) => return Err(failed(e.to_string())),
        };
        let records: Vec<NaptrRecord> = lookup
            .answers()
            .iter()
            .filter_map(|r| match &r.data {
                RData::NAPTR(n) => Some(NaptrRecord {
                    order: n.order,
                    preference: n.preference,
                    flags: String::from_utf8_lossy(&n.flags).into_owned(),
                    services: String::from_utf8_lossy(&n.services).into_owned(),
                    regexp: String::from_utf8_lossy(&n.regexp).into_owned(),
                    replacement: n.replacement.to_string(),
                }),
                _ => None,
            })
            .collect();
        Ok(if records.is_empty() {
            None
        } else {
            Some(records)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_are_fully_qualified() {
        assert_eq!(
            normalise_zone("edelivery.tech.ec.europa.eu").unwrap(),
            "edelivery.tech.ec.europa.eu."
        );
        assert_eq!(normalise_zone(" a.b. ").unwrap(), "a.b.");
        for bad in ["", ".", "a..b", "a b.c", &"x".repeat(64)] {
            assert!(normalise_zone(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn name_matches_the_peppol_vector() {
        let dns = SmlDns::new(
            "edelivery.tech.ec.europa.eu",
            &["127.0.0.1:53".parse().unwrap()],
            Duration::from_secs(1),
        )
        .unwrap();
        // The Peppol vector's value (0088:123abc) is not a valid GLN, so it goes through the
        // free function; name_for must agree with it for a valid participant.
        assert_eq!(
            peppol_id::sml_dns_name("iso6523-actorid-upis", "0088:123abc", dns.zone()),
            "y7dzfxaf3d4cjz4kcgrxtec6twvcga4ky7zwa5boif6mswd4tdrq.iso6523-actorid-upis.edelivery.tech.ec.europa.eu."
        );
        let p = ParticipantId::parse("iso6523-actorid-upis::9915:TEST").unwrap();
        assert_eq!(
            dns.name_for(&p),
            peppol_id::sml_dns_name(
                "iso6523-actorid-upis",
                "9915:test",
                "edelivery.tech.ec.europa.eu."
            )
        );
    }

    /// A name server that never answers: the lookup fails (it is not "not registered").
    #[test]
    fn silent_server_is_a_lookup_failure() {
        let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let addr = silent.local_addr().unwrap();
        let dns = SmlDns::new("sml.test.", &[addr], Duration::from_millis(200)).unwrap();
        let p = ParticipantId::parse("iso6523-actorid-upis::9915:test").unwrap();
        let err = dns.lookup(&p).unwrap_err();
        assert_eq!(err.code(), "dns.lookup_failed", "{err}");
        assert!(err.is_retryable());
    }
}
