//! What a lookup found, as data (serialised camelCase for `ferry lookup --json`).

use serde::Serialize;

/// The outcome of [`SmpClient::lookup`](crate::SmpClient::lookup): what was read, what
/// looks wrong (`warnings`) and which checks failed (`failed_checks`). A lookup whose checks
/// failed still returns a report; only a step that could not complete is an error.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LookupReport {
    /// `scheme::value` as given.
    pub participant: String,
    /// Always true in a report (an unregistered participant has no report).
    pub registered: bool,
    /// The SMP base URL (from the NAPTR record, or given).
    pub smp_url: String,
    /// The SML DNS name that was looked up, when the SMP came from DNS.
    pub dns_name: Option<String>,
    /// Decoded from the ServiceGroup's references, in document order.
    pub document_types: Vec<String>,
    /// The document type whose metadata was fetched, if one was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_type: Option<String>,
    /// The signed metadata of `document_type`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<MetadataReport>,
    /// Findings that do not fail the lookup (policy problems of the identifier, endpoint
    /// certificates or service dates not valid now, ...).
    pub warnings: Vec<String>,
    /// The checks that failed, in the order found.
    pub failed_checks: Vec<FailedCheck>,
}

impl LookupReport {
    pub(crate) fn fail(&mut self, check: &'static str, message: String) {
        self.failed_checks.push(FailedCheck { check, message });
    }

    /// The names of the failed checks, in order.
    pub fn failed_check_names(&self) -> Vec<&'static str> {
        self.failed_checks.iter().map(|f| f.check).collect()
    }
}

/// One failed check.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct FailedCheck {
    /// `servicegroup`, `metadata`, `signature`, `chain`, `expired` or `redirect`.
    pub check: &'static str,
    /// What was found.
    pub message: String,
}

/// The SignedServiceMetadata of one document type.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MetadataReport {
    /// Where the ServiceInformation was read (after a redirect: the other SMP).
    pub url: String,
    /// The signature of the document at `url`.
    pub signature: SignatureReport,
    /// The first SMP's document, when it redirected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect: Option<RedirectReport>,
    /// The processes and their endpoints.
    pub processes: Vec<ProcessReport>,
}

/// A Peppol `Redirect` that was followed.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RedirectReport {
    /// The first SMP's document, which redirected.
    pub from: String,
    /// The CertificateUID the redirect names for the other SMP's signer.
    pub certificate_uid: String,
    /// The signature of the redirecting document.
    pub signature: SignatureReport,
}

/// The checks of one document's XML signature and signer certificate.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SignatureReport {
    /// The XML signature verifies with the key of the certificate it carries.
    pub valid: bool,
    /// The signer's subject DN.
    pub signer: Option<String>,
    /// The signer's issuer DN.
    pub issuer: Option<String>,
    /// The signer certificate chains to the trust store.
    pub chain_trusted: bool,
    /// The signer's notBefore (RFC 3339).
    pub not_before: Option<String>,
    /// The signer's notAfter (RFC 3339).
    pub not_after: Option<String>,
    /// Every certificate of the chain is within its validity period now.
    pub valid_now: bool,
}

/// One process of the ServiceInformation.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProcessReport {
    /// `scheme::value`.
    pub process: String,
    /// Its endpoints.
    pub endpoints: Vec<EndpointReport>,
}

/// One endpoint, with its certificate described.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EndpointReport {
    /// e.g. `peppol-transport-as4-v2_0`.
    pub transport_profile: String,
    /// The endpoint address.
    pub url: String,
    /// The endpoint certificate.
    pub certificate: CertificateReport,
    /// ServiceActivationDate as published.
    pub activation_date: Option<String>,
    /// ServiceExpirationDate as published.
    pub expiration_date: Option<String>,
    /// Now is within the activation and expiration dates (absent dates do not limit).
    pub active: bool,
    /// ServiceDescription.
    pub service_description: String,
    /// TechnicalContactUrl.
    pub technical_contact_url: String,
}

/// An endpoint certificate's subject, issuer and dates (its chain is not checked: trusting
/// an access point is the sender's decision).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CertificateReport {
    /// Subject DN.
    pub subject: Option<String>,
    /// Issuer DN.
    pub issuer: Option<String>,
    /// notBefore (RFC 3339).
    pub not_before: Option<String>,
    /// notAfter (RFC 3339).
    pub not_after: Option<String>,
    /// Within its validity period now.
    pub valid_now: bool,
    /// Why the certificate could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
