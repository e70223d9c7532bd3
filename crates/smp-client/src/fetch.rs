//! The one way this crate reads from another SMP: a GET under a [`FetchPolicy`].
//!
//! The policy is enforced here and nowhere else: the URL's scheme and literal address before
//! sending, every resolved address inside the HTTP client's own DNS resolver (so the address
//! checked is the address connected to), no HTTP redirects and no proxies, a total time limit
//! covering the body, and a body read in chunks that stops at the size limit.

use std::error::Error as StdError;
use std::io::Read;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Instant;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::error::SmpClientError;
use crate::policy::{FetchPolicy, is_public};

/// Bytes read per call while reading an answer.
const CHUNK: usize = 16 * 1024;

/// A blocking HTTP client bound to one [`FetchPolicy`].
pub(crate) struct Fetcher {
    http: reqwest::blocking::Client,
    policy: FetchPolicy,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl Fetcher {
    /// A client for `policy`; `extra_roots` are trusted for TLS besides the system roots.
    pub(crate) fn new(
        policy: &FetchPolicy,
        extra_roots: Vec<reqwest::Certificate>,
    ) -> Result<Self, SmpClientError> {
        let mut builder = reqwest::blocking::Client::builder()
            .user_agent(concat!("ferry-smp-client/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve the host itself, past the address check.
            .no_proxy()
            .https_only(!policy.allow_http)
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.timeout)
            .dns_resolver(Arc::new(GuardedResolver {
                allow_private_networks: policy.allow_private_networks,
            }));
        if !extra_roots.is_empty() {
            builder = builder.tls_certs_merge(extra_roots);
        }
        let http = builder.build().map_err(|e| SmpClientError::ClientSetup {
            reason: error_chain(&e),
        })?;
        Ok(Self {
            http,
            policy: policy.clone(),
        })
    }

    /// The policy this fetcher applies.
    pub(crate) fn policy(&self) -> &FetchPolicy {
        &self.policy
    }

    /// GETs `url` and returns the body of a 2xx answer.
    pub(crate) fn get(&self, url: &str) -> Result<Vec<u8>, SmpClientError> {
        let parsed = self.policy.check_url(url)?;
        let deadline = Instant::now() + self.policy.timeout;
        let response = self
            .http
            .get(parsed)
            // Per request, this is a total limit that also covers reading the body.
            .timeout(self.policy.timeout)
            .send()
            .map_err(|e| self.classify(url, &e))?;
        let status = response.status().as_u16();
        if (300..400).contains(&status) {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
            return Err(SmpClientError::RedirectRefused {
                url: url.to_owned(),
                status,
                location,
            });
        }
        if status == 404 {
            return Err(SmpClientError::NotFound {
                url: url.to_owned(),
            });
        }
        if !(200..300).contains(&status) {
            return Err(SmpClientError::HttpStatus {
                url: url.to_owned(),
                status,
            });
        }
        let limit = self.policy.max_body_bytes;
        let declared = response.content_length();
        let too_large = || SmpClientError::BodyTooLarge {
            url: url.to_owned(),
            limit,
            declared,
        };
        if declared.is_some_and(|d| d > limit as u64) {
            return Err(too_large());
        }
        let mut response = response;
        let mut body = Vec::with_capacity(declared.map_or(CHUNK, |d| d as usize).min(limit));
        let mut chunk = vec![0; CHUNK];
        loop {
            if Instant::now() > deadline {
                return Err(self.timeout(url, false));
            }
            let n = response
                .read(&mut chunk)
                .map_err(|e| self.classify_io(url, &e))?;
            if n == 0 {
                break;
            }
            if body.len() + n > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk[..n]);
        }
        Ok(body)
    }

    fn timeout(&self, url: &str, connecting: bool) -> SmpClientError {
        SmpClientError::Timeout {
            url: url.to_owned(),
            limit: if connecting {
                self.policy.connect_timeout
            } else {
                self.policy.timeout
            },
        }
    }

    fn classify(&self, url: &str, e: &reqwest::Error) -> SmpClientError {
        let mut source: Option<&(dyn StdError + 'static)> = Some(e);
        while let Some(s) = source {
            if let Some(refused) = s.downcast_ref::<NonPublicAddress>() {
                return SmpClientError::PrivateAddress {
                    url: url.to_owned(),
                    host: refused.host.clone(),
                    address: refused.address,
                };
            }
            source = s.source();
        }
        if e.is_timeout() {
            return self.timeout(url, e.is_connect());
        }
        SmpClientError::Transport {
            url: url.to_owned(),
            reason: error_chain(e),
        }
    }

    fn classify_io(&self, url: &str, e: &std::io::Error) -> SmpClientError {
        // io::Error::source skips the wrapped error itself: look at it with get_ref.
        let inner = e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<reqwest::Error>());
        if e.kind() == std::io::ErrorKind::TimedOut || inner.is_some_and(reqwest::Error::is_timeout)
        {
            return self.timeout(url, false);
        }
        SmpClientError::Transport {
            url: url.to_owned(),
            reason: format!("reading the answer: {}", error_chain(e)),
        }
    }
}

/// Resolves with the system resolver and refuses the whole answer if any address is not
/// public (unless private networks are allowed). IP-literal hosts never reach a resolver; the
/// policy checks them before sending.
struct GuardedResolver {
    allow_private_networks: bool,
}

/// The resolver's refusal, found again in reqwest's error chain.
#[derive(Debug)]
struct NonPublicAddress {
    host: String,
    address: IpAddr,
}

impl std::fmt::Display for NonPublicAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} resolves to the non-public address {}",
            self.host, self.address
        )
    }
}

impl StdError for NonPublicAddress {}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let allow_private = self.allow_private_networks;
        Box::pin(async move {
            let query = host.clone();
            let addrs: Vec<SocketAddr> = tokio::task::spawn_blocking(move || {
                (query.as_str(), 0)
                    .to_socket_addrs()
                    .map(Iterator::collect::<Vec<_>>)
            })
            .await??;
            if !allow_private && let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
                return Err(Box::new(NonPublicAddress {
                    host,
                    address: bad.ip(),
                }) as Box<dyn StdError + Send + Sync>);
            }
            if addrs.is_empty() {
                return Err(format!("{host} has no address").into());
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// An error and its causes on one line (reqwest's top-level message hides TLS and
/// connection causes).
pub(crate) fn error_chain(e: &dyn StdError) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let next = s.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = s.source();
    }
    text
}
