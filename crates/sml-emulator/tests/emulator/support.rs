//! Helpers: start an emulator, SOAP clients with the test certificates, sample files, DNS queries.

use std::{
    net::{SocketAddr, UdpSocket},
    path::{Path, PathBuf},
    time::Duration,
};

use hickory_proto::{
    op::{Message, MessageType, OpCode, Query, ResponseCode},
    rr::{Name, RData, RecordType},
};
use sml_emulator::{Emulator, EmulatorConfig};

pub(crate) const ZONE: &str = "sml.ferry.test.";
pub(crate) const SCHEME: &str = "iso6523-actorid-upis";
pub(crate) const SMP_ACTION: &str =
    "http://busdox.org/serviceMetadata/ManageServiceMetadataService/1.0/:";
pub(crate) const PART_ACTION: &str =
    "http://busdox.org/serviceMetadata/ManageBusinessIdentifierService/1.0/         :";
pub(crate) const LRS: &str = "http://busdox.org/serviceMetadata/locator/1.0/";
pub(crate) const IDS: &str = "http://busdox.org/transport/identifiers/1.0/";

pub(crate) fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// `$FERRY_SPEC_DIR/sml/samples` (default `<repo>/../shared/spec`). Panics, naming
/// `FERRY_SPEC_DIR`, when the samples are missing: a test that needs them fails rather than
/// checking nothing.
pub(crate) fn samples_dir() -> PathBuf {
    let dir = std::env::var_os("FERRY_SPEC_DIR")
        .map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec"),
            PathBuf::from,
        )
        .join("sml/samples");
    assert!(
        dir.is_dir(),
        "spec files not found: {} does not exist; set FERRY_SPEC_DIR to the directory with the \
         official XSDs, WSDLs and samples (default: <repo>/../shared/spec)",
        dir.display()
    );
    dir
}

pub(crate) fn config(database: PathBuf, page_size: usize) -> EmulatorConfig {
    let mut c = EmulatorConfig::loopback(&repo_file("certs-test"), database);
    c.list_page_size = page_size;
    c.zone = ZONE.to_owned();
    c
}

pub(crate) fn start(page_size: usize) -> Emulator {
    Emulator::start(config(PathBuf::from(":memory:"), page_size)).unwrap()
}

/// A SOAP client presenting one of the test SMP certificates (`smp` or `smp2`), or none.
pub(crate) struct Soap {
    client: reqwest::blocking::Client,
    base: String,
}

#[derive(Debug)]
pub(crate) struct Resp {
    pub(crate) status: u16,
    pub(crate) body: String,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Fault {
    pub(crate) kind: String,
    pub(crate) code: u16,
    pub(crate) message: String,
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Text of the first element whose local name is `local` (any prefix).
pub(crate) fn element_text(xml: &str, local: &str) -> Option<String> {
    let mut rest = xml;
    while let Some(i) = rest.find('<') {
        let tag = &rest[i + 1..];
        let name_end = tag.find(|c: char| c.is_whitespace() || c == '>' || c == '/')?;
        let name = &tag[..name_end];
        let found = name.rsplit(':').next() == Some(local) && !name.starts_with(['/', '!', '?']);
        if found {
            let open_end = tag.find('>')?;
            if tag[..open_end].ends_with('/') {
                return Some(String::new());
            }
            let content = &tag[open_end + 1..];
            let end = content.find("</")?;
            return Some(unescape(&content[..end]));
        }
        rest = tag;
    }
    None
}

impl Resp {
    pub(crate) fn fault(&self) -> Option<Fault> {
        let message = element_text(&self.body, "FaultMessage")?;
        let kind = [
            "BadRequestFault",
            "UnauthorizedFault",
            "NotFoundFault",
            "InternalErrorFault",
        ]
        .into_iter()
        .find(|k| self.body.contains(&format!("<{k} ")))?
        .to_owned();
        let code = message.get(5..8)?.parse().ok()?;
        Some(Fault {
            kind,
            code,
            message,
        })
    }

    #[track_caller]
    pub(crate) fn assert_ok(&self) {
        assert_eq!(self.status, 200, "{}", self.body);
        assert!(self.fault().is_none(), "{}", self.body);
    }

    #[track_caller]
    pub(crate) fn assert_empty_ok(&self) {
        self.assert_ok();
        assert!(self.body.contains("<soap:Body/>"), "{}", self.body);
    }

    #[track_caller]
    pub(crate) fn assert_fault(&self, status: u16, kind: &str, code: u16) -> Fault {
        let fault = self
            .fault()
            .unwrap_or_else(|| panic!("no fault in {} {}", self.status, self.body));
        assert_eq!(
            (self.status, fault.kind.as_str(), fault.code),
            (status, kind, code),
            "{}",
            self.body
        );
        assert!(self.body.contains("<faultcode>soap:Server</faultcode>"));
        fault
    }
}

impl Soap {
    pub(crate) fn new(emulator: &Emulator, who: Option<&str>) -> Self {
        let root = std::fs::read(repo_file("certs-test/root/root-ca.crt.pem")).unwrap();
        let mut builder = reqwest::blocking::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&root).unwrap())
            .timeout(Duration::from_secs(30));
        if let Some(who) = who {
            // Leaf followed by the SMP CA, so the chain reaches the root the emulator trusts.
            let mut chain =
                std::fs::read(repo_file(&format!("certs-test/smp/{who}.crt.pem"))).unwrap();
            chain.extend(std::fs::read(repo_file("certs-test/smp/smp-ca.crt.pem")).unwrap());
            let key = std::fs::read(repo_file(&format!("certs-test/smp/{who}.key.pem"))).unwrap();
            builder = builder.identity(reqwest::Identity::from_pkcs8_pem(&chain, &key).unwrap());
        }
        Self {
            client: builder.build().unwrap(),
            base: emulator.soap_base_url(),
        }
    }

