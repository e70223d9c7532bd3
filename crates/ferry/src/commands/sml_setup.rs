//! Building the SML side from config: the in-process emulator (default), the SOAP client
//! with the SMP's client certificate, and the SMP entry the emulator needs.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sml_client::{
    ClientIdentity, SmlClient, SmlClientConfig, SmlDns, SmlError, SmlPreset, SmpEntry,
};
use sml_emulator::{Emulator, EmulatorConfig};
use smp_core::SmlClientRegistry;

use crate::error::CliError;
use ferry_config::{Config, SmlMode};

/// The SML as this process uses it.
pub(crate) struct SmlSide {
    /// Participant operations for the registration worker.
    pub(crate) registry: Arc<SmlClientRegistry>,
    /// Keeps the in-process emulator running.
    emulator: Option<Emulator>,
}

fn startup(what: &str, e: impl std::fmt::Display) -> CliError {
    CliError::Startup(format!("{what}: {e}"))
}

/// Starts the emulator when configured, and builds the client. `None` when `sml.mode = "off"`.
pub(crate) fn start(config: &Config) -> Result<Option<SmlSide>, CliError> {
    let sml = &config.sml;
    let emulator = match sml.mode {
        SmlMode::Off => return Ok(None),
        SmlMode::Emulator => {
            let db = &sml.emulator.database;
            if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| startup(&format!("sml.emulator.database {}", db.display()), e))?;
            }
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
            Some(emulator)
        }
        _ => None,
    };
    let base_url = match &emulator {
        Some(e) => e.soap_base_url(),
        None => base_url(config)?,
    };
    let (zone, mut servers) = dns_settings(config)?;
    if let Some(e) = &emulator {
        servers.retain(|s| *s != e.dns_addr());
        servers.insert(0, e.dns_addr());
    }
    let dns = SmlDns::new(
        &zone,
        &servers,
        Duration::from_millis(sml.timeout_ms.min(5_000)),
    )
    .map_err(|e| startup("sml dns", e))?
    .allow_http(sml.mode.allows_http() || sml.allow_http);
    Ok(Some(SmlSide {
        registry: client(config, base_url, Some(dns))?,
        emulator,
    }))
}

/// The SML for a CLI command: no emulator is started; in `emulator` mode the command talks
/// to the one inside the running `ferry serve` at `sml.emulator.soap_bind`.
pub(crate) fn connect(config: &Config) -> Result<Arc<SmlClientRegistry>, CliError> {
    if !config.sml.mode.is_on() {
        return Err(CliError::Startup(
            "sml.mode is off: there is no SML to talk to".into(),
        ));
    }
    client(config, base_url(config)?, None)
}

/// [`connect`] that can also read the SML's DNS (who holds a participant now), for the
/// steps that watch a participant's registration.
pub(crate) fn connect_with_dns(config: &Config) -> Result<Arc<SmlClientRegistry>, CliError> {
    if !config.sml.mode.is_on() {
        return Err(CliError::Startup(
            "sml.mode is off: there is no SML to talk to".into(),
        ));
    }
    let (zone, servers) = dns_settings(config)?;
    let dns = SmlDns::new(
        &zone,
        &servers,
        Duration::from_millis(config.sml.timeout_ms.min(5_000)),
    )
    .map_err(|e| startup("sml dns", e))?
    .allow_http(config.sml.mode.allows_http() || config.sml.allow_http);
    client(config, base_url(config)?, Some(dns))
}

/// The SOAP base URL of the configured SML.
fn base_url(config: &Config) -> Result<String, CliError> {
    let sml = &config.sml;
    Ok(match sml.mode {
        SmlMode::Emulator => {
            let addr = parse_addr(&sml.emulator.soap_bind)?;
            if addr.port() == 0 {
                return Err(CliError::Startup(
                    "sml.emulator.soap_bind uses port 0: give it a fixed port so commands can reach the emulator inside `ferry serve`".into(),
                ));
            }
            format!("https://{addr}")
        }
        SmlMode::Test => SmlPreset::PeppolTest.base_url().to_owned(),
        SmlMode::Production => SmlPreset::PeppolProduction.base_url().to_owned(),
        _ => sml.url.clone(),
    })
}

/// The DNS zone participants are published in, and the name servers to ask (empty: the
/// system's). In `emulator` mode that is the emulator's zone and DNS port.
pub(crate) fn dns_settings(
    config: &Config,
) -> Result<(String, Vec<std::net::SocketAddr>), CliError> {
    let sml = &config.sml;
    let zone = match sml.mode {
        SmlMode::Test => SmlPreset::PeppolTest.dns_zone().to_owned(),
        SmlMode::Production => SmlPreset::PeppolProduction.dns_zone().to_owned(),
        _ => sml.dns_zone.clone(),
    };
    let mut servers = Vec::new();
    if sml.mode == SmlMode::Emulator {
        let addr = parse_addr(&sml.emulator.dns_bind)?;
        if addr.port() != 0 {
            servers.push(addr);
        }
    }
    for s in &sml.dns_servers {
        servers.push(parse_addr(s)?);
    }
    Ok((zone, servers))
}

fn client(
    config: &Config,
    base_url: String,
    dns: Option<SmlDns>,
) -> Result<Arc<SmlClientRegistry>, CliError> {
    let sml = &config.sml;
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
    let registry = SmlClientRegistry::new(client, &sml.smp_id);
    Ok(Arc::new(match dns {
        Some(dns) => registry.with_dns(dns),
        None => registry,
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
