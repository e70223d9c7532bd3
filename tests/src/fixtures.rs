use std::{fs, path::PathBuf};

use crate::tools::spec_dir;

/// The participant of the phoss-SMP REST samples.
pub const PARTICIPANT: &str = "iso6523-actorid-upis::9915:xxx";
/// The document type of the phoss-SMP ServiceMetadata sample (BIS Billing 3.0 invoice).
pub const DOCTYPE: &str = "busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1";
/// [`DOCTYPE`] without its scheme, as some clients send it.
pub const DOCTYPE_VALUE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1";
/// The process of the phoss-SMP ServiceMetadata sample.
pub const PROCESS: &str = "cenbii-procid-ubl::urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";
/// What the phoss sample has instead of a certificate; a real SMP must refuse it.
pub const AP_CERT_PLACEHOLDER: &str = "blacert";

/// The repository root: Ferry's working directory, so `config/` and `certs-test/` resolve.
pub fn repo_root() -> PathBuf {
    // CARGO_MANIFEST_DIR is <repo>/tests.
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map_or(manifest.clone(), PathBuf::from)
}

/// One-line base64 DER of `certs-test/ap/ap-valid.crt.pem`, as it goes into `<Certificate>`.
pub fn ap_cert_b64() -> String {
    let path = repo_root().join("certs-test/ap/ap-valid.b64");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e} (run certs-test/generate.sh)",
            path.display()
        )
    });
    text.trim().to_owned()
}

/// Percent-encodes one URL path segment: everything but RFC 3986 unreserved characters.
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len() * 2);
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `/{participant}`, encoded.
pub fn participant_path(participant: &str) -> String {
    format!("/{}", encode_segment(participant))
}

/// `/{participant}/services/{doctype}`, both encoded.
pub fn metadata_path(participant: &str, doctype: &str) -> String {
    format!(
        "/{}/services/{}",
        encode_segment(participant),
        encode_segment(doctype)
    )
}

/// Every `href="..."` attribute value in `xml`, entity-decoded.
pub fn hrefs(xml: &str) -> Vec<String> {
    xml.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|raw| {
            raw.replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
        .collect()
}

/// A file of the spec directory; panics (naming `FERRY_SPEC_DIR`) when it is missing.
fn read_sample(rel: &str) -> String {
    let path = spec_dir().join(rel);
    fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read sample {}: {e} (set FERRY_SPEC_DIR to the directory with the official \
             XSDs and samples)",
            path.display()
        )
    })
}

/// phoss-SMP's ServiceGroup PUT sample (participant [`PARTICIPANT`]).
pub fn phoss_service_group() -> String {
    read_sample("smp/samples/peppol/phoss-rest-put/peppol-service-group.xml")
}

/// phoss-SMP's ServiceMetadata PUT sample with its placeholder certificate replaced by
/// `certificate_b64` (pass [`AP_CERT_PLACEHOLDER`] to keep it).
pub fn phoss_service_metadata(certificate_b64: &str) -> String {
    let sample = read_sample("smp/samples/peppol/phoss-rest-put/peppol-service-metadata.xml");
    assert!(
        sample.contains(AP_CERT_PLACEHOLDER),
        "the phoss ServiceMetadata sample no longer contains `{AP_CERT_PLACEHOLDER}`"
    );
    sample.replace(AP_CERT_PLACEHOLDER, certificate_b64)
}

/// The phoss business card v3 sample, moved to `participant` (`scheme::value`).
pub fn business_card_sample(participant: &str) -> String {
    let sample = read_sample("smp/samples/business-card/phoss-peppol-business-card-v3.xml");
    let value = participant.split_once("::").map_or(participant, |(_, v)| v);
    let from = ">9915:xxx</ParticipantIdentifier>";
    assert!(
        sample.contains(from),
        "the business card sample no longer names 9915:xxx"
    );
    sample.replace(from, &format!(">{value}</ParticipantIdentifier>"))
}

/// A minimal ServiceGroup PUT body for `participant` (`scheme::value`).
pub fn service_group_xml(participant: &str) -> String {
    let (scheme, value) = split_id(participant);
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<smp:ServiceGroup xmlns:smp="http://busdox.org/serviceMetadata/publishing/1.0/" xmlns:id="http://busdox.org/transport/identifiers/1.0/">
  <id:ParticipantIdentifier scheme="{scheme}">{value}</id:ParticipantIdentifier>
  <smp:ServiceMetadataReferenceCollection/>
</smp:ServiceGroup>
"#
    )
}

