//! Real HTTPS round trips: a scripted SML on a loopback port (std TcpListener + an OpenSSL
//! acceptor that requires a client certificate from the test root) and the real client.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use openssl::nid::Nid;
use openssl::ssl::{SslAcceptor, SslFiletype, SslMethod, SslVerifyMode};
use peppol_id::ParticipantId;
use sml_client::soap::{self, Operation};
use sml_client::{
    ClientIdentity, FaultKind, MigrationKey, SmlClient, SmlClientConfig, SmlError, SmpEntry,
};

use crate::support::{cert_file, certs};

const EMPTY: &str = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>"#;
const READ: &str = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header/><soapenv:Body><ServiceMetadataPublisherService xmlns="http://busdox.org/serviceMetadata/locator/1.0/"><PublisherEndpoint><LogicalAddress>https://smp.example.org/smp</LogicalAddress><PhysicalAddress>1.1.1.1</PhysicalAddress></PublisherEndpoint><ServiceMetadataPublisherID>FERRY-TEST-SMP</ServiceMetadataPublisherID></ServiceMetadataPublisherService></soapenv:Body></soapenv:Envelope>"#;
const PAGE_1: &str = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><ParticipantIdentifierPage xmlns="http://busdox.org/serviceMetadata/locator/1.0/" xmlns:ns2="http://busdox.org/transport/identifiers/1.0/"><ns2:ParticipantIdentifier scheme="iso6523-actorid-upis">0088:5798000000001</ns2:ParticipantIdentifier><ns2:ParticipantIdentifier scheme="iso6523-actorid-upis">9915:test</ns2:ParticipantIdentifier><ServiceMetadataPublisherID>FERRY-TEST-SMP</ServiceMetadataPublisherID><NextPageIdentifier>3</NextPageIdentifier></ParticipantIdentifierPage></soapenv:Body></soapenv:Envelope>"#;
const PAGE_2: &str = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><ParticipantIdentifierPage xmlns="http://busdox.org/serviceMetadata/locator/1.0/" xmlns:ns2="http://busdox.org/transport/identifiers/1.0/"><ns2:ParticipantIdentifier scheme="iso6523-actorid-upis">9915:other</ns2:ParticipantIdentifier><ServiceMetadataPublisherID>FERRY-TEST-SMP</ServiceMetadataPublisherID></ParticipantIdentifierPage></soapenv:Body></soapenv:Envelope>"#;
const EXISTS: &str = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><ExistsParticipantResponse xmlns="ec:services:wsdl:BDMSL:data:1.0" xmlns:ids="http://busdox.org/transport/identifiers/1.0/" xmlns:lrs="http://busdox.org/serviceMetadata/locator/1.0/"><ids:ParticipantIdentifier scheme="iso6523-actorid-upis">0088:5798000000001</ids:ParticipantIdentifier><lrs:ServiceMetadataPublisherID>FERRY-TEST-SMP</lrs:ServiceMetadataPublisherID><Exist>false</Exist></ExistsParticipantResponse></soapenv:Body></soapenv:Envelope>"#;
const DUPLICATE: &str = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>[ERR-106] The participant identifier [0088:5798000000001] with scheme: [iso6523-actorid-upis] already exist [765FB6100C6D61D50A1DB2471DBF9D7E]</faultstring><detail><BadRequestFault xmlns="http://busdox.org/serviceMetadata/locator/1.0/"><FaultMessage>[ERR-106] The participant identifier [0088:5798000000001] with scheme: [iso6523-actorid-upis] already exist</FaultMessage></BadRequestFault></detail></soap:Fault></soap:Body></soap:Envelope>"#;

/// What the scripted SML saw.
#[derive(Debug, Clone)]
struct Recorded {
    path: String,
    soap_action: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
    client_cn: Option<String>,
}

enum Reply {
    Respond(u16, String),
    /// Read the request, then close the connection without answering.
    Close,
    /// Read the request and answer only after this long.
    Late(Duration),
}

type Script = dyn Fn(&Recorded, usize) -> Reply + Send + Sync;

