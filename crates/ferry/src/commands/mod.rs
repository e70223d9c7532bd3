//! One module per subcommand; this one builds what they share.

pub(crate) mod identifiers;
pub(crate) mod lookup;
pub(crate) mod migrate;
pub(crate) mod parked;
pub(crate) mod participants;
pub(crate) mod serve;
pub(crate) mod sml;
pub(crate) mod sml_setup;

use std::sync::Arc;

use party_config::{Handover, HandoverConfig};
use smp_core::{Core, CoreConfig};
use smp_store::Store;
use smp_xml::SigningKey;

use crate::error::CliError;
use ferry_config::Config;

/// Opens the database (running migrations), loads the signing key, and builds the core
/// with the handover services on top.
pub(crate) fn open_domain(config: &Config, public_url: &str) -> Result<Arc<Handover>, CliError> {
    open_domain_with(config, public_url, None).map(Arc::new)
}

/// [`open_domain`] with the SML that registration jobs and migrations use.
pub(crate) fn open_domain_with(
    config: &Config,
    public_url: &str,
    sml: Option<Arc<dyn smp_core::SmlRegistry>>,
) -> Result<Handover, CliError> {
    let store = Store::open(&config.database.url, config.database.max_connections)
        .map_err(|e| CliError::Startup(format!("database.url: {e}")))?;
    // A missing key file is created only where no sealed key depends on it and no other
    // node could hold another one: a node whose secret mount failed must not start sealing
    // with a key of its own.
    let may_create_key_file = if config.sml.mode.is_peppol_network() {
        Err(
            "on a Peppol network the key file is never created implicitly (every node must share one)",
        )
    } else if store
        .read(smp_store::migrations::has_sealed_keys)
        .map_err(|e| CliError::Startup(format!("database.url: {e}")))?
    {
        Err("the database holds migration keys sealed with it")
    } else {
        Ok(())
    };
    let cert = std::fs::read(&config.signing.certificate).map_err(|e| {
        CliError::Startup(format!(
            "signing.certificate {}: {e}",
            config.signing.certificate.display()
        ))
    })?;
    let key = std::fs::read(&config.signing.key).map_err(|e| {
        CliError::Startup(format!("signing.key {}: {e}", config.signing.key.display()))
    })?;
    let signer = SigningKey::from_pem(&cert, &key)
        .map_err(|e| CliError::Startup(format!("signing key: {e}")))?;
    let core = Core::new(
        store,
        signer,
        &CoreConfig {
            public_url: public_url.to_owned(),
            base_path: config.server.base_path.clone(),
            cache_enabled: config.cache.enabled,
            cache_max_entries: config.cache.max_entries,
            max_document_bytes: config.server.max_body_bytes,
            sml_enabled: config.sml.mode.is_on(),
            policy: config
                .registration_policy()
                .map_err(|e| CliError::Startup(e.to_string()))?,
            event_retention_ms: i64::from(config.events.retention_days) * 24 * 3600 * 1000,
        },
    );
    // One sealing key for every secret at rest: migration keys and webhook secrets.
    let sealer = load_key_sealer(&config.migration.key_file, may_create_key_file)?;
    let core = core.with_key_sealer(sealer.clone());
    let core = match sml {
        Some(sml) => core.with_sml(sml),
        None => core,
    };
    let handover = Handover::new(
        Arc::new(core),
        &HandoverConfig {
            migration_check_ms: i64::try_from(config.migration.check_interval_ms)
                .unwrap_or(i64::MAX),
            migration_grace_ms: i64::try_from(config.migration.cleanup_grace_ms)
                .unwrap_or(i64::MAX),
            foreign_fetch: foreign_fetch_policy(config),
        },
    )
    .with_key_sealer(sealer);
    Ok(handover)
}

/// Limits on requests to other SMPs (lookups, current-AP detection): strict on a Peppol
/// network; http and private addresses allowed where the SMPs are local test servers
/// (`sml.mode = "emulator"` or `sml.allow_http`).
pub(crate) fn foreign_fetch_policy(config: &Config) -> smp_client::FetchPolicy {
    let local = config.sml.mode.allows_http() || config.sml.allow_http;
    smp_client::FetchPolicy {
        allow_http: local,
        allow_private_networks: local,
        ..smp_client::FetchPolicy::strict()
    }
}

/// Reads the migration-key sealing key, creating the file (mode 0600) when it is missing
/// and `may_create` allows it (else the reason it does not is the error).
/// Creation is race-free: the key is written to a temporary file and linked into place,
/// which fails if another process got there first; then that process's key is read.
fn load_key_sealer(
    path: &std::path::Path,
    may_create: Result<(), &str>,
) -> Result<party_config::KeySealer, CliError> {
    let startup =
        |what: String| CliError::Startup(format!("migration.key_file {}: {what}", path.display()));
    if !path.exists() {
        if let Err(why) = may_create {
            return Err(startup(format!(
                "the file is missing, and {why}; restore the file every node shares (FERRY_MIGRATION__KEY_FILE), or create one before the first start: head -c 32 /dev/urandom | base64 > FILE; chmod 600 FILE"
            )));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| startup(e.to_string()))?;
        }
        let text = party_config::KeySealer::generate_key_text().map_err(startup)?;
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        write_private(&tmp, format!("{text}\n").as_bytes()).map_err(|e| startup(e.to_string()))?;
        let linked = std::fs::hard_link(&tmp, path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => {
                tracing::info!(path = %path.display(), "created the migration-key sealing key")
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(startup(e.to_string())),
        }
    }
    let text = std::fs::read_to_string(path).map_err(|e| startup(e.to_string()))?;
    party_config::KeySealer::from_key_text(&text).map_err(startup)
}

fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// The public URL used in published documents when the server is not running (CLI writes):
/// the configured one, else the default bind address.
pub(crate) fn offline_public_url(config: &Config) -> String {
    if config.server.public_url.is_empty() {
        let scheme = if config.server.tls_certificate.is_empty() {
            "http"
        } else {
            "https"
        };
        format!("{scheme}://{}", config.server.bind)
    } else {
        config.server.public_url.clone()
    }
}