    pub(crate) fn try_call(&self, service: &str, action: &str, xml: &str) -> reqwest::Result<Resp> {
        let resp = self
            .client
            .post(format!("{}/{service}", self.base))
            .header("Content-Type", "text/xml; charset=utf-8")
            .header("SOAPAction", format!("\"{action}\""))
            .body(xml.to_owned())
            .send()?;
        let status = resp.status().as_u16();
        let body = resp.text()?;
        Ok(Resp { status, body })
    }

    pub(crate) fn call(&self, service: &str, action: &str, xml: &str) -> Resp {
        self.try_call(service, action, xml).unwrap()
    }

    pub(crate) fn sample(&self, name: &str) -> Resp {
        let s = Sample::load(name);
        self.call(&s.service, &s.action, &s.xml)
    }

    pub(crate) fn create_smp(&self, id: &str, logical: &str) -> Resp {
        self.call(
            "manageservicemetadata",
            &format!("{SMP_ACTION}createIn"),
            &envelope(&format!(
                r#"<lrs:CreateServiceMetadataPublisherService xmlns:lrs="{LRS}"><lrs:PublisherEndpoint><lrs:LogicalAddress>{logical}</lrs:LogicalAddress><lrs:PhysicalAddress>127.0.0.1</lrs:PhysicalAddress></lrs:PublisherEndpoint><lrs:ServiceMetadataPublisherID>{id}</lrs:ServiceMetadataPublisherID></lrs:CreateServiceMetadataPublisherService>"#
            )),
        )
    }

    pub(crate) fn participant_op(&self, element: &str, op: &str, smp: &str, value: &str) -> Resp {
        self.call(
            "manageparticipantidentifier",
            &format!("{PART_ACTION}{op}"),
            &envelope(&format!(
                r#"<lrs:{element} xmlns:lrs="{LRS}" xmlns:ids="{IDS}"><lrs:ServiceMetadataPublisherID>{smp}</lrs:ServiceMetadataPublisherID><ids:ParticipantIdentifier scheme="{SCHEME}">{value}</ids:ParticipantIdentifier></lrs:{element}>"#
            )),
        )
    }

    pub(crate) fn create(&self, smp: &str, value: &str) -> Resp {
        self.participant_op("CreateParticipantIdentifier", "createIn", smp, value)
    }

    pub(crate) fn delete(&self, smp: &str, value: &str) -> Resp {
        self.participant_op("DeleteParticipantIdentifier", "deleteIn", smp, value)
    }

    pub(crate) fn migration_op(
        &self,
        element: &str,
        op: &str,
        smp: &str,
        value: &str,
        key: &str,
    ) -> Resp {
        self.call(
            "manageparticipantidentifier",
            &format!("{PART_ACTION}{op}"),
            &envelope(&format!(
                r#"<lrs:{element} xmlns:lrs="{LRS}" xmlns:ids="{IDS}"><lrs:ServiceMetadataPublisherID>{smp}</lrs:ServiceMetadataPublisherID><ids:ParticipantIdentifier scheme="{SCHEME}">{value}</ids:ParticipantIdentifier><lrs:MigrationKey>{key}</lrs:MigrationKey></lrs:{element}>"#
            )),
        )
    }

    pub(crate) fn prepare(&self, smp: &str, value: &str, key: &str) -> Resp {
        self.migration_op(
            "PrepareMigrationRecord",
            "prepareMigrateIn",
            smp,
            value,
            key,
        )
    }

    pub(crate) fn migrate(&self, smp: &str, value: &str, key: &str) -> Resp {
        self.migration_op("CompleteMigrationRecord", "migrateIn", smp, value, key)
    }