/// A ServiceMetadata PUT body for `participant` and [`DOCTYPE`]/[`PROCESS`], one AS4 endpoint
/// at `endpoint_url` with the valid AP certificate.
pub fn service_metadata_xml(participant: &str, endpoint_url: &str) -> String {
    let (scheme, value) = split_id(participant);
    let (doc_scheme, doc_value) = split_id(DOCTYPE);
    let (proc_scheme, proc_value) = split_id(PROCESS);
    let doc_value = doc_value.replace('&', "&amp;");
    let cert = ap_cert_b64();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<smp:ServiceMetadata xmlns:wsa="http://www.w3.org/2005/08/addressing" xmlns:smp="http://busdox.org/serviceMetadata/publishing/1.0/" xmlns:id="http://busdox.org/transport/identifiers/1.0/">
  <smp:ServiceInformation>
    <id:ParticipantIdentifier scheme="{scheme}">{value}</id:ParticipantIdentifier>
    <id:DocumentIdentifier scheme="{doc_scheme}">{doc_value}</id:DocumentIdentifier>
    <smp:ProcessList>
      <smp:Process>
        <id:ProcessIdentifier scheme="{proc_scheme}">{proc_value}</id:ProcessIdentifier>
        <smp:ServiceEndpointList>
          <smp:Endpoint transportProfile="peppol-transport-as4-v2_0">
            <wsa:EndpointReference>
              <wsa:Address>{endpoint_url}</wsa:Address>
            </wsa:EndpointReference>
            <smp:RequireBusinessLevelSignature>false</smp:RequireBusinessLevelSignature>
            <smp:Certificate>{cert}</smp:Certificate>
            <smp:ServiceDescription>Ferry e2e</smp:ServiceDescription>
            <smp:TechnicalContactUrl>https://example.org/contact</smp:TechnicalContactUrl>
          </smp:Endpoint>
        </smp:ServiceEndpointList>
      </smp:Process>
    </smp:ProcessList>
  </smp:ServiceInformation>
</smp:ServiceMetadata>
"#
    )
}

fn split_id(id: &str) -> (&str, &str) {
    id.split_once("::")
        .unwrap_or_else(|| panic!("test identifier {id} has no `::`"))
}

/// A loopback port that nobody uses right now, for services that must come back on the
/// same port or be reached by a second process.
///
/// Taken from below the kernel's ephemeral range: a port the OS hands out for a `:0` bind
/// (the servers the tests start) or an outgoing connection could otherwise be the very port
/// this function returned a moment earlier, and the later bind then fails with "address in
/// use" (seen in CI). Within one test process no port is handed out twice; each is checked
/// free for TCP and UDP (the emulator's DNS listens on both).
pub fn free_port() -> u16 {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU32, Ordering};
    static HANDED_OUT: Mutex<Vec<u16>> = Mutex::new(Vec::new());
    static NEXT: AtomicU32 = AtomicU32::new(0);

    let low = 10_000_u32;
    let high = ephemeral_range_start().clamp(low + 1000, 32_768);
    let span = high - low;
    // Different test processes start at different places in the range.
    let start = std::process::id().wrapping_mul(7919) % span;
    for _ in 0..span {
        let offset = (start + NEXT.fetch_add(1, Ordering::Relaxed)) % span;
        let Ok(port) = u16::try_from(low + offset) else {
            continue;
        };
        let mut handed_out = HANDED_OUT.lock().unwrap_or_else(|e| e.into_inner());
        if handed_out.contains(&port) {
            continue;
        }
        let tcp = std::net::TcpListener::bind(("127.0.0.1", port));
        let udp = std::net::UdpSocket::bind(("127.0.0.1", port));
        if tcp.is_ok() && udp.is_ok() {
            handed_out.push(port);
            return port;
        }
    }
    panic!("no free loopback port below {high}");
}

/// The first port of the kernel's ephemeral range (Linux: `ip_local_port_range`), 32768 when
/// unknown.
fn ephemeral_range_start() -> u32 {
    fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(32_768)
}

/// Environment for a `ferry serve` whose in-process SML emulator listens on a fixed port,
/// so CLI commands run with the same environment reach it: the database URL first, then
/// the emulator's SOAP address and state file (under `dir`, named after `tag`).
pub fn cli_reachable_env(db_url: &str, dir: &std::path::Path, tag: &str) -> Vec<(String, String)> {
    vec![
        ("FERRY_DATABASE__URL".to_owned(), db_url.to_owned()),
        (
            "FERRY_SML__EMULATOR__SOAP_BIND".to_owned(),
            format!("127.0.0.1:{}", free_port()),
        ),
        (
            "FERRY_SML__EMULATOR__DATABASE".to_owned(),
            dir.join(format!("sml-{tag}.db")).display().to_string(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_segment_encodes_reserved_characters_only() {
        assert_eq!(
            encode_segment("iso6523-actorid-upis::0208:0123456749"),
            "iso6523-actorid-upis%3A%3A0208%3A0123456749"
        );
        assert_eq!(encode_segment("a#b/c d~_."), "a%23b%2Fc%20d~_.");
    }

    #[test]
    fn hrefs_are_found_and_decoded() {
        let xml = r#"<a href="http://x/1?a=1&amp;b=2"/><b other="1"/><c href="http://x/2"/>"#;
        assert_eq!(hrefs(xml), vec!["http://x/1?a=1&b=2", "http://x/2"]);
        assert!(hrefs("<a/>").is_empty());
    }

    #[test]
    fn service_metadata_xml_names_the_participant_and_endpoint() {
        let xml = service_metadata_xml("iso6523-actorid-upis::0208:0123456749", "https://ap/x");
        assert!(xml.contains(r#"scheme="iso6523-actorid-upis">0208:0123456749<"#));
        assert!(xml.contains("<wsa:Address>https://ap/x</wsa:Address>"));
        assert!(xml.contains(&ap_cert_b64()));
    }
}
