//! `ferry lookup`: Peppol discovery as a sender does it.
//!
//! SML DNS (NAPTR `Meta:SMP`) → the SMP's ServiceGroup → its SignedServiceMetadata for one
//! document type (following at most one Redirect), with the XML signature checked, the signer
//! certificate chained to a trust store and checked for expiry, and each endpoint's certificate
//! and service dates read. Only public Peppol SMP 1.x behaviour is assumed: any SMP works, not
//! only Ferry.
//!
//! Deliberately not done: revocation (OCSP/CRL) of any certificate, checking that endpoint
//! certificates chain to the Peppol AP CA (that is the sending access point's trust decision;
//! the subject and dates are shown), DNSSEC, and the OASIS BDXR SMP formats.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use openssl::asn1::{Asn1Time, Asn1TimeRef};
use openssl::stack::Stack;
use openssl::x509::store::{X509Store, X509StoreBuilder};
use openssl::x509::verify::X509VerifyFlags;
use openssl::x509::{X509, X509NameRef, X509Ref, X509StoreContext};
use peppol_id::{DocumentTypeId, ParticipantId};
use serde::Serialize;
use sml_client::{DnsAnswer, SmlDns};
use smp_xml::{
    DsigVerifier, ParseOptions, Redirect, ServiceInformation, ServiceMetadata, SignatureVerifier,
    parse_service_group, parse_signed_service_metadata,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::cli::LookupArgs;
use crate::config::{Config, SmlMode};
use crate::error::CliError;

/// The trust store used without `--trust-store`: the test PKI's SMP CAs, relative to the
/// working directory (like every path of the default config).
const DEFAULT_TRUST_STORE: &str = "certs-test/truststore/smp-roots.pem";
/// HTTP-level redirects (3xx) followed per request; Peppol `Redirect` documents are separate.
const MAX_HTTP_REDIRECTS: usize = 5;

pub(crate) fn run(config: &Config, args: &LookupArgs, json: bool) -> Result<(), CliError> {
    // Registrations older than the ICD and check-digit rules are still live: look them up,
    // and say what the policy objects to.
    let participant = ParticipantId::parse_as_published(&args.participant)?;
    let document_type = args
        .document_type
        .as_deref()
        .map(DocumentTypeId::parse)
        .transpose()?;
    // Local SMPs behind the emulator are plain http; real Peppol discovery is https-only.
    let allow_http = config.sml.mode.allows_http() || config.sml.allow_http;
    let timeout = Duration::from_millis(config.sml.timeout_ms.max(1));
    let trust = TrustStore::load(args.trust_store.as_deref())?;
    let http = http_client(trust.as_ref(), timeout, allow_http)?;

    let (smp_url, dns_name) = match &args.smp_url {
        Some(url) => (url.clone(), None),
        None => match resolve(config, args, &participant, timeout, allow_http)? {
            Resolution::Registered { smp_url, dns_name } => (smp_url, Some(dns_name)),
            Resolution::NotRegistered { zone, dns_name } => {
                if json {
                    print_json(&serde_json::json!({
                        "participant": participant.to_string(),
                        "registered": false,
                        "zone": zone,
                        "dnsName": dns_name,
                    }))?;
                }
                return Err(CliError::NotRegistered {
                    participant: participant.to_string(),
                    zone,
                });
            }
        },
    };

    let mut report = Report {
        participant: participant.to_string(),
        registered: true,
        smp_url: smp_url.clone(),
        dns_name,
        document_types: Vec::new(),
        document_type: document_type.as_ref().map(ToString::to_string),
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

    let group_url = format!(
        "{}/{}",
        smp_url.trim_end_matches('/'),
        participant.path_segment()
    );
    let (status, body) = get(&http, &group_url, "servicegroup")?;
    if status == 404 {
        return Err(CliError::CheckFailed {
            checks: vec!["servicegroup"],
            message: format!(
                "the SMP has no ServiceGroup for {participant} (HTTP 404 from {group_url})"
            ),
        });
    }
    expect_ok(status, &group_url, "servicegroup")?;
    let group = parse_service_group(&body, &ParseOptions::as_published()).map_err(|e| {
        lookup_error(
            "servicegroup",
            format!("{group_url} is not a ServiceGroup: {e}"),
        )
    })?;
    if group.participant != participant {
        report.fail(
            "servicegroup",
            format!(
                "the ServiceGroup is for {}, not {participant}",
                group.participant
            ),
        );
    }
    let mut references = Vec::new();
    for href in &group.references {
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

    if let Some(document_type) = &document_type {
        let url = references
            .iter()
            .find(|(d, _)| d == document_type)
            .map_or_else(
                || format!("{group_url}/services/{}", document_type.path_segment()),
                |(_, href)| href.clone(),
            );
        let Some(trust) = &trust else {
            return Err(CliError::Startup(format!(
                "no trust store at {DEFAULT_TRUST_STORE}: pass --trust-store with the SMP CAs (PEM)"
            )));
        };
        let checker = Checker {
            http: &http,
            trust,
            allow_http,
        };
        let metadata = checker.metadata(&url, &participant, document_type, &mut report)?;
        report.metadata = Some(metadata);
    }

    if json {
        print_json(&report)?;
    } else {
        print_human(&report);
    }
    if report.failed_checks.is_empty() {
        Ok(())
    } else {
        Err(CliError::CheckFailed {
            checks: report.failed_checks.iter().map(|f| f.check).collect(),
            message: report
                .failed_checks
                .iter()
                .map(|f| format!("{}: {}", f.check, f.message))
                .collect::<Vec<_>>()
                .join("; "),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// What is printed.

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    participant: String,
    registered: bool,
    smp_url: String,
    dns_name: Option<String>,
    /// Decoded from the ServiceGroup's references, in document order.
    document_types: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    document_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<MetadataReport>,
    warnings: Vec<String>,
    failed_checks: Vec<FailedCheck>,
}

impl Report {
    fn fail(&mut self, check: &'static str, message: String) {
        self.failed_checks.push(FailedCheck { check, message });
    }
}

#[derive(Debug, Serialize)]
struct FailedCheck {
    /// `servicegroup`, `metadata`, `signature`, `chain`, `expired` or `redirect`.
    check: &'static str,
    message: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct MetadataReport {
    /// Where the ServiceInformation was read (after a redirect: the other SMP).
    url: String,
    /// The signature of the document at `url`.
    signature: SignatureReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    redirect: Option<RedirectReport>,
    processes: Vec<ProcessReport>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RedirectReport {
    /// The first SMP's document, which redirected.
    from: String,
    certificate_uid: String,
    signature: SignatureReport,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct SignatureReport {
    /// The XML signature verifies with the key of the certificate it carries.
    valid: bool,
    signer: Option<String>,
    issuer: Option<String>,
    /// The signer certificate chains to the trust store.
    chain_trusted: bool,
    not_before: Option<String>,
    not_after: Option<String>,
    /// Every certificate of the chain is within its validity period now.
    valid_now: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ProcessReport {
    process: String,
    endpoints: Vec<EndpointReport>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct EndpointReport {
    transport_profile: String,
    url: String,
    certificate: CertificateReport,
    activation_date: Option<String>,
    expiration_date: Option<String>,
    /// Now is within the activation and expiration dates (absent dates do not limit).
    active: bool,
    service_description: String,
    technical_contact_url: String,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct CertificateReport {
    subject: Option<String>,
    issuer: Option<String>,
    not_before: Option<String>,
    not_after: Option<String>,
    valid_now: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

fn print_json<T: Serialize>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Startup(format!("cannot write JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

fn print_human(r: &Report) {
    println!("Participant     {}", r.participant);
    if let Some(name) = &r.dns_name {
        println!("SML DNS name    {name}");
    }
    println!("SMP             {}", r.smp_url);
    println!("Document types  {}", r.document_types.len());
    for d in &r.document_types {
        println!("  {d}");
    }
    if let Some(m) = &r.metadata {
        if let Some(redirect) = &m.redirect {
            println!("Redirected from {}", redirect.from);
            println!("  {}", describe_signature(&redirect.signature));
        }
        println!("Metadata        {}", m.url);
        println!("  {}", describe_signature(&m.signature));
        for p in &m.processes {
            println!("  Process {}", p.process);
            for e in &p.endpoints {
                println!("    {}  {}", e.transport_profile, e.url);
                let c = &e.certificate;
                println!(
                    "      certificate {} (until {}){}",
                    c.subject.as_deref().unwrap_or("(unreadable)"),
                    c.not_after.as_deref().unwrap_or("?"),
                    if c.valid_now { "" } else { " NOT VALID NOW" }
                );
                if e.activation_date.is_some() || e.expiration_date.is_some() || !e.active {
                    println!(
                        "      service from {} until {}{}",
                        e.activation_date.as_deref().unwrap_or("-"),
                        e.expiration_date.as_deref().unwrap_or("-"),
                        if e.active { "" } else { " NOT ACTIVE NOW" }
                    );
                }
            }
        }
    }
    for w in &r.warnings {
        println!("warning: {w}");
    }
    for f in &r.failed_checks {
        println!("FAILED {}: {}", f.check, f.message);
    }
}

fn describe_signature(s: &SignatureReport) -> String {
    format!(
        "signature {}, signer {}, chain {}, certificate until {}{}",
        if s.valid { "valid" } else { "INVALID" },
        s.signer.as_deref().unwrap_or("?"),
        if s.chain_trusted {
            "trusted"
        } else {
            "NOT TRUSTED"
        },
        s.not_after.as_deref().unwrap_or("?"),
        if s.valid_now { "" } else { " (NOT VALID NOW)" }
    )
}

// ---------------------------------------------------------------------------------------------
// SML DNS.

enum Resolution {
    Registered { smp_url: String, dns_name: String },
    NotRegistered { zone: String, dns_name: String },
}

fn resolve(
    config: &Config,
    args: &LookupArgs,
    participant: &ParticipantId,
    timeout: Duration,
    allow_http: bool,
) -> Result<Resolution, CliError> {
    let (zone, mut servers) = super::sml_setup::dns_settings(config)?;
    if let Some(server) = &args.dns_server {
        let addr = server
            .parse()
            .map_err(|_| CliError::Startup(format!("--dns-server `{server}` is not ip:port")))?;
        servers = vec![addr];
    } else if config.sml.mode == SmlMode::Emulator && servers.is_empty() {
        return Err(CliError::Startup(
            "sml.emulator.dns_bind uses port 0, so the emulator's DNS server cannot be found: pass --dns-server IP:PORT or --smp-url".into(),
        ));
    } else if !config.sml.mode.is_on() {
        return Err(CliError::Startup(
            "sml.mode is off: there is no SML zone to look in; pass --dns-server or --smp-url"
                .into(),
        ));
    }
    let dns = SmlDns::new(&zone, &servers, timeout)
        .map_err(|e| CliError::Startup(format!("SML DNS: {e}")))?
        .allow_http(allow_http);
    let dns_name = dns.name_for(participant);
    match dns.lookup(participant) {
        Ok(DnsAnswer::Registered { smp_url, .. }) => {
            Ok(Resolution::Registered { smp_url, dns_name })
        }
        Ok(DnsAnswer::NotRegistered) => Ok(Resolution::NotRegistered {
            zone: dns.zone().to_owned(),
            dns_name,
        }),
        Err(e) => Err(lookup_error("dns", format!("{e} [{}]", e.code()))),
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP.

fn lookup_error(step: &'static str, message: String) -> CliError {
    CliError::Lookup { step, message }
}

fn http_client(
    trust: Option<&TrustStore>,
    timeout: Duration,
    allow_http: bool,
) -> Result<reqwest::blocking::Client, CliError> {
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= MAX_HTTP_REDIRECTS {
            attempt.error(format!("more than {MAX_HTTP_REDIRECTS} HTTP redirects"))
        } else if !allow_http && attempt.url().scheme() != "https" {
            attempt.error("an HTTP redirect to a non-https URL")
        } else {
            attempt.follow()
        }
    });
    let mut builder = reqwest::blocking::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(concat!("ferry-lookup/", env!("CARGO_PKG_VERSION")))
        .redirect(policy);
    if let Some(trust) = trust {
        // The system roots stay: public SMPs use public TLS certificates; ours add the test PKI.
        builder = builder.tls_certs_merge(trust.tls_roots.clone());
    }
    builder
        .build()
        .map_err(|e| CliError::Startup(format!("HTTP client: {e}")))
}

/// GETs `url` and reads at most the parser's size limit (plus one byte, so an oversize
/// answer is refused by the parser rather than silently cut).
fn get(
    http: &reqwest::blocking::Client,
    url: &str,
    step: &'static str,
) -> Result<(u16, Vec<u8>), CliError> {
    let response = http
        .get(url)
        .send()
        .map_err(|e| lookup_error(step, format!("GET {url}: {}", error_chain(&e))))?;
    let status = response.status().as_u16();
    let limit = u64::try_from(ParseOptions::default().max_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let mut body = Vec::new();
    response
        .take(limit)
        .read_to_end(&mut body)
        .map_err(|e| lookup_error(step, format!("GET {url}: reading the body: {e}")))?;
    Ok((status, body))
}

fn expect_ok(status: u16, url: &str, step: &'static str) -> Result<(), CliError> {
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(lookup_error(
            step,
            format!("GET {url} answered HTTP {status}"),
        ))
    }
}

/// reqwest's top-level message hides the cause (TLS, connection refused): show the chain.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The document type of a ServiceMetadataReference href: the segment after the last
/// `/services/`, percent-decoded.
fn doctype_of_href(href: &str) -> Option<DocumentTypeId> {
    let (_, segment) = href.rsplit_once("/services/")?;
    let segment = segment.split(['?', '#']).next().unwrap_or(segment);
    DocumentTypeId::from_path_segment(segment).ok()
}

// ---------------------------------------------------------------------------------------------
// Signed metadata.

struct Checker<'a> {
    http: &'a reqwest::blocking::Client,
    trust: &'a TrustStore,
    allow_http: bool,
}

/// One fetched and checked SignedServiceMetadata document.
struct Hop {
    metadata: ServiceMetadata,
    signature: SignatureReport,
}

impl Checker<'_> {
    fn metadata(
        &self,
        url: &str,
        participant: &ParticipantId,
        document_type: &DocumentTypeId,
        report: &mut Report,
    ) -> Result<MetadataReport, CliError> {
        let first = self.hop(url, participant, document_type, report)?;
        let (url, hop, redirect) = match first.metadata {
            ServiceMetadata::Information(_) => (url.to_owned(), first, None),
            ServiceMetadata::Redirect(Redirect {
                href,
                certificate_uid,
                ..
            }) => {
                if !self.allow_http && !href.starts_with("https://") {
                    report.fail(
                        "redirect",
                        format!("the redirect target {href} is not https"),
                    );
                }
                let second = self.hop(&href, participant, document_type, report)?;
                if let Some(signer) = &second.signature.signer
                    && !certificate_uid_matches(&certificate_uid, signer)
                {
                    report.warnings.push(format!(
                        "the redirect's CertificateUID `{certificate_uid}` does not name the other SMP's signer {signer}"
                    ));
                }
                let redirect = RedirectReport {
                    from: url.to_owned(),
                    certificate_uid,
                    signature: first.signature,
                };
                (href, second, Some(redirect))
            }
        };
        let processes = match hop.metadata {
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
                report.fail(
                    "redirect",
                    format!(
                        "{url} redirects again (to {}); Peppol allows one redirect",
                        r.href
                    ),
                );
                Vec::new()
            }
        };
        Ok(MetadataReport {
            url,
            signature: hop.signature,
            redirect,
            processes,
        })
    }

    fn hop(
        &self,
        url: &str,
        participant: &ParticipantId,
        document_type: &DocumentTypeId,
        report: &mut Report,
    ) -> Result<Hop, CliError> {
        let (status, body) = get(self.http, url, "metadata")?;
        if status == 404 {
            return Err(CliError::CheckFailed {
                checks: vec!["metadata"],
                message: format!(
                    "{participant} has no service metadata for {document_type} (HTTP 404 from {url})"
                ),
            });
        }
        expect_ok(status, url, "metadata")?;
        let metadata = parse_signed_service_metadata(&body, &ParseOptions::as_published())
            .map_err(|e| {
                lookup_error(
                    "metadata",
                    format!("{url} is not a SignedServiceMetadata: {e} [{}]", e.code()),
                )
            })?;
        let signature = check_signature(&body, self.trust, url, report);
        Ok(Hop {
            metadata,
            signature,
        })
    }
}

fn check_information(
    info: &ServiceInformation,
    participant: &ParticipantId,
    document_type: &DocumentTypeId,
    report: &mut Report,
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

/// Verifies the XML signature, then the signer certificate's chain and dates. Each failure
/// is recorded under its own check name; nothing here stops the lookup.
fn check_signature(
    xml: &[u8],
    trust: &TrustStore,
    url: &str,
    report: &mut Report,
) -> SignatureReport {
    let verified = match DsigVerifier.verify(xml) {
        Ok(v) => v,
        Err(e) => {
            report.fail(
                "signature",
                format!("the signature of {url} does not verify: {e} [{}]", e.code()),
            );
            return SignatureReport::default();
        }
    };
    let mut out = SignatureReport {
        valid: true,
        ..SignatureReport::default()
    };
    let cert = match X509::from_der(&verified.signer_certificate_der) {
        Ok(c) => c,
        Err(e) => {
            report.fail(
                "chain",
                format!("the signer certificate of {url} is unreadable: {e}"),
            );
            return out;
        }
    };
    out.signer = Some(dn(cert.subject_name()));
    out.issuer = Some(dn(cert.issuer_name()));
    out.not_before = Some(asn1_text(cert.not_before()));
    out.not_after = Some(asn1_text(cert.not_after()));
    match trust.verify(&cert) {
        Ok(chain) => {
            out.chain_trusted = true;
            out.valid_now = true;
            for c in &chain {
                if let Some(problem) = validity_problem(c) {
                    out.valid_now = false;
                    report.fail("expired", format!("{} {problem}", dn(c.subject_name())));
                }
            }
        }
        Err(reason) => {
            report.fail(
                "chain",
                format!(
                    "the signer certificate {} of {url} does not chain to the trust store {}: {reason}",
                    dn(cert.subject_name()),
                    trust.path.display()
                ),
            );
            out.valid_now = validity_problem(&cert).is_none();
            if let Some(problem) = validity_problem(&cert) {
                report.fail("expired", format!("{} {problem}", dn(cert.subject_name())));
            }
        }
    }
    out
}

/// Peppol leaves the CertificateUID's form open; SMPs publish the subject DN (either order),
/// the CN or the serial. Accept any of them.
fn certificate_uid_matches(uid: &str, signer_dn: &str) -> bool {
    let norm = |s: &str| {
        s.split(',')
            .map(|p| p.trim().to_ascii_lowercase().replace(" = ", "="))
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
    };
    let uid_parts = norm(uid);
    let mut signer_parts = norm(signer_dn);
    if uid_parts == signer_parts {
        return true;
    }
    signer_parts.reverse();
    if uid_parts == signer_parts {
        return true;
    }
    let cn = signer_parts
        .iter()
        .find_map(|p| p.strip_prefix("cn="))
        .unwrap_or_default();
    !cn.is_empty() && (uid.trim().eq_ignore_ascii_case(cn) || uid_parts.iter().any(|p| p == cn))
}

fn endpoint_report(e: &smp_xml::Endpoint, report: &mut Report) -> EndpointReport {
    let certificate = certificate_report(&e.certificate);
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

fn certificate_report(b64: &str) -> CertificateReport {
    let cert = openssl::base64::decode_block(b64)
        .map_err(|e| format!("not base64: {e}"))
        .and_then(|der| X509::from_der(&der).map_err(|e| format!("not X.509: {e}")));
    match cert {
        Ok(cert) => CertificateReport {
            subject: Some(dn(cert.subject_name())),
            issuer: Some(dn(cert.issuer_name())),
            not_before: Some(asn1_text(cert.not_before())),
            not_after: Some(asn1_text(cert.not_after())),
            valid_now: validity_problem(&cert).is_none(),
            error: None,
        },
        Err(error) => CertificateReport {
            error: Some(error),
            ..CertificateReport::default()
        },
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

// ---------------------------------------------------------------------------------------------
// Certificates.

/// The CAs an SMP signing certificate must chain to.
struct TrustStore {
    path: PathBuf,
    store: X509Store,
    /// The same certificates for the HTTP client, so https SMPs of the same PKI work.
    tls_roots: Vec<reqwest::Certificate>,
}

impl TrustStore {
    /// `--trust-store` must exist; the default one may be missing (production machines have no
    /// `certs-test/`), which only matters once a signature must be checked.
    fn load(explicit: Option<&Path>) -> Result<Option<Self>, CliError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => {
                let p = PathBuf::from(DEFAULT_TRUST_STORE);
                if !p.exists() {
                    return Ok(None);
                }
                p
            }
        };
        let pem = std::fs::read(&path)
            .map_err(|e| CliError::Startup(format!("--trust-store {}: {e}", path.display())))?;
        Self::from_pem(path, &pem).map(Some)
    }

    fn from_pem(path: PathBuf, pem: &[u8]) -> Result<Self, CliError> {
        let bad = |e: String| CliError::Startup(format!("trust store {}: {e}", path.display()));
        let certs = X509::stack_from_pem(pem).map_err(|e| bad(e.to_string()))?;
        if certs.is_empty() {
            return Err(bad("no PEM certificate in it".into()));
        }
        let mut builder = X509StoreBuilder::new().map_err(|e| bad(e.to_string()))?;
        // Dates are checked separately, so an expired signer is reported as `expired`,
        // not as an untrusted chain.
        builder
            .set_flags(X509VerifyFlags::NO_CHECK_TIME)
            .map_err(|e| bad(e.to_string()))?;
        let mut tls_roots = Vec::with_capacity(certs.len());
        for cert in certs {
            let der = cert.to_der().map_err(|e| bad(e.to_string()))?;
            tls_roots.push(reqwest::Certificate::from_der(&der).map_err(|e| bad(e.to_string()))?);
            builder.add_cert(cert).map_err(|e| bad(e.to_string()))?;
        }
        Ok(Self {
            path,
            store: builder.build(),
            tls_roots,
        })
    }

    /// Builds the chain from `cert` to a certificate of the store; returns it (leaf first) or
    /// OpenSSL's reason.
    fn verify(&self, cert: &X509Ref) -> Result<Vec<X509>, String> {
        let untrusted = Stack::new().map_err(|e| e.to_string())?;
        let mut ctx = X509StoreContext::new().map_err(|e| e.to_string())?;
        ctx.init(&self.store, cert, &untrusted, |c| {
            if c.verify_cert()? {
                let chain = c
                    .chain()
                    .map(|s| s.iter().map(ToOwned::to_owned).collect())
                    .unwrap_or_default();
                Ok(Ok(chain))
            } else {
                Ok(Err(c.error().error_string().to_owned()))
            }
        })
        .map_err(|e| e.to_string())?
    }
}

/// Why `cert` is not valid now, if it is not.
fn validity_problem(cert: &X509Ref) -> Option<String> {
    let now = Asn1Time::days_from_now(0).ok()?;
    if cert.not_after() < now {
        Some(format!("expired on {}", asn1_text(cert.not_after())))
    } else if cert.not_before() > now {
        Some(format!(
            "is not valid before {}",
            asn1_text(cert.not_before())
        ))
    } else {
        None
    }
}

/// RFC 3339 (UTC) when representable, else OpenSSL's own text.
fn asn1_text(t: &Asn1TimeRef) -> String {
    Asn1Time::from_unix(0)
        .and_then(|epoch| epoch.diff(t))
        .ok()
        .and_then(|d| {
            OffsetDateTime::from_unix_timestamp(i64::from(d.days) * 86_400 + i64::from(d.secs)).ok()
        })
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| t.to_string())
}

/// `CN=..., O=..., C=...` (RFC 4514 order: most specific first).
fn dn(name: &X509NameRef) -> String {
    let mut parts: Vec<String> = name
        .entries()
        .map(|e| {
            let object = e.object();
            let key = object
                .nid()
                .short_name()
                .map_or_else(|_| object.to_string(), str::to_owned);
            let value = e.data().to_string().unwrap_or_else(|_| "?".to_owned());
            format!("{key}={value}")
        })
        .collect();
    parts.reverse();
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn repo_file(path: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(path)
    }

    fn smp_roots() -> TrustStore {
        TrustStore::load(Some(&repo_file("certs-test/truststore/smp-roots.pem")))
            .unwrap()
            .unwrap()
    }

    fn cert(path: &str) -> X509 {
        X509::from_pem(&std::fs::read(repo_file(path)).unwrap()).unwrap()
    }

    #[test]
    fn smp_certificate_chains_to_the_smp_roots() {
        let chain = smp_roots()
            .verify(&cert("certs-test/smp/smp.crt.pem"))
            .unwrap();
        let subjects: Vec<String> = chain.iter().map(|c| dn(c.subject_name())).collect();
        assert_eq!(
            subjects,
            [
                "CN=FERRY-TEST-SMP, O=Ferry Test, C=BE",
                "CN=Ferry Test SMP CA, O=Ferry Test, C=BE",
                "CN=Ferry Test Root CA, O=Ferry Test, C=BE",
            ]
        );
    }

    #[test]
    fn untrusted_certificate_fails_the_chain_check() {
        let err = smp_roots()
            .verify(&cert("certs-test/ap/ap-untrusted.crt.pem"))
            .unwrap_err();
        assert!(err.contains("issuer"), "{err}");
    }

    #[test]
    fn certificate_of_another_ca_fails_the_chain_check() {
        // ap-valid's issuer (the AP CA) is not an SMP CA, though it shares the root.
        assert!(
            smp_roots()
                .verify(&cert("certs-test/ap/ap-valid.crt.pem"))
                .is_err()
        );
    }

    #[test]
    fn expired_certificate_is_trusted_but_not_valid_now() {
        let expired = cert("certs-test/ap/ap-expired.crt.pem");
        let trust = TrustStore::load(Some(&repo_file(
            "certs-test/truststore/peppol-test-ap-roots.pem",
        )))
        .unwrap()
        .unwrap();
        assert!(
            trust.verify(&expired).is_ok(),
            "dates are not the chain's job"
        );
        let problem = validity_problem(&expired).unwrap();
        assert_eq!(problem, "expired on 2021-01-01T00:00:00Z");
        let later = validity_problem(&cert("certs-test/ap/ap-not-yet-valid.crt.pem")).unwrap();
        assert!(
            later.starts_with("is not valid before 2090-01-01"),
            "{later}"
        );
        assert!(validity_problem(&cert("certs-test/ap/ap-valid.crt.pem")).is_none());
    }

    #[test]
    fn missing_explicit_trust_store_is_an_error() {
        assert!(TrustStore::load(Some(Path::new("/nonexistent/roots.pem"))).is_err());
        let empty = TrustStore::from_pem(PathBuf::from("x"), b"");
        assert!(empty.is_err());
    }

    #[test]
    fn endpoint_certificate_is_described() {
        let b64 = std::fs::read_to_string(repo_file("certs-test/ap/ap-expired.b64")).unwrap();
        let r = certificate_report(b64.trim());
        assert_eq!(
            r.subject.as_deref(),
            Some("CN=PBE000002, OU=PEPPOL TEST AP, O=Ferry Test AP Expired, C=BE")
        );
        assert!(!r.valid_now);
        assert!(certificate_report("not base64!").error.is_some());
    }

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

    #[test]
    fn certificate_uid_forms() {
        let signer = "CN=FERRY-TEST-SMP, O=Ferry Test, C=BE";
        assert!(certificate_uid_matches(signer, signer));
        assert!(certificate_uid_matches(
            "C=BE,O=Ferry Test,CN=FERRY-TEST-SMP",
            signer
        ));
        assert!(certificate_uid_matches("FERRY-TEST-SMP", signer));
        assert!(!certificate_uid_matches(
            "CN=OTHER, O=Ferry Test, C=BE",
            signer
        ));
        assert!(!certificate_uid_matches("", signer));
    }
}
