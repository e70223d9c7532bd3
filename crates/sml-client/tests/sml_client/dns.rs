//! Real NAPTR lookups through hickory-resolver against a scripted UDP name server on
//! loopback: registered, NXDOMAIN, NODATA, SERVFAIL, silence, and non-https targets.

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use hickory_resolver::proto::op::{Message, MessageType, ResponseCode};
use hickory_resolver::proto::rr::rdata::NAPTR;
use hickory_resolver::proto::rr::{Name, RData, Record};
use peppol_id::ParticipantId;
use sml_client::{DnsAnswer, SmlDns, SmlError};

const ZONE: &str = "participant.sml.test.";

enum Answer {
    Naptr(Vec<(u16, u16, &'static str, &'static str, &'static str)>),
    NxDomain,
    NoData,
    ServFail,
    Silent,
}

struct NameServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl NameServer {
    /// Answers every query with `answer`, echoing the question.
    fn start(answer: Answer) -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let addr = socket.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while !stopped.load(Ordering::SeqCst) {
                let Ok((n, peer)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                let Ok(query) = Message::from_vec(&buf[..n]) else {
                    continue;
                };
                let mut reply = Message::response(query.metadata.id, query.metadata.op_code);
                reply.metadata.message_type = MessageType::Response;
                reply.metadata.authoritative = true;
                reply.metadata.recursion_desired = query.metadata.recursion_desired;
                reply.metadata.recursion_available = true;
                reply.add_queries(query.queries.clone());
                let name = query.queries[0].name().clone();
                match &answer {
                    Answer::Silent => continue,
                    Answer::NxDomain => reply.metadata.response_code = ResponseCode::NXDomain,
                    Answer::ServFail => reply.metadata.response_code = ResponseCode::ServFail,
                    Answer::NoData => {}
                    Answer::Naptr(records) => {
                        for (order, pref, flags, services, regexp) in records {
                            let rdata = NAPTR::new(
                                *order,
                                *pref,
                                flags.as_bytes().into(),
                                services.as_bytes().into(),
                                regexp.as_bytes().into(),
                                Name::root(),
                            );
                            reply.add_answer(Record::from_rdata(
                                name.clone(),
                                60,
                                RData::NAPTR(rdata),
                            ));
                        }
                    }
                }
                let _ = socket.send_to(&reply.to_vec().unwrap(), peer);
            }
        });
        Self { addr, stop }
    }

    fn dns(&self) -> SmlDns {
        SmlDns::new(ZONE, &[self.addr], Duration::from_millis(500)).unwrap()
    }
}

impl Drop for NameServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn participant() -> ParticipantId {
    ParticipantId::parse("iso6523-actorid-upis::0088:5798000000001").unwrap()
}

#[test]
fn registered_participant_resolves_to_the_best_https_record() {
    let ns = NameServer::start(Answer::Naptr(vec![
        (100, 20, "U", "Meta:SMP", "!.*!https://second.example/!"),
        (
            100,
            10,
            "U",
            "Meta:SMP",
            "!^.*$!https://smp.example.org/smp!",
        ),
        (10, 10, "U", "Meta:Other", "!.*!https://not-smp.example/!"),
    ]));
    assert_eq!(
        ns.dns().lookup(&participant()).unwrap(),
        DnsAnswer::Registered {
            smp_url: "https://smp.example.org/smp".into(),
            records: 2
        }
    );
}

#[test]
fn nxdomain_and_nodata_are_not_registered() {
    for answer in [Answer::NxDomain, Answer::NoData] {
        let ns = NameServer::start(answer);
        assert_eq!(
            ns.dns().lookup(&participant()).unwrap(),
            DnsAnswer::NotRegistered
        );
    }
    let ns = NameServer::start(Answer::Naptr(vec![(
        1,
        1,
        "U",
        "Meta:Other",
        "!.*!https://x/!",
    )]));
    assert_eq!(
        ns.dns().lookup(&participant()).unwrap(),
        DnsAnswer::NotRegistered
    );
}

#[test]
fn servfail_and_silence_are_lookup_failures() {
    for answer in [Answer::ServFail, Answer::Silent] {
        let ns = NameServer::start(answer);
        match ns.dns().lookup(&participant()) {
            Err(SmlError::DnsLookupFailed { name, .. }) => {
                assert!(
                    name.ends_with(".iso6523-actorid-upis.participant.sml.test."),
                    "{name}"
                );
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn http_targets_only_when_allowed() {
    let ns = NameServer::start(Answer::Naptr(vec![(
        1,
        1,
        "U",
        "Meta:SMP",
        "!.*!http://127.0.0.1:8080/!",
    )]));
    assert!(matches!(
        ns.dns().lookup(&participant()),
        Err(SmlError::DnsNoHttpsTarget { .. })
    ));
    assert_eq!(
        ns.dns().allow_http(true).lookup(&participant()).unwrap(),
        DnsAnswer::Registered {
            smp_url: "http://127.0.0.1:8080/".into(),
            records: 1
        }
    );
}

#[test]
fn answers_are_not_cached() {
    // Two lookups on one resolver both reach the server (a migration must show at once).
    let ns = NameServer::start(Answer::NxDomain);
    let dns = ns.dns();
    assert_eq!(
        dns.lookup(&participant()).unwrap(),
        DnsAnswer::NotRegistered
    );
    drop(ns);
    thread::sleep(Duration::from_millis(200));
    assert!(
        dns.lookup(&participant()).is_err(),
        "the second answer came from a cache"
    );
}

#[test]
fn works_inside_another_runtime_without_a_panic() {
    let ns = NameServer::start(Answer::NxDomain);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        // Built, used and dropped inside an async context: the lookup runs on a thread
        // of its own, and gives the real answer.
        let dns = ns.dns();
        assert_eq!(
            dns.lookup(&participant()).ok(),
            Some(DnsAnswer::NotRegistered)
        );
    });
}