struct TestSml {
    addr: SocketAddr,
    recorded: Arc<Mutex<Vec<Recorded>>>,
    handshake_failures: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl TestSml {
    fn start(script: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static) -> Self {
        let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).unwrap();
        acceptor
            .set_certificate_chain_file(certs().join("tls/localhost.crt.pem"))
            .unwrap();
        acceptor
            .set_private_key_file(certs().join("tls/localhost.key.pem"), SslFiletype::PEM)
            .unwrap();
        acceptor
            .set_ca_file(certs().join("root/root-ca.crt.pem"))
            .unwrap();
        acceptor.set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
        let acceptor = Arc::new(acceptor.build());

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let recorded = Arc::new(Mutex::new(Vec::new()));
        let handshake_failures = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let script: Arc<Script> = Arc::new(script);
        {
            let (recorded, failures, stop) =
                (recorded.clone(), handshake_failures.clone(), stop.clone());
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (acceptor, recorded, failures, script) = (
                        acceptor.clone(),
                        recorded.clone(),
                        failures.clone(),
                        script.clone(),
                    );
                    thread::spawn(move || {
                        serve(&acceptor, stream, &recorded, &failures, &*script);
                    });
                }
            });
        }
        Self {
            addr,
            recorded,
            handshake_failures,
            stop,
        }
    }

    fn base_url(&self) -> String {
        format!("https://127.0.0.1:{}/edelivery-sml/", self.addr.port())
    }

    fn recorded(&self) -> Vec<Recorded> {
        self.recorded.lock().unwrap().clone()
    }
}

