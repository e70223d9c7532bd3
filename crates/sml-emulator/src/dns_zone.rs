//! The authoritative zone: one NAPTR per registered participant, changed at run time.

use std::{collections::BTreeMap, net::SocketAddr, sync::Arc, time::Duration};

use hickory_proto::rr::{
    LowerName, Name, RData, Record, RecordSet, RecordType, RrKey,
    rdata::{NAPTR, NS, SOA},
};
use hickory_server::{
    Server,
    store::in_memory::InMemoryZoneHandler,
    zone_handler::{AxfrPolicy, Catalog, ZoneType},
};
use tokio::net::{TcpListener, UdpSocket};

use crate::{error::EmulatorError, registry::DnsChange};

/// Short TTL: tests and `ferry` poll DNS right after a change.
const TTL: u32 = 60;
/// How often to try for a port free on both UDP and TCP when port 0 is asked for.
const PORT_ATTEMPTS: usize = 20;

/// The zone contents, shared between the DNS server and the SOAP handlers.
#[derive(Clone)]
pub(crate) struct DnsZone {
    origin: Name,
    zone_text: String,
    handler: Arc<InMemoryZoneHandler>,
}

impl DnsZone {
    pub(crate) fn new(zone: &str) -> Result<Self, EmulatorError> {
        let zone_err = |message: String| EmulatorError::Zone {
            zone: zone.to_owned(),
            message,
        };
        let mut origin = Name::from_ascii(zone).map_err(|e| zone_err(e.to_string()))?;
        origin.set_fqdn(true);
        if origin.is_root() {
            return Err(zone_err("the root zone cannot be served".to_owned()));
        }
        let ns = Name::from_ascii("ns")
            .and_then(|n| n.append_domain(&origin))
            .map_err(|e| zone_err(e.to_string()))?;
        let hostmaster = Name::from_ascii("hostmaster")
            .and_then(|n| n.append_domain(&origin))
            .map_err(|e| zone_err(e.to_string()))?;
        let soa = Record::from_rdata(
            origin.clone(),
            TTL,
            RData::SOA(SOA::new(ns.clone(), hostmaster, 1, 3600, 600, 86400, TTL)),
        );
        let ns_record = Record::from_rdata(origin.clone(), TTL, RData::NS(NS(ns)));
        let mut records = BTreeMap::new();
        records.insert(
            RrKey::new(LowerName::new(&origin), RecordType::SOA),
            RecordSet::from(soa),
        );
        records.insert(
            RrKey::new(LowerName::new(&origin), RecordType::NS),
            RecordSet::from(ns_record),
        );
        let handler =
            InMemoryZoneHandler::new(origin.clone(), records, ZoneType::Primary, AxfrPolicy::Deny)
                .map_err(zone_err)?;
        let zone_text = origin.to_ascii();
        Ok(Self {
            origin,
            zone_text,
            handler: Arc::new(handler),
        })
    }

    fn name_of(&self, scheme: &str, value: &str) -> Option<Name> {
        let fqdn = peppol_id::sml_dns_name(scheme, value, &self.zone_text);
        match Name::from_ascii(&fqdn) {
            Ok(name) => Some(name),
            Err(e) => {
                // Cannot happen for a hash label under a valid zone; logged rather than panicking.
                tracing::error!(%fqdn, error = %e, "participant DNS name refused");
                None
            }
        }
    }

    /// Applies changes under one write lock, so a query sees all of them or none.
    pub(crate) async fn apply(&self, changes: &[DnsChange]) {
        if changes.is_empty() {
            return;
        }
        let mut records = self.handler.records_mut().await;
        for change in changes {
            match change {
                DnsChange::Set {
                    scheme,
                    value,
                    logical_address,
                } => {
                    let Some(name) = self.name_of(scheme, value) else {
                        continue;
                    };
                    let regexp = format!("!.*!{logical_address}!");
                    let naptr = NAPTR::new(
                        100,
                        10,
                        b"U".to_vec().into_boxed_slice(),
                        b"Meta:SMP".to_vec().into_boxed_slice(),
                        regexp.into_bytes().into_boxed_slice(),
                        Name::root(),
                    );
                    let record = Record::from_rdata(name.clone(), TTL, RData::NAPTR(naptr));
                    records.insert(
                        RrKey::new(LowerName::new(&name), RecordType::NAPTR),
                        Arc::new(RecordSet::from(record)),
                    );
                }
                DnsChange::Remove { scheme, value } => {
                    if let Some(name) = self.name_of(scheme, value) {
                        records.remove(&RrKey::new(LowerName::new(&name), RecordType::NAPTR));
                    }
                }
            }
        }
    }

    /// Binds UDP and TCP on the same port and starts serving on the current tokio runtime.
    pub(crate) async fn serve(
        &self,
        bind: SocketAddr,
    ) -> Result<(Server<Catalog>, SocketAddr), EmulatorError> {
        let (udp, tcp) = bind_pair(bind).await?;
        let addr = udp.local_addr().map_err(|source| EmulatorError::Bind {
            what: "dns udp",
            addr: bind,
            source,
        })?;
        let mut catalog = Catalog::new();
        catalog.upsert(LowerName::new(&self.origin), vec![self.handler.clone()]);
        let mut server = Server::new(catalog);
        server.register_socket(udp);
        server.register_listener(tcp, Duration::from_secs(10), 64 * 1024);
        Ok((server, addr))
    }
}

async fn bind_pair(bind: SocketAddr) -> Result<(UdpSocket, TcpListener), EmulatorError> {
    let attempts = if bind.port() == 0 { PORT_ATTEMPTS } else { 1 };
    let mut last = None;
    for _ in 0..attempts {
        let udp = UdpSocket::bind(bind)
            .await
            .map_err(|source| EmulatorError::Bind {
                what: "dns udp",
                addr: bind,
                source,
            })?;
        let port_addr = udp.local_addr().map_err(|source| EmulatorError::Bind {
            what: "dns udp",
            addr: bind,
            source,
        })?;
        match TcpListener::bind(port_addr).await {
            Ok(tcp) => return Ok((udp, tcp)),
            // The UDP port's TCP twin is taken: try another free UDP port.
            Err(source) => {
                last = Some(EmulatorError::Bind {
                    what: "dns tcp",
                    addr: port_addr,
                    source,
                });
            }
        }
    }
    Err(last.unwrap_or_else(|| EmulatorError::Startup("no DNS port found".to_owned())))
}