    pub(crate) fn list(&self, smp: &str, next: Option<&str>) -> Resp {
        let next = next
            .map(|n| format!("<lrs:NextPageIdentifier>{n}</lrs:NextPageIdentifier>"))
            .unwrap_or_default();
        self.call(
            "manageparticipantidentifier",
            &format!("{PART_ACTION}listIn"),
            &envelope(&format!(
                r#"<lrs:PageRequest xmlns:lrs="{LRS}"><lrs:ServiceMetadataPublisherID>{smp}</lrs:ServiceMetadataPublisherID>{next}</lrs:PageRequest>"#
            )),
        )
    }

    pub(crate) fn list_op(&self, element: &str, op: &str, smp: &str, values: &[String]) -> Resp {
        let ids: String = values
            .iter()
            .map(|v| format!(r#"<ids:ParticipantIdentifier scheme="{SCHEME}">{v}</ids:ParticipantIdentifier>"#))
            .collect();
        self.call(
            "manageparticipantidentifier",
            &format!("{PART_ACTION}{op}"),
            &envelope(&format!(
                r#"<lrs:{element} xmlns:lrs="{LRS}" xmlns:ids="{IDS}">{ids}<lrs:ServiceMetadataPublisherID>{smp}</lrs:ServiceMetadataPublisherID></lrs:{element}>"#
            )),
        )
    }
}

pub(crate) fn envelope(body: &str) -> String {
    format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header/><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"#
    )
}

/// A request sample with the endpoint and SOAPAction from its comment.
pub(crate) struct Sample {
    pub(crate) service: String,
    pub(crate) action: String,
    pub(crate) xml: String,
}

impl Sample {
    pub(crate) fn load(name: &str) -> Self {
        let xml = std::fs::read_to_string(samples_dir().join(name)).unwrap();
        let action = xml
            .split("SOAPAction: \"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();
        let service = xml
            .split("/edelivery-sml/")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap()
            .to_owned();
        Self {
            service,
            action,
            xml,
        }
    }
}

/// Kind, code, FaultMessage and HTTP status documented by a fault sample.
pub(crate) fn fault_sample(name: &str) -> (u16, Fault) {
    let xml = std::fs::read_to_string(samples_dir().join(name)).unwrap();
    let status = xml
        .split("Expected HTTP status for this sample: ")
        .nth(1)
        .and_then(|r| r.get(..3))
        .unwrap()
        .parse()
        .unwrap();
    let resp = Resp { status, body: xml };
    (status, resp.fault().unwrap())
}

pub(crate) fn dns_name(value: &str) -> String {
    peppol_id::sml_dns_name(SCHEME, value, ZONE)
}

/// NAPTR regexps for `value` through hickory-resolver over UDP or TCP; `Err(true)` = NXDOMAIN.
pub(crate) fn naptr(dns: SocketAddr, value: &str, tcp: bool) -> Result<Vec<String>, bool> {
    use hickory_resolver::{
        Resolver,
        config::{NameServerConfig, ResolverConfig},
        net::runtime::TokioRuntimeProvider,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut ns = if tcp {
            NameServerConfig::tcp(dns.ip())
        } else {
            NameServerConfig::udp(dns.ip())
        };
        for c in &mut ns.connections {
            c.port = dns.port();
        }
        let config = ResolverConfig::from_parts(None, vec![], vec![ns]);
        // A fresh resolver per lookup: no cached answers between state changes.
        let resolver = Resolver::builder_with_config(config, TokioRuntimeProvider::default())
            .build()
            .unwrap();
        match resolver.lookup(dns_name(value), RecordType::NAPTR).await {
            Ok(lookup) => Ok(lookup
                .answers()
                .iter()
                .filter_map(|r| match &r.data {
                    RData::NAPTR(n) => {
                        assert_eq!((n.order, n.preference), (100, 10));
                        assert_eq!(&*n.flags, b"U");
                        assert_eq!(&*n.services, b"Meta:SMP");
                        assert!(n.replacement.is_root());
                        Some(String::from_utf8(n.regexp.to_vec()).unwrap())
                    }
                    _ => None,
                })
                .collect()),
            Err(e) => Err(e.is_nx_domain()),
        }
    })
}

/// The response code of a raw UDP query (for answers the resolver turns into errors).
pub(crate) fn raw_rcode(dns: SocketAddr, name: &str, rtype: RecordType) -> (ResponseCode, bool) {
    let mut msg = Message::new(4242, MessageType::Query, OpCode::Query);
    msg.add_query(Query::query(Name::from_ascii(name).unwrap(), rtype));
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    socket.send_to(&msg.to_vec().unwrap(), dns).unwrap();
    let mut buf = [0u8; 4096];
    let (n, _) = socket.recv_from(&mut buf).unwrap();
    let resp = Message::from_vec(&buf[..n]).unwrap();
    (resp.metadata.response_code, resp.metadata.authoritative)
}