impl Drop for TestSml {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

fn serve(
    acceptor: &SslAcceptor,
    stream: TcpStream,
    recorded: &Mutex<Vec<Recorded>>,
    failures: &Mutex<Vec<String>>,
    script: &Script,
) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut tls = match acceptor.accept(stream) {
        Ok(tls) => tls,
        Err(e) => {
            failures.lock().unwrap().push(e.to_string());
            return;
        }
    };
    let client_cn = tls.ssl().peer_certificate().and_then(|c| {
        c.subject_name()
            .entries_by_nid(Nid::COMMONNAME)
            .next()
            .map(|e| e.data().to_string().unwrap())
    });
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match tls.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default().to_owned();
    let header = |name: &str| {
        head.split("\r\n").skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    };
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < header_end + length {
        match tls.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let request = Recorded {
        path: request_line
            .split(' ')
            .nth(1)
            .unwrap_or_default()
            .to_owned(),
        soap_action: header("soapaction"),
        content_type: header("content-type"),
        body: buf[header_end..header_end + length].to_vec(),
        client_cn,
    };
    let index = {
        let mut all = recorded.lock().unwrap();
        all.push(request.clone());
        all.len() - 1
    };
    let (status, body) = match script(&request, index) {
        Reply::Respond(status, body) => (status, body),
        Reply::Close => {
            let _ = tls.shutdown();
            return;
        }
        Reply::Late(delay) => {
            thread::sleep(delay);
            (200, EMPTY.to_owned())
        }
    };
    let response = format!(
        "HTTP/1.1 {status} Whatever\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tls.write_all(response.as_bytes());
    let _ = tls.flush();
    let _ = tls.shutdown();
}

fn pem_identity() -> ClientIdentity {
    ClientIdentity::Pem {
        certificate: cert_file("smp/smp-chain.pem"),
        key: cert_file("smp/smp.key.pem"),
    }
}

fn config(sml: &TestSml, identity: ClientIdentity) -> SmlClientConfig {
    let mut c = SmlClientConfig::new(sml.base_url(), identity);
    c.trusted_roots_pem = Some(cert_file("root/root-ca.crt.pem"));
    c.timeout = Duration::from_secs(10);
    c.connect_timeout = Duration::from_secs(5);
    c
}

fn participant(s: &str) -> ParticipantId {
    ParticipantId::parse(s).unwrap()
}

/// Answers like the SML would for a happy path, by SOAPAction.
fn happy(request: &Recorded, _: usize) -> Reply {
    let action = request.soap_action.clone().unwrap_or_default();
    let body = if action.ends_with(":readIn\"") {
        READ
    } else if action.ends_with(":listIn\"") {
        if String::from_utf8_lossy(&request.body).contains("<lrs:NextPageIdentifier>3<") {
            PAGE_2
        } else {
            PAGE_1
        }
    } else if action.ends_with(":existsParticipantIdentifierIn\"") {
        EXISTS
    } else {
        EMPTY
    };
    Reply::Respond(200, body.to_owned())
}

#[test]
fn every_operation_over_mutual_tls() {
    let sml = TestSml::start(happy);
    let client = SmlClient::new(&config(&sml, pem_identity())).unwrap();
    let smp = "FERRY-TEST-SMP";
    let entry = SmpEntry {
        smp_id: smp.into(),
        logical_address: "https://smp.example.org/smp".into(),
        physical_address: "1.1.1.1".into(),
    };
    let p = participant("iso6523-actorid-upis::0088:5798000000001");
    let q = participant("iso6523-actorid-upis::9915:test");
    let key = MigrationKey::generate();
    let cert = cert_file("smp/smp2.crt.pem");

    client.is_alive().unwrap();
    client.create_smp(&entry).unwrap();
    assert_eq!(client.read_smp(smp).unwrap(), entry);
    client.update_smp(&entry).unwrap();
    client.create_participant(smp, &p).unwrap();
    client
        .create_participants(smp, &[p.clone(), q.clone()])
        .unwrap();
    let listed = client.list_participants(smp).unwrap();
    assert_eq!(
        listed,
        vec![
            p.clone(),
            q.clone(),
            participant("iso6523-actorid-upis::9915:other")
        ]
    );
    assert!(!client.exists_participant(smp, &p).unwrap());
    client.prepare_to_migrate(smp, &p, &key).unwrap();
    client.migrate(smp, &p, &key).unwrap();
    client.delete_participant(smp, &p).unwrap();
    client
        .delete_participants(smp, &[p.clone(), q.clone()])
        .unwrap();
    client
        .prepare_change_certificate(&cert, Some("2027-01-15"))
        .unwrap();
    client.delete_smp(smp).unwrap();
    // Empty lists send nothing.
    client.create_participants(smp, &[]).unwrap();
    client.delete_participants(smp, &[]).unwrap();

    let expected = [
        soap::is_alive_request(),
        soap::create_smp_request(&entry).unwrap(),
        soap::read_smp_request(smp).unwrap(),
        soap::update_smp_request(&entry).unwrap(),
        soap::create_participant_request(smp, &p).unwrap(),
        soap::create_participants_request(smp, &[p.clone(), q.clone()]).unwrap(),
        soap::list_participants_request(smp, None).unwrap(),
        soap::list_participants_request(smp, Some("3")).unwrap(),
        soap::exists_participant_request(smp, &p).unwrap(),
        soap::prepare_to_migrate_request(smp, &p, &key).unwrap(),
        soap::migrate_request(smp, &p, &key).unwrap(),
        soap::delete_participant_request(smp, &p).unwrap(),
        soap::delete_participants_request(smp, &[p.clone(), q]).unwrap(),
        soap::prepare_change_certificate_request(&cert, Some("2027-01-15")).unwrap(),
        soap::delete_smp_request(smp).unwrap(),
    ];
    let seen = sml.recorded();
    assert_eq!(seen.len(), expected.len());
    let mut operations: Vec<Operation> = expected.iter().map(|r| r.operation).collect();
    operations.sort_by_key(|o| format!("{o:?}"));
    operations.dedup();
    assert_eq!(
        operations.len(),
        Operation::ALL.len(),
        "every operation went over the wire"
    );
    for (got, want) in seen.iter().zip(&expected) {
        let op = want.operation;
        assert_eq!(
            got.path,
            format!("/edelivery-sml/{}", op.service().path()),
            "{op:?}"
        );
        assert_eq!(
            got.soap_action.as_deref(),
            Some(op.soap_action_header().as_str()),
            "{op:?}"
        );
        assert_eq!(
            got.content_type.as_deref(),
            Some("text/xml; charset=utf-8"),
            "{op:?}"
        );
        assert_eq!(got.body, want.envelope, "{op:?}");
        assert_eq!(got.client_cn.as_deref(), Some("FERRY-TEST-SMP"), "{op:?}");
    }
    // The nine spaces survive the HTTP stack.
    assert_eq!(
        seen[4].soap_action.as_deref(),
        Some(
            "\"http://busdox.org/serviceMetadata/ManageBusinessIdentifierService/1.0/         :createIn\""
        )
    );
}

#[test]
fn pkcs12_identity() {
    let sml = TestSml::start(happy);
    let identity = ClientIdentity::Pkcs12 {
        der: cert_file("smp/smp.p12"),
        password: "changeit".into(),
    };
    let client = SmlClient::new(&config(&sml, identity)).unwrap();
    client.is_alive().unwrap();
    let seen = sml.recorded();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].client_cn.as_deref(), Some("FERRY-TEST-SMP"));
    assert_eq!(
        seen[0].soap_action.as_deref(),
        Some("\"ec:services:wsdl:BDMSL:1.0:isAliveIn\"")
    );
}

