//! What a request to another SMP may do: [`FetchPolicy`], and the checks on URLs and addresses
//! that apply it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use reqwest::Url;

use crate::error::SmpClientError;

/// The limits applied to every request to a foreign SMP.
///
/// The default is strict, for a real Peppol network: https only, public addresses only, 1 MiB
/// per answer, 5 s to connect and 20 s per request. HTTP redirects (3xx) are never followed,
/// whatever the policy: a 3xx is an error naming its `Location`.
///
/// A test network (the SML emulator, SMPs on `http://127.0.0.1:port`) needs
/// [`allow_http`](Self::allow_http) and [`allow_private_networks`](Self::allow_private_networks);
/// [`local_testing`](Self::local_testing) sets both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchPolicy {
    /// Accept `http://` URLs. Off on Peppol networks (SMPs must be reachable over https).
    pub allow_http: bool,
    /// Accept hosts that are, or resolve to, loopback, private (RFC 1918, `fc00::/7`),
    /// carrier-grade NAT, link-local, unspecified, broadcast or multicast addresses. Off
    /// unless the SMPs under test run on this machine or a private network.
    pub allow_private_networks: bool,
    /// Accept a Peppol `Redirect` document whose target is on another host than the SMP the
    /// participant is registered with. Off: every document is read from the participant's
    /// SMP host.
    pub allow_redirect_to_other_host: bool,
    /// The longest answer read, in bytes; a longer one is refused at this many bytes.
    pub max_body_bytes: usize,
    /// Time to establish a connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// Time for a whole request: connecting, sending, and reading the complete answer.
    pub timeout: Duration,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        Self::strict()
    }
}

impl FetchPolicy {
    /// The default body limit: 1 MiB.
    pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

    /// For a real Peppol network: https only, public addresses only, same host, 1 MiB,
    /// 5 s to connect, 20 s per request.
    pub fn strict() -> Self {
        Self {
            allow_http: false,
            allow_private_networks: false,
            allow_redirect_to_other_host: false,
            max_body_bytes: Self::DEFAULT_MAX_BODY_BYTES,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(20),
        }
    }

    /// [`strict`](Self::strict) with `http://` and private addresses allowed: for the SML
    /// emulator and test SMPs on this machine.
    pub fn local_testing() -> Self {
        Self {
            allow_http: true,
            allow_private_networks: true,
            ..Self::strict()
        }
    }

    /// Parses `url` and applies the scheme and literal-address rules (host names are checked
    /// again once resolved, by the fetcher).
    pub(crate) fn check_url(&self, url: &str) -> Result<Url, SmpClientError> {
        let invalid = |reason: &str| SmpClientError::InvalidUrl {
            url: url.to_owned(),
            reason: reason.to_owned(),
        };
        let parsed = Url::parse(url).map_err(|e| invalid(&e.to_string()))?;
        match parsed.scheme() {
            "https" => {}
            "http" if self.allow_http => {}
            "http" => {
                return Err(SmpClientError::InsecureScheme {
                    url: url.to_owned(),
                });
            }
            other => return Err(invalid(&format!("scheme `{other}` is not http(s)"))),
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(invalid("credentials in the URL"));
        }
        let Some(host) = parsed.host_str().filter(|h| !h.is_empty()) else {
            return Err(invalid("no host"));
        };
        // The URL parser has normalised IPv4 literals (`0x7f.1` is `127.0.0.1`); IPv6
        // literals come in brackets.
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<IpAddr>() {
            self.check_address(url, host, ip)?;
        }
        Ok(parsed)
    }

    /// Refuses a non-public address unless private networks are allowed.
    pub(crate) fn check_address(
        &self,
        url: &str,
        host: &str,
        address: IpAddr,
    ) -> Result<(), SmpClientError> {
        if self.allow_private_networks || is_public(address) {
            Ok(())
        } else {
            Err(SmpClientError::PrivateAddress {
                url: url.to_owned(),
                host: host.to_owned(),
                address,
            })
        }
    }
}

