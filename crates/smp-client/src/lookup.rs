//! Peppol discovery as a sender does it, after the SML: the SMP's ServiceGroup, then the
//! SignedServiceMetadata of one document type (following at most one Redirect), with every
//! finding recorded in a [`LookupReport`].

use peppol_id::{DocumentTypeId, ParticipantId};
use smp_xml::{Endpoint, Redirect, ServiceInformation, ServiceMetadata};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::certificate::describe_certificate;
use crate::client::SmpClient;
use crate::error::SmpClientError;
use crate::policy::host_of;
use crate::report::{EndpointReport, LookupReport, MetadataReport, ProcessReport, RedirectReport};
use crate::signature::{certificate_uid_matches, check_signature};
use crate::trust::TrustStore;

/// The step of [`SmpClient::lookup`] that could not complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LookupStep {
    /// Reading the ServiceGroup.
    ServiceGroup,
    /// Reading the SignedServiceMetadata.
    Metadata,
}

impl LookupStep {
    /// `servicegroup` or `metadata`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ServiceGroup => "servicegroup",
            Self::Metadata => "metadata",
        }
    }
}

impl std::fmt::Display for LookupStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A lookup that stopped: the step, and the [`SmpClientError`] that stopped it.
#[derive(Debug, thiserror::Error)]
#[error("lookup failed at {step}: {error}")]
#[non_exhaustive]
pub struct LookupFailure {
    /// Where it stopped.
    pub step: LookupStep,
    /// Why.
    pub error: SmpClientError,
}

fn at(step: LookupStep) -> impl Fn(SmpClientError) -> LookupFailure {
    move |error| LookupFailure { step, error }
}

impl SmpClient {
    /// Looks `participant` up at the SMP at `smp_url` (found with
    /// [`discover`](crate::discover) under `dns_name`, or given): the document types of its
    /// ServiceGroup and, for `document_type`, the signed metadata with its signature checked,
    /// the signer chained to the trust store and checked for expiry, and each endpoint's
    /// certificate and service dates described.
    ///
    /// References and a Redirect must stay on `smp_url`'s host (see [`FetchPolicy`]
    /// (crate::FetchPolicy)); a refused Redirect is a failed `redirect` check.
    ///
    /// # Errors
    ///
    /// A [`LookupFailure`] when a step cannot complete: the document is missing
    /// ([`SmpClientError::is_not_found`]), unreadable, refused by the policy, or (with a
    /// `document_type`) there is no trust store. Failed checks are in the report instead.
    pub fn lookup(
        &self,
        participant: &ParticipantId,
        smp_url: &str,
        dns_name: Option<String>,
        document_type: Option<&DocumentTypeId>,
    ) -> Result<LookupReport, LookupFailure> {
        let mut report = LookupReport {
            participant: participant.to_string(),
            registered: true,
            smp_url: smp_url.to_owned(),
            dns_name,
            document_types: Vec::new(),
            document_type: document_type.map(ToString::to_string),
            metadata: None,
            warnings: Vec::new(),
            failed_checks: Vec::new(),
        };
        if let Some(problem) = participant.policy_problem() {
            report.warnings.push(format!(
                "the identifier would not be accepted for a new registration: {problem} [{}]",
                problem.code()
            ));
        }
        let smp_host = host_of(smp_url).map_err(at(LookupStep::ServiceGroup))?;
        let fetched = self
            .service_group(smp_url, participant)
            .map_err(at(LookupStep::ServiceGroup))?;
        if fetched.group.participant != *participant {
            report.fail(
                "servicegroup",
                format!(
                    "the ServiceGroup is for {}, not {participant}",
                    fetched.group.participant
                ),
            );
        }
        let mut references = Vec::new();
        for href in &fetched.group.references {
            match doctype_of_href(href) {
                Some(d) => {
                    report.document_types.push(d.to_string());
                    references.push((d, href.clone()));
                }
                None => report.warnings.push(format!(
                    "cannot read a document type from the reference {href}"
                )),
            }
        }

        if let Some(document_type) = document_type {
            let url = references
                .iter()
                .find(|(d, _)| d == document_type)
                .map_or_else(
                    || format!("{}/services/{}", fetched.url, document_type.path_segment()),
                    |(_, href)| href.clone(),
                );
            let trust = self
                .trust()
                .ok_or(SmpClientError::NoTrustStore)
                .map_err(at(LookupStep::Metadata))?;
            self.check_reference(&url, &smp_host)
                .map_err(at(LookupStep::Metadata))?;
            let metadata = self
                .metadata(
                    &url,
                    &smp_host,
                    trust,
                    participant,
                    document_type,
                    &mut report,
                )
                .map_err(at(LookupStep::Metadata))?;
            report.metadata = Some(metadata);
        }
        Ok(report)
    }