#[test]
fn fault_at_http_400() {
    let sml = TestSml::start(|_, _| Reply::Respond(400, DUPLICATE.to_owned()));
    let client = SmlClient::new(&config(&sml, pem_identity())).unwrap();
    let p = participant("iso6523-actorid-upis::0088:5798000000001");
    let err = client.create_participant("FERRY-TEST-SMP", &p).unwrap_err();
    match &err {
        SmlError::Fault {
            kind,
            code,
            message,
            http_status,
        } => {
            assert_eq!(*kind, FaultKind::BadRequest);
            assert_eq!(*code, Some(106));
            assert_eq!(*http_status, 400);
            assert!(message.ends_with("already exist"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.is_already_exists());
    assert!(!err.is_retryable());
    assert_eq!(err.code(), "sml.err_106");
}

#[test]
fn gateway_error_page_is_a_retryable_protocol_error() {
    let sml = TestSml::start(|_, _| Reply::Respond(503, "<html>maintenance</html>".to_owned()));
    let client = SmlClient::new(&config(&sml, pem_identity())).unwrap();
    let err = client.is_alive().unwrap_err();
    assert!(
        matches!(
            err,
            SmlError::Protocol {
                http_status: 503,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
}

/// Found by bench/soak: an HTTP 500 with no SOAP fault in the body (the emulator's
/// `http_error` fault, or a proxy in front of the SML) was a non-retryable protocol error,
/// so a queued SML delete failed for good and the participant stayed at the SML.
#[test]
fn internal_server_error_without_fault_is_retryable() {
    let sml = TestSml::start(|_, _| Reply::Respond(500, String::new()));
    let client = SmlClient::new(&config(&sml, pem_identity())).unwrap();
    let p = participant("iso6523-actorid-upis::0088:5798000000001");
    let err = client.delete_participant("FERRY-TEST-SMP", &p).unwrap_err();
    assert!(
        matches!(
            err,
            SmlError::Protocol {
                http_status: 500,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
}

#[test]
fn closed_connection_may_have_been_applied() {
    let sml = TestSml::start(|_, _| Reply::Close);
    let client = SmlClient::new(&config(&sml, pem_identity())).unwrap();
    let p = participant("iso6523-actorid-upis::0088:5798000000001");
    let err = client.create_participant("FERRY-TEST-SMP", &p).unwrap_err();
    match &err {
        SmlError::Transport {
            timed_out,
            maybe_applied,
            ..
        } => {
            assert!(!timed_out, "{err}");
            assert!(maybe_applied, "{err}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.is_retryable());
    // The request did reach the server: that is why the write may have been applied.
    assert_eq!(sml.recorded().len(), 1);
}

#[test]
fn timeout_may_have_been_applied() {
    let sml = TestSml::start(|_, _| Reply::Late(Duration::from_secs(3)));
    let mut cfg = config(&sml, pem_identity());
    cfg.timeout = Duration::from_millis(700);
    let client = SmlClient::new(&cfg).unwrap();
    let err = client.is_alive().unwrap_err();
    match &err {
        SmlError::Transport {
            timed_out,
            maybe_applied,
            ..
        } => {
            assert!(timed_out, "{err}");
            assert!(maybe_applied, "{err}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn untrusted_server_certificate_is_never_sent_to() {
    let sml = TestSml::start(happy);
    let mut cfg = config(&sml, pem_identity());
    cfg.trusted_roots_pem = Some(cert_file("untrusted/untrusted-root.crt.pem"));
    let client = SmlClient::new(&cfg).unwrap();
    let err = client.is_alive().unwrap_err();
    match &err {
        SmlError::Transport { maybe_applied, .. } => assert!(!maybe_applied, "{err}"),
        other => panic!("{other:?}"),
    }
    assert!(sml.recorded().is_empty());
}

#[test]
fn client_certificate_from_another_ca_is_refused_by_the_server() {
    let sml = TestSml::start(happy);
    let identity = ClientIdentity::Pem {
        certificate: cert_file("ap/ap-untrusted.crt.pem"),
        key: cert_file("ap/ap-untrusted.key.pem"),
    };
    let client = SmlClient::new(&config(&sml, identity)).unwrap();
    let err = client.is_alive().unwrap_err();
    assert!(matches!(err, SmlError::Transport { .. }), "{err:?}");
    assert!(sml.recorded().is_empty());
    assert!(!sml.handshake_failures.lock().unwrap().is_empty());
}

#[test]
fn configuration_errors_name_the_problem() {
    let base = "https://127.0.0.1:1/edelivery-sml".to_owned();
    let cases: Vec<(SmlClientConfig, &str)> = vec![
        (
            SmlClientConfig::new(
                base.clone(),
                ClientIdentity::Pkcs12 {
                    der: cert_file("smp/smp.p12"),
                    password: "wrong".into(),
                },
            ),
            "wrong password",
        ),
        (
            SmlClientConfig::new(
                base.clone(),
                ClientIdentity::Pem {
                    certificate: cert_file("smp/smp.crt.pem"),
                    key: cert_file("smp/smp2.key.pem"),
                },
            ),
            "does not belong",
        ),
        (
            SmlClientConfig::new(
                base.clone(),
                ClientIdentity::Pem {
                    certificate: b"garbage".to_vec(),
                    key: cert_file("smp/smp.key.pem"),
                },
            ),
            "no PEM certificate",
        ),
        (
            SmlClientConfig::new("http://127.0.0.1:1/edelivery-sml", pem_identity()),
            "https://",
        ),
        (
            SmlClientConfig::new("not a url", pem_identity()),
            "not a URL",
        ),
        (
            SmlClientConfig {
                trusted_roots_pem: Some(b"garbage".to_vec()),
                ..SmlClientConfig::new(base.clone(), pem_identity())
            },
            "trusted_roots_pem",
        ),
        (
            SmlClientConfig {
                timeout: Duration::ZERO,
                ..SmlClientConfig::new(base, pem_identity())
            },
            "timeouts",
        ),
    ];
    for (cfg, needle) in cases {
        match SmlClient::new(&cfg) {
            Err(e @ SmlError::Config { .. }) => {
                assert!(e.to_string().contains(needle), "{needle}: {e}");
                assert_eq!(e.code(), "sml.config");
            }
            other => panic!("{needle}: {other:?}"),
        }
    }
    // Key material never shows in Debug.
    let debug = format!("{:?}", SmlClientConfig::new("https://x", pem_identity()));
    assert!(!debug.contains("PRIVATE KEY"), "{debug}");
}

#[test]
fn is_built_outside_and_used_from_spawn_blocking() {
    let sml = TestSml::start(happy);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    // Building the blocking client on an async thread is refused...
    let err = rt
        .block_on(async { SmlClient::new(&config(&sml, pem_identity())) })
        .unwrap_err();
    assert!(matches!(err, SmlError::Config { .. }), "{err:?}");
    // ...using one from the runtime's blocking pool (how HTTP handlers call it) works.
    let client = SmlClient::new(&config(&sml, pem_identity())).unwrap();
    let outcome =
        rt.block_on(async move { tokio::task::spawn_blocking(move || client.is_alive()).await });
    outcome.unwrap().unwrap();
    assert_eq!(sml.recorded().len(), 1);
    drop(rt);
}
