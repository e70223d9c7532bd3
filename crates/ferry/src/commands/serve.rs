//! `ferry serve`.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use std::sync::Arc;

use party_config::{ApTrust, Parking, ParkingEnvironment, ParkingLimits};
use smp_core::SmlRegistry;
use smp_core::workers::{Supervisor, WorkerIntervals, start_core_workers};
use smp_server::{ServerSettings, TlsFiles};

use crate::error::CliError;
use ferry_config::{Config, SmlMode};

pub(crate) fn run(config: &Config) -> Result<(), CliError> {
    let tls = (!config.server.tls_certificate.is_empty()).then(|| TlsFiles {
        certificate: PathBuf::from(&config.server.tls_certificate),
        key: PathBuf::from(&config.server.tls_key),
    });
    let bound = smp_server::bind(&config.server.bind, tls.as_ref()).map_err(|e| {
        CliError::Startup(format!(
            "cannot listen on {} (server.bind): {e}",
            config.server.bind
        ))
    })?;
    let public_url = if config.server.public_url.is_empty() {
        bound.url.clone()
    } else {
        config.server.public_url.clone()
    };
    let sml = super::sml_setup::start(config)?;
    let parking = parking(config)?;
    let handover = super::open_domain_with(
        config,
        &public_url,
        sml.as_ref()
            .map(|side| side.registry.clone() as Arc<dyn SmlRegistry>),
    )?;
    let domain = Arc::new(match &parking {
        Some((desk, _)) => handover.with_parking(Arc::clone(desk)),
        None => handover,
    });
    if let Some(side) = &sml
        && config.sml.mode == SmlMode::Emulator
    {
        super::sml_setup::ensure_smp_entry(side, config, &public_url)?;
    }
    // Only `serve` syncs the bootstrap token: the configuration is the whole truth, so an
    // empty `admin_token` removes the token an earlier start installed. CLI commands act
    // through `unchecked_local_admin`, which leaves it alone.
    let token = (!config.admin_token.trim().is_empty()).then_some(config.admin_token.as_str());
    match token {
        Some(ferry_config::DEV_ADMIN_TOKEN) => {
            tracing::warn!("using the development admin token; set FERRY_ADMIN_TOKEN in production")
        }
        Some(_) => {}
        None => tracing::info!("admin_token is empty: no bootstrap token is valid"),
    }
    domain
        .core()
        .users()
        .bootstrap_admin(token)
        .map_err(|e| CliError::Startup(format!("bootstrap admin: {e}")))?;

    let settings = ServerSettings {
        base_path: config.server.base_path.clone(),
        workers: config.server.workers,
        max_body_bytes: config.server.max_body_bytes,
    };
    let supervisor = Supervisor::new();
    let sml_interval = Duration::from_millis(config.sml.worker_interval_ms.max(50));
    start_core_workers(
        domain.core(),
        &supervisor,
        WorkerIntervals {
            change_poll: Duration::from_millis(config.cache.poll_interval_ms),
            sml_jobs: sml_interval,
        },
    );
    // Migrations move at the SML worker's pace; `migration.check_interval_ms` spaces the
    // checks of each open migration.
    domain.start_workers(&supervisor, sml_interval);
    tracing::info!(url = %bound.url, public_url = %public_url, database = %redact(&config.database.url), "ferry listening");
    // Tests and scripts wait for this exact line (see README: "Running").
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "ferry listening on {}", bound.url);
    if let Some(emulator) = sml.as_ref().and_then(|side| side.emulator()) {
        let _ = writeln!(
            stdout,
            "ferry sml-emulator soap={} dns={} admin={}",
            emulator.soap_base_url(),
            emulator.dns_addr(),
            emulator.admin_url()
        );
    }
    if let Some((_, bound)) = &parking {
        let _ = writeln!(stdout, "ferry parking listening on {}", bound.url);
    }
    let _ = stdout.flush();

    let runtime = actix_web::rt::System::new();
    let parking_bound = parking.map(|(_, bound)| bound);
    let result = runtime.block_on(smp_server::run(
        bound,
        parking_bound,
        settings,
        domain,
        supervisor.clone(),
    ));
    supervisor.stop();
    drop(sml);
    result.map_err(|e| CliError::Startup(format!("server: {e}")))
}

/// The parking desk and its bound listener, when `[parking]` is enabled.
fn parking(config: &Config) -> Result<Option<(Arc<Parking>, smp_server::Bound)>, CliError> {
    let p = &config.parking;
    if !p.enabled {
        return Ok(None);
    }
    let environment = ParkingEnvironment::parse(&p.environment).ok_or_else(|| {
        CliError::Startup("parking.environment must be `test` or `production`".into())
    })?;
    let trust = ApTrust::from_pem_file(
        std::path::Path::new(&p.trust_store),
        &p.ap_ca_names,
        environment,
    )
    .map_err(|e| CliError::Startup(format!("parking.trust_store {e}")))?;
    let crl_files: Vec<PathBuf> = p.crl_files.iter().map(PathBuf::from).collect();
    let trust = trust
        .with_crl_files(&crl_files)
        .map_err(|e| CliError::Startup(format!("parking.crl_files {e}")))?;
    let limits = ParkingLimits {
        daily_quota: p.daily_quota,
        per_ip_per_minute: p.per_ip_per_minute,
        global_per_minute: p.global_per_minute,
    };
    let tls = TlsFiles {
        certificate: PathBuf::from(&p.tls_certificate),
        key: PathBuf::from(&p.tls_key),
    };
    let bound = smp_server::bind_parking(&p.bind, &tls).map_err(|e| {
        CliError::Startup(format!("cannot listen on {} (parking.bind): {e}", p.bind))
    })?;
    tracing::info!(url = %bound.url, environment = %p.environment, "parking SMP token listener");
    let desk = Parking::new(trust, limits).with_audit_retention_days(p.audit_retention_days);
    Ok(Some((Arc::new(desk), bound)))
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
            None => url.to_owned(),
        },
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(
            super::redact("sqlite://data/ferry.db"),
            "sqlite://data/ferry.db"
        );
    }
}
