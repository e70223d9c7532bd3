//! The configuration of the `ferry` binary: every key declared once with its default, loaded
//! in layers (built-in defaults → TOML file → `FERRY_*` environment) and validated once,
//! naming the TOML key and its environment variable in every error.
//!
//! This crate only describes and checks settings: it opens no database, binds no socket and
//! builds no client (the binary does, after loading).
//!
//! After [`Config::load`] everything is validated once; nothing later re-parses config.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// The default config file, relative to the working directory.
mod network_guard;
mod sml_mode;
#[cfg(test)]
mod tests;
mod validate;

pub use sml_mode::SmlMode;

pub const DEFAULT_CONFIG: &str = "config/ferry.toml";
/// The documented development bootstrap token (override with FERRY_ADMIN_TOKEN).
pub const DEV_ADMIN_TOKEN: &str = "ferry-dev-admin-token";
/// The organisation of every certificate in `certs-test/` (see `certs-test/generate.sh`).
const TEST_PKI_ORGANIZATION: &str = "Ferry Test";

const SECTIONS: [&str; 11] = [
    "events",
    "parking",
    "policy",
    "identifiers",
    "server",
    "database",
    "signing",
    "cache",
    "log",
    "sml",
    "migration",
];

/// Everything Ferry can be configured with.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Bootstrap administrator token (`FERRY_ADMIN_TOKEN`); empty disables it.
    pub admin_token: String,
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub signing: SigningConfig,
    pub cache: CacheConfig,
    pub log: LogConfig,
    pub sml: SmlConfig,
    pub migration: MigrationConfig,
    pub parking: ParkingConfig,
    pub policy: PolicyConfig,
    pub identifiers: IdentifiersConfig,
    pub events: EventsConfig,
}

/// Registration policy: rules that refuse some service registrations.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// Refuse a legacy document type until its BIS 3 equivalent is registered.
    pub require_bis3_before_legacy: bool,
    /// Legacy document type → BIS 3 document type (full `scheme::value` identifiers); the
    /// built-in BIS 4A/5A/Billing 2.0 pairs are always there, entries here add to them.
    pub legacy_equivalents: std::collections::BTreeMap<String, String>,
    /// Document types (`scheme::value`) that may not be registered at all.
    pub refused_document_types: Vec<String>,
}

/// The event log behind webhooks and `GET /api/v1/events`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsConfig {
    /// Days an event (and its finished webhook deliveries) is kept; 0 keeps them for good.
    /// An event still being delivered is kept whatever its age.
    pub retention_days: u32,
}

/// Participant identifier maintenance (`ferry identifiers ...`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentifiersConfig {
    /// How long both identifiers stay registered during a scheme migration, in days.
    pub scheme_overlap_days: u32,
}

/// The parking SMP: a second https listener where Peppol APs collect migration keys.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParkingConfig {
    /// Serve `GET /api/v1/migration-tokens/{participant}` on `bind`.
    pub enabled: bool,
    /// Address of the token collection listener (https, client certificates requested).
    pub bind: String,
    /// PEM certificate chain of that listener.
    pub tls_certificate: String,
    /// PEM private key of that listener.
    pub tls_key: String,
    /// PEM trust store AP certificates must chain to.
    pub trust_store: String,
    /// `test` or `production`: the Peppol network whose AP certificates are accepted.
    pub environment: String,
    /// A trust-store CA is an AP CA when its CN contains one of these (case-insensitive).
    pub ap_ca_names: Vec<String>,
    /// Requests counted per caller per UTC day before it is blacklisted.
    pub daily_quota: u32,
    /// Requests of verified callers per client IP address per minute; also the number of
    /// failed certificate checks an address gets per minute.
    pub per_ip_per_minute: u32,
    /// Requests of verified callers per minute overall.
    pub global_per_minute: u32,
    /// Days the collection log (`token_collections`) is kept; 0 keeps it for good.
    pub audit_retention_days: u32,
    /// CRL files (PEM or DER) of the AP CAs; certificates on them are refused. Read again
    /// when they change on disk.
    pub crl_files: Vec<String>,
}

