//! [`SmpClient`]: reading another SMP's documents under a [`FetchPolicy`].

use peppol_id::ParticipantId;
use smp_xml::{
    Endpoint, ParseOptions, ServiceGroup, ServiceMetadata, parse_service_group,
    parse_signed_service_metadata,
};

use crate::error::SmpClientError;
use crate::fetch::Fetcher;
use crate::policy::{FetchPolicy, check_same_host, host_of};
use crate::trust::TrustStore;

/// A client of other SMPs (Peppol SMP 1.x, any implementation).
///
/// Every request goes through the [`FetchPolicy`] given to [`new`](Self::new). Documents are
/// parsed with [`ParseOptions::as_published`]: registrations older than the ICD rules are
/// live, so they are read, and [`lookup`](Self::lookup) reports the policy problem as a
/// warning. Blocking: call it from a worker thread, not from inside an async runtime.
#[derive(Debug)]
pub struct SmpClient {
    fetcher: Fetcher,
    trust: Option<TrustStore>,
    parse: ParseOptions,
}

/// A fetched ServiceGroup and where it was read.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FetchedServiceGroup {
    /// `{smp_url}/{participant}`.
    pub url: String,
    /// The parsed document.
    pub group: ServiceGroup,
}

impl SmpClient {
    /// A client applying `policy`. With a `trust` store, signed metadata can be checked
    /// ([`lookup`](Self::lookup)) and its CAs are trusted for TLS besides the system roots.
    ///
    /// # Errors
    ///
    /// [`SmpClientError::ClientSetup`] when the TLS client cannot be built.
    pub fn new(policy: &FetchPolicy, trust: Option<TrustStore>) -> Result<Self, SmpClientError> {
        let roots = trust
            .as_ref()
            .map(TrustStore::tls_roots)
            .unwrap_or_default();
        Ok(Self {
            fetcher: Fetcher::new(policy, roots)?,
            trust,
            parse: ParseOptions {
                max_bytes: policy.max_body_bytes,
                ..ParseOptions::as_published()
            },
        })
    }

    /// The policy every request follows.
    pub fn policy(&self) -> &FetchPolicy {
        self.fetcher.policy()
    }

    pub(crate) fn trust(&self) -> Option<&TrustStore> {
        self.trust.as_ref()
    }

    /// GETs the raw bytes at `url` under the policy (no host rule: the caller's URL).
    ///
    /// # Errors
    ///
    /// Any policy refusal, transport failure or non-2xx status.
    pub fn get(&self, url: &str) -> Result<Vec<u8>, SmpClientError> {
        self.fetcher.get(url)
    }

    /// Reads `participant`'s ServiceGroup from the SMP at `smp_url` (a base URL, with or
    /// without a trailing slash).
    ///
    /// # Errors
    ///
    /// [`SmpClientError::NotFound`] when the SMP has no ServiceGroup for it;
    /// [`SmpClientError::InvalidDocument`] when the answer is not one; otherwise as
    /// [`get`](Self::get).
    pub fn service_group(
        &self,
        smp_url: &str,
        participant: &ParticipantId,
    ) -> Result<FetchedServiceGroup, SmpClientError> {
        let url = format!(
            "{}/{}",
            smp_url.trim_end_matches('/'),
            participant.path_segment()
        );
        let body = self.fetcher.get(&url)?;
        let group = parse_service_group(&body, &self.parse).map_err(|source| {
            SmpClientError::InvalidDocument {
                url: url.clone(),
                expected: "ServiceGroup",
                source: Box::new(source),
            }
        })?;
        Ok(FetchedServiceGroup { url, group })
    }

    /// Reads one SignedServiceMetadata document at `url` (its signature is not checked
    /// here) and returns it with its bytes.
    pub(crate) fn signed_metadata(
        &self,
        url: &str,
    ) -> Result<(ServiceMetadata, Vec<u8>), SmpClientError> {
        let body = self.fetcher.get(url)?;
        let metadata = parse_signed_service_metadata(&body, &self.parse).map_err(|source| {
            SmpClientError::InvalidDocument {
                url: url.to_owned(),
                expected: "SignedServiceMetadata",
                source: Box::new(source),
            }
        })?;
        Ok((metadata, body))
    }

    /// Refuses a ServiceMetadataReference `href` that is not on `smp_host`.
    pub(crate) fn check_reference(&self, href: &str, smp_host: &str) -> Result<(), SmpClientError> {
        check_same_host(href, smp_host)
    }

    /// Refuses a Peppol Redirect target the policy does not allow: another host (unless
    /// [`FetchPolicy::allow_redirect_to_other_host`]), or a scheme or literal address the
    /// policy refuses.
    pub(crate) fn check_redirect(&self, href: &str, smp_host: &str) -> Result<(), SmpClientError> {
        if !self.policy().allow_redirect_to_other_host {
            check_same_host(href, smp_host)?;
        }
        self.policy().check_url(href).map(|_| ())
    }

    /// The first endpoint `participant` publishes at the SMP at `smp_url`: the first
    /// ServiceMetadataReference of its ServiceGroup, following at most one Redirect, first
    /// process, first endpoint. `None` when the ServiceGroup has no reference or the
    /// metadata no endpoint.
    ///
    /// The signature is not checked: this is for telling an operator who serves the
    /// participant now, not for sending to it.
    ///
    /// # Errors
    ///
    /// As [`service_group`](Self::service_group); [`SmpClientError::HostMismatch`] for a
    /// reference or redirect on another host; [`SmpClientError::SecondRedirect`].
    pub fn first_endpoint(
        &self,
        smp_url: &str,
        participant: &ParticipantId,
    ) -> Result<Option<Endpoint>, SmpClientError> {
        let smp_host = host_of(smp_url)?;
        let fetched = self.service_group(smp_url, participant)?;
        let Some(href) = fetched.group.references.first() else {
            return Ok(None);
        };
        self.check_reference(href, &smp_host)?;
        let info = match self.signed_metadata(href)?.0 {
            ServiceMetadata::Information(info) => info,
            ServiceMetadata::Redirect(redirect) => {
                self.check_redirect(&redirect.href, &smp_host)?;
                match self.signed_metadata(&redirect.href)?.0 {
                    ServiceMetadata::Information(info) => info,
                    ServiceMetadata::Redirect(again) => {
                        return Err(SmpClientError::SecondRedirect {
                            url: redirect.href,
                            href: again.href,
                        });
                    }
                }
            }
        };
        Ok(info
            .processes
            .into_iter()
            .next()
            .and_then(|p| p.endpoints.into_iter().next()))
    }
}