/// The host of `url`, lower case, without a trailing dot (for the same-host rule).
pub(crate) fn host_of(url: &str) -> Result<String, SmpClientError> {
    let parsed = Url::parse(url).map_err(|e| SmpClientError::InvalidUrl {
        url: url.to_owned(),
        reason: e.to_string(),
    })?;
    let host = parsed
        .host_str()
        .ok_or_else(|| SmpClientError::InvalidUrl {
            url: url.to_owned(),
            reason: "no host".to_owned(),
        })?;
    Ok(host.trim_end_matches('.').to_ascii_lowercase())
}

/// Refuses `url` unless it is on `expected_host` (the participant's SMP host). Ports may
/// differ; the scheme and address rules are checked when it is fetched.
pub(crate) fn check_same_host(url: &str, expected_host: &str) -> Result<(), SmpClientError> {
    let found = host_of(url)?;
    if found == expected_host {
        Ok(())
    } else {
        Err(SmpClientError::HostMismatch {
            url: url.to_owned(),
            expected: expected_host.to_owned(),
            found,
        })
    }
}

/// A globally routable unicast address: not loopback, private, shared (CGNAT), link-local,
/// unspecified, broadcast, multicast or documentation-only. IPv4-mapped and IPv4-compatible
/// IPv6 addresses are judged by their IPv4 part.
pub(crate) fn is_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space (RFC 6598)
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let segments = ip.segments();
    // IPv4-compatible (::a.b.c.d, deprecated) other than :: and ::1.
    if segments[..6].iter().all(|s| *s == 0) && !ip.is_loopback() && !ip.is_unspecified() {
        return is_public_v4(Ipv4Addr::new(
            (segments[6] >> 8) as u8,
            segments[6] as u8,
            (segments[7] >> 8) as u8,
            segments[7] as u8,
        ));
    }
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (segments[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (segments[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (segments[0] & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
        || (segments[0] == 0x2001 && segments[1] == 0x0db8)) // documentation
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public(s.parse().unwrap())
    }

    #[test]
    fn non_public_addresses() {
        for ip in [
            "127.0.0.1",
            "127.1.2.3",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::127.0.0.1",
        ] {
            assert!(!public(ip), "{ip} must not be public");
        }
        for ip in [
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2a00:1450::1",
            "::ffff:8.8.8.8",
        ] {
            assert!(public(ip), "{ip} is public");
        }
    }

    #[test]
    fn urls_are_checked_for_scheme_and_literal_addresses() {
        let strict = FetchPolicy::strict();
        assert!(strict.check_url("https://smp.example.org/x").is_ok());
        let err = strict.check_url("http://smp.example.org/").unwrap_err();
        assert_eq!(err.code(), "smp_client.insecure_scheme");
        let err = strict.check_url("https://127.0.0.1:8443/").unwrap_err();
        assert_eq!(err.code(), "smp_client.private_address");
        let err = strict.check_url("https://[::1]/").unwrap_err();
        assert_eq!(err.code(), "smp_client.private_address");
        for bad in ["ftp://x/", "not a url", "https://user:pw@smp.example.org/"] {
            assert_eq!(
                strict.check_url(bad).unwrap_err().code(),
                "smp_client.invalid_url",
                "{bad}"
            );
        }
        let local = FetchPolicy::local_testing();
        assert!(local.check_url("http://127.0.0.1:8080/").is_ok());
    }

    #[test]
    fn same_host_ignores_case_trailing_dot_and_port() {
        assert!(check_same_host("https://SMP.example.org.:8443/a", "smp.example.org").is_ok());
        let err = check_same_host("https://evil.example/a", "smp.example.org").unwrap_err();
        assert_eq!(err.code(), "smp_client.host_mismatch");
        assert!(err.to_string().contains("evil.example"), "{err}");
    }
}