/// Participant migrations between SMPs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationConfig {
    /// How often open migrations are checked (takeover detection, watches), in ms.
    pub check_interval_ms: u64,
    /// How long a participant that migrated away is still served, in ms.
    pub cleanup_grace_ms: u64,
    /// File with the key that seals stored migration keys (32 random bytes, base64). Made
    /// on first use when missing; every node sharing a database needs the same file.
    pub key_file: PathBuf,
}

/// Where participants are registered: the SML (Service Metadata Locator).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmlConfig {
    /// `emulator` (in-process, the default), `test` (Peppol test SML), `production`,
    /// `custom` (use `url` and `dns_zone`) or `off`.
    pub mode: SmlMode,
    /// This SMP's ID at the SML (DNS-label syntax).
    pub smp_id: String,
    /// SOAP base URL for `custom`.
    pub url: String,
    /// DNS zone for `custom` (and the emulator's zone in `emulator` mode).
    pub dns_zone: String,
    /// Name servers (`host:port`) for SML lookups; empty = the system's (or the emulator's).
    pub dns_servers: Vec<String>,
    /// Client certificate + key (PEM) for mutual TLS; the SMP's Peppol certificate.
    pub client_certificate: PathBuf,
    pub client_key: PathBuf,
    /// Extra CA certificates (PEM) to trust for the SML's server certificate.
    pub trusted_roots: String,
    /// IPv4 address registered as the SMP entry's PhysicalAddress.
    pub physical_address: String,
    pub timeout_ms: u64,
    /// How often the registration worker looks for due jobs.
    pub worker_interval_ms: u64,
    /// Accept http:// SMP URLs in NAPTR records (local test setups only; Peppol requires
    /// https). Always on in `emulator` mode.
    pub allow_http: bool,
    pub emulator: EmulatorConfig,
}

/// The in-process SML emulator (`sml.mode = "emulator"`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmulatorConfig {
    pub soap_bind: String,
    pub dns_bind: String,
    pub database: PathBuf,
    pub tls_certificate: PathBuf,
    pub tls_key: PathBuf,
    /// Client certificates must chain to these roots.
    pub client_ca: PathBuf,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Listen address, e.g. `127.0.0.1:8080` (port 0 = any free port).
    pub bind: String,
    /// Public base URL in ServiceGroup hrefs; empty = derived from the bound address.
    pub public_url: String,
    /// Path prefix for every route, e.g. `/smp`.
    pub base_path: String,
    /// HTTP worker threads; 0 = one per core.
    pub workers: usize,
    /// Largest accepted request body in bytes.
    pub max_body_bytes: usize,
    /// https: both set, or both empty for plain http.
    pub tls_certificate: String,
    pub tls_key: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://data/ferry.db` or `postgres://user@host/db`.
    pub url: String,
    pub max_connections: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningConfig {
    /// PEM certificate of the SMP signing key (end-entity, issued by a CA).
    pub certificate: PathBuf,
    /// PEM private key.
    pub key: PathBuf,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheConfig {
    pub enabled: bool,
    pub max_entries: usize,
    /// How often to read the change log for other nodes' writes; 0 disables.
    pub poll_interval_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: String,
    /// A tracing filter such as `info` or `ferry=debug,info`.
    pub level: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            admin_token: DEV_ADMIN_TOKEN.to_owned(),
            server: ServerConfig {
                bind: "127.0.0.1:8080".into(),
                public_url: String::new(),
                base_path: String::new(),
                workers: 0,
                max_body_bytes: 1024 * 1024,
                tls_certificate: String::new(),
                tls_key: String::new(),
            },
            database: DatabaseConfig {
                url: "sqlite://data/ferry.db".into(),
                max_connections: 8,
            },
            signing: SigningConfig {
                certificate: "certs-test/smp/smp.crt.pem".into(),
                key: "certs-test/smp/smp.key.pem".into(),
            },
            cache: CacheConfig {
                enabled: true,
                max_entries: 200_000,
                poll_interval_ms: 1000,
            },
            log: LogConfig {
                format: "text".into(),
                level: "info".into(),
            },
            migration: MigrationConfig {
                check_interval_ms: 5000,
                cleanup_grace_ms: 30_000,
                key_file: PathBuf::from("data/migration-keys.key"),
            },
            policy: PolicyConfig {
                require_bis3_before_legacy: false,
                legacy_equivalents: smp_core::RegistrationPolicy::default_legacy_equivalents()
                    .into_iter()
                    .map(|p| (p.legacy.to_string(), p.bis3.to_string()))
                    .collect(),
                refused_document_types: Vec::new(),
            },
            identifiers: IdentifiersConfig {
                scheme_overlap_days: 30,
            },
            events: EventsConfig { retention_days: 30 },
            parking: ParkingConfig {
                enabled: false,
                bind: "127.0.0.1:8443".into(),
                tls_certificate: "certs-test/tls/localhost.crt.pem".into(),
                tls_key: "certs-test/tls/localhost.key.pem".into(),
                trust_store: "certs-test/truststore/peppol-test-ap-roots.pem".into(),
                environment: "test".into(),
                ap_ca_names: party_config::DEFAULT_AP_CA_MARKERS
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
                daily_quota: 1000,
                per_ip_per_minute: 60,
                global_per_minute: 600,
                audit_retention_days: party_config::DEFAULT_AUDIT_RETENTION_DAYS,
                crl_files: Vec::new(),
            },
            sml: SmlConfig {
                mode: SmlMode::Emulator,
                smp_id: "FERRY-LOCAL".into(),
                url: String::new(),
                dns_zone: "sml.ferry.local.".into(),
                dns_servers: Vec::new(),
                client_certificate: "certs-test/smp/smp.crt.pem".into(),
                client_key: "certs-test/smp/smp.key.pem".into(),
                trusted_roots: "certs-test/root/root-ca.crt.pem".into(),
                physical_address: "127.0.0.1".into(),
                timeout_ms: 10_000,
                worker_interval_ms: 500,
                allow_http: false,
                emulator: EmulatorConfig {
                    soap_bind: "127.0.0.1:8453".into(),
                    dns_bind: "127.0.0.1:8053".into(),
                    database: "data/sml-emulator.db".into(),
                    tls_certificate: "certs-test/sml/sml.crt.pem".into(),
                    tls_key: "certs-test/sml/sml.key.pem".into(),
                    client_ca: "certs-test/truststore/smp-roots.pem".into(),
                },
            },
        }
    }
}

