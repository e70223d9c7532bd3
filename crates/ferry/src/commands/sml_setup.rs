//! Building the SML side from config: the in-process emulator (default), the SOAP client
//! with the SMP's client certificate, and the SMP entry the emulator needs.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use party_config::SmlClientRegistry;
use sml_client::{ClientIdentity, SmlClient, SmlClientConfig, SmlError, SmlPreset, SmpEntry};
use sml_emulator::{Emulator, EmulatorConfig};

use crate::config::Config;
use crate::error::CliError;

/// The SML as this process uses it.
pub(crate) struct SmlSide {
    /// Participant operations for the domain worker.
    pub(crate) registry: Arc<SmlClientRegistry>,
    /// The DNS zone participants are published in.
    pub(crate) dns_zone: String,
    /// Name servers to ask (empty: the system's).
    pub(crate) dns_servers: Vec<std::net::SocketAddr>,
    /// Keeps the in-process emulator running.
    emulator: Option<Emulator>,
}

fn startup(what: &str, e: impl std::fmt::Display) -> CliError {
    CliError::Startup(format!("{what}: {e}"))
}

/// Starts the emulator when configured, and builds the client. `None` when `sml.mode = "off"`.
pub(crate) fn start(config: &Config) -> Result<Option<SmlSide>, CliError> {
    let sml = &config.sml;
    let (base_url, zone, servers, emulator) = match sml.mode.as_str() {
        "off" => return Ok(None),
        "emulator" => {
            let emulator = Emulator::start(EmulatorConfig {
                soap_bind: parse_addr(&sml.emulator.soap_bind)?,
                dns_bind: parse_addr(&sml.emulator.dns_bind)?,
                zone: sml.dns_zone.clone(),
                tls_certificate: sml.emulator.tls_certificate.clone(),
                tls_key: sml.emulator.tls_key.clone(),
                client_ca: sml.emulator.client_ca.clone(),
                database: sml.emulator.database.clone(),
                list_page_size: 100,
            })
            .map_err(|e| startup("sml.emulator", e))?;
            tracing::info!(soap = %emulator.soap_base_url(), dns = %emulator.dns_addr(), "in-process SML emulator started");
            (
                emulator.soap_base_url(),
                sml.dns_zone.clone(),
                vec![emulator.dns_addr()],
                Some(emulator),
            )
        }
        "test" => (
            SmlPreset::PeppolTest.base_url().to_owned(),
            SmlPreset::PeppolTest.dns_zone().to_owned(),
            vec![],
            None,
        ),
        "production" => (
            SmlPreset::PeppolProduction.base_url().to_owned(),
            SmlPreset::PeppolProduction.dns_zone().to_owned(),
            vec![],
            None,
        ),
        _ => (sml.url.clone(), sml.dns_zone.clone(), vec![], None),
    };
    let mut dns_servers = servers;
    for s in &sml.dns_servers {
        dns_servers.push(parse_addr(s)?);
    }
    let client = SmlClient::new(&SmlClientConfig {
        base_url,
        identity: ClientIdentity::Pem {
            certificate: read(&sml.client_certificate, "sml.client_certificate")?,
            key: read(&sml.client_key, "sml.client_key")?,
        },
        trusted_roots_pem: if sml.trusted_roots.is_empty() {
            None
        } else {
            Some(read(Path::new(&sml.trusted_roots), "sml.trusted_roots")?)
        },
        timeout: Duration::from_millis(sml.timeout_ms),
        connect_timeout: Duration::from_millis(sml.timeout_ms.min(5_000)),
    })
    .map_err(|e| startup("sml client", e))?;
    Ok(Some(SmlSide {
        registry: Arc::new(SmlClientRegistry::new(client, &sml.smp_id)),
        dns_zone: zone,
        dns_servers,
        emulator,
    }))
}

impl SmlSide {
    /// The in-process emulator, when `sml.mode = "emulator"`.
    pub(crate) fn emulator(&self) -> Option<&Emulator> {
        self.emulator.as_ref()
    }
}

/// Makes sure the SMP entry exists with this public URL (the emulator's state starts
/// empty; against a real SML this is `ferry sml register-smp`, an explicit step).
pub(crate) fn ensure_smp_entry(
    side: &SmlSide,
    config: &Config,
    public_url: &str,
) -> Result<(), CliError> {
    let client = side.registry.client();
    let wanted = SmpEntry {
        smp_id: config.sml.smp_id.clone(),
        logical_address: public_url.to_owned(),
        physical_address: config.sml.physical_address.clone(),
    };
    match client.read_smp(&wanted.smp_id) {
        Ok(current) if current.logical_address == wanted.logical_address => Ok(()),
        Ok(_) => client
            .update_smp(&wanted)
            .map_err(|e| startup("sml update SMP entry", e)),
        Err(e) if e.is_not_found() => client
            .create_smp(&wanted)
            .map_err(|e| startup("sml create SMP entry", e)),
        Err(e) => Err(startup("sml read SMP entry", describe(&e))),
    }
}

/// An SML error as an operator should read it.
pub(crate) fn describe(e: &SmlError) -> String {
    match e.sml_code() {
        Some(101) => format!("{e} — the SML knows this SMP ID under another certificate (ERR-101)"),
        _ => e.to_string(),
    }
}

fn parse_addr(s: &str) -> Result<std::net::SocketAddr, CliError> {
    s.parse()
        .map_err(|_| CliError::Startup(format!("`{s}` is not host:port")))
}

fn read(path: &Path, key: &str) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| startup(&format!("{key} {}", path.display()), e))
}