    fn metadata(
        &self,
        url: &str,
        smp_host: &str,
        trust: &TrustStore,
        participant: &ParticipantId,
        document_type: &DocumentTypeId,
        report: &mut LookupReport,
    ) -> Result<MetadataReport, SmpClientError> {
        let (first, body) = self.signed_metadata(url)?;
        let first_signature = check_signature(&body, trust, url, report);
        let (url, metadata, signature, redirect) = match first {
            ServiceMetadata::Information(_) => (url.to_owned(), first, first_signature, None),
            ServiceMetadata::Redirect(Redirect {
                href,
                certificate_uid,
                ..
            }) => {
                if let Err(e) = self.check_redirect(&href, smp_host) {
                    report.fail(
                        "redirect",
                        format!("the redirect of {url} is refused: {e} [{}]", e.code()),
                    );
                    return Ok(MetadataReport {
                        url: url.to_owned(),
                        signature: first_signature,
                        redirect: None,
                        processes: Vec::new(),
                    });
                }
                let (second, body) = self.signed_metadata(&href)?;
                let signature = check_signature(&body, trust, &href, report);
                if let Some(signer) = &signature.signer
                    && !certificate_uid_matches(&certificate_uid, signer)
                {
                    report.warnings.push(format!(
                        "the redirect's CertificateUID `{certificate_uid}` does not name the other SMP's signer {signer}"
                    ));
                }
                let redirect = RedirectReport {
                    from: url.to_owned(),
                    certificate_uid,
                    signature: first_signature,
                };
                (href, second, signature, Some(redirect))
            }
        };
        let processes = match metadata {
            ServiceMetadata::Information(info) => {
                check_information(&info, participant, document_type, report);
                info.processes
                    .iter()
                    .map(|p| ProcessReport {
                        process: p.process.to_string(),
                        endpoints: p
                            .endpoints
                            .iter()
                            .map(|e| endpoint_report(e, report))
                            .collect(),
                    })
                    .collect()
            }
            ServiceMetadata::Redirect(r) => {
                let again = SmpClientError::SecondRedirect {
                    url: url.clone(),
                    href: r.href,
                };
                report.fail("redirect", format!("{again} [{}]", again.code()));
                Vec::new()
            }
        };
        Ok(MetadataReport {
            url,
            signature,
            redirect,
            processes,
        })
    }
}

fn check_information(
    info: &ServiceInformation,
    participant: &ParticipantId,
    document_type: &DocumentTypeId,
    report: &mut LookupReport,
) {
    if &info.participant != participant {
        report.fail(
            "metadata",
            format!(
                "the metadata is for participant {}, not {participant}",
                info.participant
            ),
        );
    }
    if &info.document_type != document_type {
        report.fail(
            "metadata",
            format!(
                "the metadata is for document type {}, not {document_type}",
                info.document_type
            ),
        );
    }
}

fn endpoint_report(e: &Endpoint, report: &mut LookupReport) -> EndpointReport {
    let certificate = describe_certificate(&e.certificate);
    if let Some(error) = &certificate.error {
        report.warnings.push(format!(
            "endpoint {}: certificate unreadable: {error}",
            e.address
        ));
    } else if !certificate.valid_now {
        report.warnings.push(format!(
            "endpoint {}: certificate {} is not valid now (valid {} to {})",
            e.address,
            certificate.subject.as_deref().unwrap_or("?"),
            certificate.not_before.as_deref().unwrap_or("?"),
            certificate.not_after.as_deref().unwrap_or("?"),
        ));
    }
    let now = OffsetDateTime::now_utc();
    let mut active = true;
    for (what, date, must_be_past) in [
        ("activation", &e.service_activation_date, true),
        ("expiration", &e.service_expiration_date, false),
    ] {
        let Some(text) = date else { continue };
        match parse_xs_datetime(text) {
            Some(t) if must_be_past && t > now => active = false,
            Some(t) if !must_be_past && t <= now => active = false,
            Some(_) => {}
            None => report.warnings.push(format!(
                "endpoint {}: cannot read the {what} date `{text}`",
                e.address
            )),
        }
    }
    if !active {
        report.warnings.push(format!(
            "endpoint {}: not active now (from {} until {})",
            e.address,
            e.service_activation_date.as_deref().unwrap_or("-"),
            e.service_expiration_date.as_deref().unwrap_or("-"),
        ));
    }
    EndpointReport {
        transport_profile: e.transport_profile.clone(),
        url: e.address.clone(),
        certificate,
        activation_date: e.service_activation_date.clone(),
        expiration_date: e.service_expiration_date.clone(),
        active,
        service_description: e.service_description.clone(),
        technical_contact_url: e.technical_contact_url.clone(),
    }
}

/// `xs:dateTime`; without a time zone it is read as UTC (the schema leaves it local, and
/// UTC is what SMPs mean in practice).
fn parse_xs_datetime(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    OffsetDateTime::parse(text, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(&format!("{text}Z"), &Rfc3339))
        .ok()
}

/// The document type of a ServiceMetadataReference href: the segment after the last
/// `/services/`, percent-decoded.
fn doctype_of_href(href: &str) -> Option<DocumentTypeId> {
    let (_, segment) = href.rsplit_once("/services/")?;
    let segment = segment.split(['?', '#']).next().unwrap_or(segment);
    DocumentTypeId::from_path_segment(segment).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doctype_is_read_from_the_href() {
        let d = doctype_of_href(
            "http://smp/iso6523-actorid-upis%3A%3A0208%3A1/services/busdox-docid-qns%3A%3Aurn%3Aa%3A%3Ab%23%23c%3A%3A2.1",
        )
        .unwrap();
        assert_eq!(d.to_string(), "busdox-docid-qns::urn:a::b##c::2.1");
        assert!(doctype_of_href("http://smp/nothing-here").is_none());
    }

    #[test]
    fn xs_datetimes_with_and_without_zone() {
        assert_eq!(
            parse_xs_datetime("2026-01-01T00:00:00Z"),
            parse_xs_datetime("2026-01-01T01:00:00+01:00")
        );
        assert_eq!(
            parse_xs_datetime("2026-01-01T00:00:00"),
            parse_xs_datetime("2026-01-01T00:00:00.000Z")
        );
        assert!(parse_xs_datetime("2026-01-01").is_none());
    }
}