/// A configuration problem, naming the key and its environment variable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("could not read the configuration: {0}")]
    Load(#[from] Box<figment::Error>),
    #[error("invalid `{key}` (env {env}): {reason}")]
    Invalid {
        key: &'static str,
        env: &'static str,
        reason: String,
    },
}

fn invalid(key: &'static str, env: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key,
        env,
        reason: reason.into(),
    }
}

impl Config {
    /// Defaults, then the file (the default file only if it exists), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Self::default()));
        match file {
            Some(path) => {
                if !path.exists() {
                    return Err(invalid(
                        "--config",
                        "-",
                        format!("{} does not exist", path.display()),
                    ));
                }
                figment = figment.merge(Toml::file(path));
            }
            None => figment = figment.merge(Toml::file(DEFAULT_CONFIG)),
        }
        // Only variables that name a config key; test-harness variables such as
        // FERRY_TEST_POSTGRES_URL share the prefix and must not fail strict parsing.
        let env = Env::prefixed("FERRY_").split("__").filter(|k| {
            let k = k.as_str().to_ascii_lowercase();
            k == "admin_token"
                || SECTIONS
                    .iter()
                    .any(|s| k.strip_prefix(s).is_some_and(|rest| rest.starts_with('.')))
        });
        figment = figment.merge(env);
        let config: Self = figment.extract().map_err(Box::new)?;
        config.validate()?;
        Ok(config)
    }

    /// Warns about `FERRY_*` variables that configure nothing (usually a typo).
    pub fn unknown_env_vars() -> Vec<String> {
        const OTHER: [&str; 5] = [
            "ADMIN_TOKEN",
            "TEST_POSTGRES_URL",
            "REQUIRE_ALL",
            "SPEC_DIR",
            "LOG",
        ];
        std::env::vars()
            .filter_map(|(k, _)| k.strip_prefix("FERRY_").map(str::to_owned))
            .filter(|k| {
                !OTHER.contains(&k.as_str())
                    && !SECTIONS.iter().any(|s| {
                        k.strip_prefix(&s.to_ascii_uppercase())
                            .is_some_and(|rest| rest.starts_with("__"))
                    })
            })
            .map(|k| format!("FERRY_{k}"))
            .collect()
    }
}
