//! Starting and stopping the emulator: SOAP, admin and DNS listeners on one background thread.

use std::{
    net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener},
    sync::{Arc, mpsc},
    thread::JoinHandle,
    time::Duration,
};

use actix_web::{App, HttpServer, web};
use tokio::sync::{Mutex, oneshot};

use crate::{
    admin,
    config::EmulatorConfig,
    dns_zone::DnsZone,
    error::EmulatorError,
    fault_injection::{FaultPlan, Faults},
    registry::DnsChange,
    soap_service::{self, AppState},
    store,
};

/// SOAP requests are small and the store is serialised anyway: two workers are plenty.
const WORKERS: usize = 2;

/// A running SML emulator. It stops on [`Emulator::shutdown`] or when dropped.
pub struct Emulator {
    soap_addr: SocketAddr,
    dns_addr: SocketAddr,
    admin_addr: SocketAddr,
    faults: Faults,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

struct Ready {
    soap_addr: SocketAddr,
    dns_addr: SocketAddr,
    admin_addr: SocketAddr,
    faults: Faults,
}

impl Emulator {
    /// Opens the state, binds every listener and starts serving on a background thread;
    /// returns once SOAP, admin and DNS (UDP and TCP) are all listening.
    ///
    /// # Errors
    ///
    /// [`EmulatorError`] if the database, TLS files, zone or a socket is unusable.
    pub fn start(config: EmulatorConfig) -> Result<Self, EmulatorError> {
        let (ready_tx, ready_rx) = mpsc::channel::<Result<Ready, EmulatorError>>();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("sml-emulator".to_owned())
            .spawn(move || {
                let system = actix_web::rt::System::new();
                system.block_on(run(config, ready_tx, stop_rx));
            })
            .map_err(|e| EmulatorError::Startup(e.to_string()))?;
        match ready_rx.recv() {
            Ok(Ok(ready)) => Ok(Self {
                soap_addr: ready.soap_addr,
                dns_addr: ready.dns_addr,
                admin_addr: ready.admin_addr,
                faults: ready.faults,
                stop: Some(stop_tx),
                thread: Some(thread),
            }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => {
                let _ = thread.join();
                Err(EmulatorError::Startup(
                    "the emulator thread ended before it was ready".to_owned(),
                ))
            }
        }
    }

    /// `https://IP:PORT`; the services are `{base}/manageservicemetadata`,
    /// `{base}/manageparticipantidentifier` and `{base}/bdmslservice` (any base path in front
    /// of those names is accepted too).
    pub fn soap_base_url(&self) -> String {
        format!("https://{}", self.soap_addr)
    }

    /// The DNS server (UDP and TCP on this address).
    pub fn dns_addr(&self) -> SocketAddr {
        self.dns_addr
    }

    /// The admin endpoint: plain http on a loopback port of its own (`POST/GET/DELETE /faults`,
    /// `GET /state`).
    pub fn admin_url(&self) -> String {
        format!("http://{}", self.admin_addr)
    }

    /// Merges `plan` into the active fault plan (same as `POST /faults`).
    pub fn set_faults(&self, plan: FaultPlan) {
        self.faults.merge(plan);
    }

    /// Clears every injected fault (same as `DELETE /faults`).
    pub fn clear_faults(&self) {
        self.faults.clear();
    }

    /// Stops all listeners and waits for the background thread.
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the sml-emulator thread panicked");
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop_now();
    }
}

async fn run(
    config: EmulatorConfig,
    ready_tx: mpsc::Sender<Result<Ready, EmulatorError>>,
    stop_rx: oneshot::Receiver<()>,
) {
    let started = match start_servers(config).await {
        Ok(s) => s,
        Err(e) => {
            let _ = ready_tx.send(Err(e));
            return;
        }
    };
    let Started {
        ready,
        soap,
        admin,
        mut dns,
    } = started;
    if ready_tx.send(Ok(ready)).is_err() {
        return;
    }
    // The sender is dropped with the Emulator, which also counts as "stop".
    let _ = stop_rx.await;
    soap.stop(false).await;
    admin.stop(false).await;
    dns.shutdown_token().cancel();
    let _ = tokio::time::timeout(Duration::from_secs(2), dns.block_until_done()).await;
}

struct Started {
    ready: Ready,
    soap: actix_web::dev::ServerHandle,
    admin: actix_web::dev::ServerHandle,
    dns: hickory_server::Server<hickory_server::zone_handler::Catalog>,
}

fn bind(what: &'static str, addr: SocketAddr) -> Result<(TcpListener, SocketAddr), EmulatorError> {
    let err = |source| EmulatorError::Bind { what, addr, source };
    let listener = TcpListener::bind(addr).map_err(err)?;
    let local = listener.local_addr().map_err(err)?;
    Ok((listener, local))
}

async fn start_servers(config: EmulatorConfig) -> Result<Started, EmulatorError> {
    let mut conn = store::open(&config.database)?;
    let zone = DnsZone::new(&config.zone)?;
    let registrations = store::all_registrations(&mut conn)?;
    let changes: Vec<DnsChange> = registrations
        .into_iter()
        .map(|(p, logical_address)| DnsChange::Set {
            scheme: p.scheme,
            value: p.value,
            logical_address,
        })
        .collect();
    zone.apply(&changes).await;

    let state = AppState {
        db: Arc::new(Mutex::new(conn)),
        zone: zone.clone(),
        zone_name: config.zone.trim_end_matches('.').to_owned(),
        faults: Faults::default(),
        page_size: config.list_page_size,
    };

    let acceptor =
        soap_service::tls_acceptor(&config.tls_certificate, &config.tls_key, &config.client_ca)?;
    let (soap_listener, soap_addr) = bind("soap", config.soap_bind)?;
    let soap_state = web::Data::new(state.clone());
    let soap = HttpServer::new(move || {
        App::new()
            .app_data(soap_state.clone())
            .configure(soap_service::configure)
    })
    .workers(WORKERS)
    .disable_signals()
    .shutdown_timeout(1)
    .on_connect(soap_service::on_connect)
    .listen_openssl(soap_listener, acceptor)
    .map_err(|source| EmulatorError::Bind {
        what: "soap",
        addr: soap_addr,
        source,
    })?
    .run();

    let admin_bind = if config.soap_bind.is_ipv6() {
        SocketAddr::from((Ipv6Addr::LOCALHOST, 0))
    } else {
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0))
    };
    let (admin_listener, admin_addr) = bind("admin", admin_bind)?;
    let admin_state = web::Data::new(state.clone());
    let admin = HttpServer::new(move || {
        App::new()
            .app_data(admin_state.clone())
            .configure(admin::configure)
    })
    .workers(1)
    .disable_signals()
    .shutdown_timeout(1)
    .listen(admin_listener)
    .map_err(|source| EmulatorError::Bind {
        what: "admin",
        addr: admin_addr,
        source,
    })?
    .run();

    let (dns, dns_addr) = zone.serve(config.dns_bind).await?;

    let soap_handle = soap.handle();
    let admin_handle = admin.handle();
    actix_web::rt::spawn(soap);
    actix_web::rt::spawn(admin);
    Ok(Started {
        ready: Ready {
            soap_addr,
            dns_addr,
            admin_addr,
            faults: state.faults,
        },
        soap: soap_handle,
        admin: admin_handle,
        dns,
    })
}
