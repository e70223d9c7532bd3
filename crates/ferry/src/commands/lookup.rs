//! `ferry lookup`: Peppol discovery as a sender does it, through `smp-client`.
//!
//! SML DNS (NAPTR `Meta:SMP`) → the SMP's ServiceGroup → its SignedServiceMetadata for one
//! document type (at most one Redirect), with the signature, chain and dates checked. This
//! module only turns arguments into calls and the report into output; what is checked, and
//! what is deliberately not, is documented in `smp-client`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use peppol_id::{DocumentTypeId, ParticipantId};
use serde::Serialize;
use sml_client::SmlDns;
use smp_client::{
    Discovery, LookupFailure, LookupReport, LookupStep, SignatureReport, SmpClient, SmpClientError,
    TrustStore, discover,
};

use crate::cli::LookupArgs;
use crate::error::CliError;
use ferry_config::{Config, SmlMode};

/// The trust store used without `--trust-store`: the test PKI's SMP CAs, relative to the
/// working directory (like every path of the default config).
const DEFAULT_TRUST_STORE: &str = "certs-test/truststore/smp-roots.pem";

pub(crate) fn run(config: &Config, args: &LookupArgs, json: bool) -> Result<(), CliError> {
    // Registrations older than the ICD and check-digit rules are still live: look them up,
    // and say what the policy objects to.
    let participant = ParticipantId::parse_as_published(&args.participant)?;
    let document_type = args
        .document_type
        .as_deref()
        .map(DocumentTypeId::parse)
        .transpose()?;
    let trust = load_trust_store(args.trust_store.as_deref())?;
    if document_type.is_some() && trust.is_none() {
        return Err(CliError::Startup(format!(
            "no trust store at {DEFAULT_TRUST_STORE}: pass --trust-store with the SMP CAs (PEM)"
        )));
    }
    // A Peppol Redirect names another SMP by design: a sender follows it (once), so the
    // lookup does too. Scheme, address and size limits still apply to the target.
    let policy = smp_client::FetchPolicy {
        allow_redirect_to_other_host: true,
        ..super::foreign_fetch_policy(config)
    };
    let client = SmpClient::new(&policy, trust).map_err(|e| CliError::Startup(e.to_string()))?;

    let (smp_url, dns_name) = match &args.smp_url {
        Some(url) => (url.clone(), None),
        None => {
            let dns = sml_dns(config, args)?.allow_http(policy.allow_http);
            match discover(&dns, &participant).map_err(|e| CliError::Lookup {
                step: "dns",
                message: e.to_string(),
            })? {
                Discovery::Registered { smp_url, dns_name } => (smp_url, Some(dns_name)),
                Discovery::NotRegistered { zone, dns_name } => {
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
            }
        }
    };

    let report = client
        .lookup(&participant, &smp_url, dns_name, document_type.as_ref())
        .map_err(|f| failure(f, &participant, document_type.as_ref()))?;
    if json {
        print_json(&report)?;
    } else {
        print_human(&report);
    }
    if report.failed_checks.is_empty() {
        Ok(())
    } else {
        Err(CliError::CheckFailed {
            checks: report.failed_check_names(),
            message: report
                .failed_checks
                .iter()
                .map(|f| format!("{}: {}", f.check, f.message))
                .collect::<Vec<_>>()
                .join("; "),
        })
    }
}

/// A missing document is a failed check (exit 1); any other stop is a lookup failure (exit 3).
fn failure(
    f: LookupFailure,
    participant: &ParticipantId,
    document_type: Option<&DocumentTypeId>,
) -> CliError {
    let e = &f.error;
    match f.step {
        LookupStep::ServiceGroup if e.is_not_found() => CliError::CheckFailed {
            checks: vec!["servicegroup"],
            message: format!("the SMP has no ServiceGroup for {participant} ({e})"),
        },
        LookupStep::Metadata if e.is_not_found() => CliError::CheckFailed {
            checks: vec!["metadata"],
            message: format!(
                "{participant} has no service metadata for {} ({e})",
                document_type.map(ToString::to_string).unwrap_or_default()
            ),
        },
        step => CliError::Lookup {
            step: step.as_str(),
            message: match e {
                SmpClientError::InvalidDocument { .. } => e.to_string(),
                _ => format!("{e} [{}]", e.code()),
            },
        },
    }
}

/// `--trust-store` must exist; the default one may be missing (production machines have no
/// `certs-test/`), which only matters once a signature must be checked.
fn load_trust_store(explicit: Option<&Path>) -> Result<Option<TrustStore>, CliError> {
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
    TrustStore::from_pem_file(&path)
        .map(Some)
        .map_err(|e| CliError::Startup(format!("--trust-store: {e}")))
}

/// The SML DNS to ask: `--dns-server`, else the configured zone and servers.
fn sml_dns(config: &Config, args: &LookupArgs) -> Result<SmlDns, CliError> {
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
    let timeout = Duration::from_millis(config.sml.timeout_ms.max(1));
    SmlDns::new(&zone, &servers, timeout).map_err(|e| CliError::Startup(format!("SML DNS: {e}")))
}

fn print_json<T: Serialize>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Startup(format!("cannot write JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

fn print_human(r: &LookupReport) {
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
