use std::{
    net::{Ipv4Addr, SocketAddr},
    path::{Path, PathBuf},
};

/// Page size of the participant List operation when nothing else is configured (as in BDMSL).
pub const DEFAULT_LIST_PAGE_SIZE: usize = 100;

/// Everything the emulator needs to start.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Address of the SOAP (https) listener; port 0 picks a free port.
    pub soap_bind: SocketAddr,
    /// Address of the DNS listener, UDP and TCP on the same port; port 0 picks one free for both.
    pub dns_bind: SocketAddr,
    /// The zone the DNS server is authoritative for, e.g. `sml.ferry.test.`.
    pub zone: String,
    /// PEM server certificate of the SOAP listener.
    pub tls_certificate: PathBuf,
    /// PEM private key of the SOAP listener.
    pub tls_key: PathBuf,
    /// PEM certificates client certificates must chain to (roots, optionally intermediates).
    pub client_ca: PathBuf,
    /// SQLite file holding the state; `:memory:` for a throwaway emulator.
    pub database: PathBuf,
    /// Participants per List page.
    pub list_page_size: usize,
}

impl EmulatorConfig {
    /// Loopback-only configuration on free ports using the test PKI in `certs_dir`
    /// (`certs-test/`): `sml/sml.*` as server identity, `root/root-ca.crt.pem` as client CA,
    /// zone `sml.ferry.test.`.
    pub fn loopback(certs_dir: &Path, database: PathBuf) -> Self {
        let any = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        Self {
            soap_bind: any,
            dns_bind: any,
            zone: "sml.ferry.test.".to_owned(),
            tls_certificate: certs_dir.join("sml/sml.crt.pem"),
            tls_key: certs_dir.join("sml/sml.key.pem"),
            client_ca: certs_dir.join("root/root-ca.crt.pem"),
            database,
            list_page_size: DEFAULT_LIST_PAGE_SIZE,
        }
    }
}
