//! `ferry lookup` end to end: a participant created over the JSON API is found through the
//! in-process SML emulator's DNS, and its signed metadata passes the signature and chain
//! checks; an unknown participant is "not registered"; a foreign trust store fails the chain.

use std::process::{Command, Output};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use ferry_e2e::{
    ADMIN_TOKEN, DOCTYPE, FerryProcess, PROCESS, ap_cert_b64, encode_segment, ferry_binary,
    for_each_database, repo_root, spec_dir,
};
use serde_json::{Value, json};
use test_support::http_stub::Response;

const P: &str = "iso6523-actorid-upis::0208:0123456749";
const ENDPOINT: &str = "https://ap.example.org/as4";

fn create_registered(ferry: &FerryProcess) {
    let body = json!({
        "participant": P,
        "capabilities": [{
            "documentType": DOCTYPE,
            "process": PROCESS,
            "endpoint": {
                "url": ENDPOINT,
                "transportProfile": "peppol-transport-as4-v2_0",
                "certificate": ap_cert_b64(),
                "serviceDescription": "e2e lookup",
                "technicalContactUrl": "https://ap.example.org/contact"
            }
        }]
    });
    ferry
        .post_json("/api/v1/participants", &body, Some(ADMIN_TOKEN))
        .assert_status(201);
    let path = format!("/api/v1/participants/{}", encode_segment(P));
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let state = ferry.get_auth(&path, ADMIN_TOKEN).json()["smlState"].clone();
        if state == "registered" {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "not registered in the SML in time (smlState {state})"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Runs `ferry ARGS` in the repository root with the default config.
fn ferry_cli(args: &[&str]) -> Output {
    let mut command = Command::new(ferry_binary());
    command.current_dir(repo_root()).args(args);
    for (name, _) in std::env::vars_os() {
        if name
            .to_str()
            .is_some_and(|n| n.starts_with("FERRY_") && n.contains("__"))
        {
            command.env_remove(name);
        }
    }
    command.output().expect("run ferry")
}

fn describe(output: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", describe(output)))
}

#[test]
fn created_participant_is_discovered_and_verified() {
    for_each_database(&[], |ferry| {
        create_registered(ferry);
        let dns = ferry.sml_emulator().dns.to_string();
        let output = ferry_cli(&["--json", "lookup", P, DOCTYPE, "--dns-server", &dns]);
        assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
        let report = json_of(&output);
        assert_eq!(report["registered"], true);
        assert_eq!(
            report["smpUrl"]
                .as_str()
                .unwrap_or_default()
                .trim_end_matches('/'),
            ferry.base_url(),
            "the NAPTR record points at this SMP"
        );
        assert!(
            report["dnsName"]
                .as_str()
                .is_some_and(|n| n.ends_with(".iso6523-actorid-upis.sml.ferry.local.")),
            "{report}"
        );
        assert_eq!(report["documentTypes"], json!([DOCTYPE]));
        let signature = &report["metadata"]["signature"];
        assert_eq!(signature["valid"], true, "{report}");
        assert_eq!(signature["chainTrusted"], true, "{report}");
        assert_eq!(signature["validNow"], true, "{report}");
        assert_eq!(signature["signer"], "CN=FERRY-TEST-SMP, O=Ferry Test, C=BE");
        assert_eq!(signature["notAfter"], "2076-01-01T00:00:00Z");
        let process = &report["metadata"]["processes"][0];
        assert_eq!(process["process"], PROCESS);
        let endpoint = &process["endpoints"][0];
        assert_eq!(endpoint["url"], ENDPOINT);
        assert_eq!(endpoint["transportProfile"], "peppol-transport-as4-v2_0");
        assert_eq!(endpoint["active"], true);
        assert!(
            endpoint["certificate"]["subject"]
                .as_str()
                .is_some_and(|s| s.starts_with("CN=PBE000001")),
            "{report}"
        );
        assert_eq!(report["failedChecks"], json!([]));

        // The same lookup for a person: a few readable lines naming the endpoint.
        let human = ferry_cli(&["lookup", P, DOCTYPE, "--dns-server", &dns]);
        assert_eq!(human.status.code(), Some(0), "{}", describe(&human));
        let text = String::from_utf8_lossy(&human.stdout);
        assert!(text.contains(ENDPOINT), "{text}");
        assert!(text.contains("signature valid"), "{text}");
        assert!(text.contains("chain trusted"), "{text}");
    });
}

#[test]
fn smp_url_skips_dns() {
    for_each_database(&[], |ferry| {
        create_registered(ferry);
        // A DNS server that does not exist: with --smp-url it must not be asked.
        let output = ferry_cli(&[
            "--json",
            "lookup",
            P,
            "--smp-url",
            ferry.base_url(),
            "--dns-server",
            "127.0.0.1:9",
        ]);
        assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
        let report = json_of(&output);
        assert_eq!(report["smpUrl"], ferry.base_url());
        assert_eq!(report["dnsName"], Value::Null);
        assert_eq!(report["documentTypes"], json!([DOCTYPE]));
        assert!(report.get("metadata").is_none(), "no doctype, no metadata");
    });
}

#[test]
fn unknown_participant_is_not_registered() {
    for_each_database(&[], |ferry| {
        let dns = ferry.sml_emulator().dns.to_string();
        let output = ferry_cli(&["lookup", P, "--dns-server", &dns]);
        assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("{P} is not registered in sml.ferry.local.")),
            "{}",
            describe(&output)
        );

        let output = ferry_cli(&["--json", "lookup", P, "--dns-server", &dns]);
        assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
        let report = json_of(&output);
        assert_eq!(report["registered"], false);
        assert_eq!(report["participant"], P);
    });
}

#[test]
fn dns_failure_is_not_not_registered() {
    // Nothing answers DNS on this port: a lookup failure (exit 3), never "not registered".
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let addr = silent.local_addr().expect("addr").to_string();
    let output = ferry_cli(&["lookup", P, "--dns-server", &addr]);
    assert_eq!(output.status.code(), Some(3), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("lookup failed at dns"), "{stderr}");
    assert!(!stderr.contains("not registered"), "{stderr}");
}

#[test]
fn foreign_trust_store_fails_the_chain_check() {
    for_each_database(&[], |ferry| {
        create_registered(ferry);
        let output = ferry_cli(&[
            "--json",
            "lookup",
            P,
            DOCTYPE,
            "--smp-url",
            ferry.base_url(),
            "--trust-store",
            "certs-test/untrusted/untrusted-root.crt.pem",
        ]);
        assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
        let report = json_of(&output);
        let signature = &report["metadata"]["signature"];
        assert_eq!(signature["valid"], true, "the signature itself is fine");
        assert_eq!(signature["chainTrusted"], false);
        assert_eq!(report["failedChecks"][0]["check"], "chain", "{report}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("check failed (chain)"), "{stderr}");
    });
}

fn redirect_xml(href: &str, certificate_uid: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<smp:ServiceMetadata xmlns:smp="http://busdox.org/serviceMetadata/publishing/1.0/">
  <smp:Redirect href="{}">
    <smp:CertificateUID>{certificate_uid}</smp:CertificateUID>
  </smp:Redirect>
</smp:ServiceMetadata>
"#,
        href.replace('&', "&amp;")
    )
}

/// Publishes `P` on `ferry` with a ServiceGroup and `metadata` for [`DOCTYPE`].
fn publish(ferry: &FerryProcess, metadata: &str) {
    ferry
        .put_xml(
            &ferry_e2e::participant_path(P),
            ferry_e2e::service_group_xml(P),
            Some(ADMIN_TOKEN),
        )
        .assert_status(200);
    let status = ferry
        .put_xml(
            &ferry_e2e::metadata_path(P, DOCTYPE),
            metadata,
            Some(ADMIN_TOKEN),
        )
        .status;
    assert!(
        matches!(status, 200 | 201),
        "PUT metadata answered {status}"
    );
}

/// Two SMPs, the second signing with another certificate (smp2).
fn two_smps(tmp: &std::path::Path) -> (FerryProcess, FerryProcess) {
    let a = FerryProcess::start(&test_support::fresh_sqlite_url(&tmp.join("a")), &[]);
    let b = FerryProcess::start(
        &test_support::fresh_sqlite_url(&tmp.join("b")),
        &[
            ("FERRY_SIGNING__CERTIFICATE", "certs-test/smp/smp2.crt.pem"),
            ("FERRY_SIGNING__KEY", "certs-test/smp/smp2.key.pem"),
        ],
    );
    (a, b)
}

#[test]
fn one_redirect_is_followed_and_both_signatures_checked() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (a, b) = two_smps(tmp.path());
    publish(&b, &ferry_e2e::service_metadata_xml(P, ENDPOINT));
    let target = b.url(&ferry_e2e::metadata_path(P, DOCTYPE));
    publish(
        &a,
        &redirect_xml(&target, "CN=FERRY-TEST-SMP-2, O=Ferry Test, C=BE"),
    );

    let output = ferry_cli(&["--json", "lookup", P, DOCTYPE, "--smp-url", a.base_url()]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let report = json_of(&output);
    let metadata = &report["metadata"];
    assert_eq!(metadata["url"], target.as_str());
    assert_eq!(
        metadata["redirect"]["from"],
        a.url(&ferry_e2e::metadata_path(P, DOCTYPE)).as_str()
    );
    assert_eq!(
        metadata["redirect"]["signature"]["signer"],
        "CN=FERRY-TEST-SMP, O=Ferry Test, C=BE"
    );
    assert_eq!(metadata["redirect"]["signature"]["chainTrusted"], true);
    assert_eq!(
        metadata["signature"]["signer"],
        "CN=FERRY-TEST-SMP-2, O=Ferry Test, C=BE"
    );
    assert_eq!(metadata["signature"]["chainTrusted"], true);
    assert_eq!(metadata["processes"][0]["endpoints"][0]["url"], ENDPOINT);
    assert_eq!(report["warnings"], json!([]), "the CertificateUID matches");
}

#[test]
fn a_second_redirect_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (a, b) = two_smps(tmp.path());
    let at_a = a.url(&ferry_e2e::metadata_path(P, DOCTYPE));
    let at_b = b.url(&ferry_e2e::metadata_path(P, DOCTYPE));
    publish(
        &a,
        &redirect_xml(&at_b, "CN=FERRY-TEST-SMP-2, O=Ferry Test, C=BE"),
    );
    publish(
        &b,
        &redirect_xml(&at_a, "CN=FERRY-TEST-SMP, O=Ferry Test, C=BE"),
    );

    let output = ferry_cli(&["--json", "lookup", P, DOCTYPE, "--smp-url", a.base_url()]);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    let report = json_of(&output);
    assert_eq!(report["failedChecks"][0]["check"], "redirect", "{report}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("check failed (redirect)"), "{stderr}");
}

/// A minimal foreign SMP over plain http: the ServiceGroup in `group` (set once the base URL,
/// returned here, is known) at any path, and the same SignedServiceMetadata bytes for every
/// `…/services/…` path.
fn static_smp(group: Arc<OnceLock<String>>, metadata: Vec<u8>) -> String {
    test_support::http_stub::serve(move |request| Response {
        status: 200,
        content_type: "text/xml",
        body: if request.path.contains("/services/") {
            metadata.clone()
        } else {
            group
                .get()
                .map(|g| g.as_bytes().to_vec())
                .unwrap_or_default()
        },
    })
}

/// Registrations older than the ICD rules are still published by other SMPs (here: a signed
/// VEFA sample for the removed ICD 9908). Lookup reads them and says what the policy objects
/// to, instead of refusing the document.
#[test]
fn a_legacy_participant_on_another_smp_is_read_with_a_warning() {
    let spec = spec_dir();
    let metadata = std::fs::read(
        spec.join("smp/samples/peppol/signed-vefa/busdox-servicemetadata-9908-12345678.xml"),
    )
    .expect("VEFA sample");
    let legacy = "iso6523-actorid-upis::9908:12345678";
    let doctype = "busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote##urn:www.cenbii.eu:transaction:biitrns014:ver2.0:extended:urn:www.peppol.eu:bis:peppol5a:ver2.0::2.1";
    let group = Arc::new(OnceLock::new());
    let base = static_smp(group.clone(), metadata);
    let href = format!(
        "{base}/{}/services/{}",
        encode_segment(legacy),
        encode_segment(doctype)
    );
    group.set(format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><ServiceGroup xmlns="http://busdox.org/serviceMetadata/publishing/1.0/" xmlns:ids="http://busdox.org/transport/identifiers/1.0/"><ids:ParticipantIdentifier scheme="iso6523-actorid-upis">9908:12345678</ids:ParticipantIdentifier><ServiceMetadataReferenceCollection><ServiceMetadataReference href="{href}"/></ServiceMetadataReferenceCollection></ServiceGroup>"#
    ))
    .expect("set once");

    let output = ferry_cli(&["--json", "lookup", legacy, doctype, "--smp-url", &base]);
    let report = json_of(&output);
    assert_eq!(report["participant"], legacy, "{}", describe(&output));
    assert_eq!(report["documentTypes"], json!([doctype]));
    let endpoint = &report["metadata"]["processes"][0]["endpoints"][0];
    assert_eq!(
        endpoint["url"], "https://test-api.basware.com/peppol/as2",
        "{report}"
    );
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("id.removed_icd"), "{warnings}");
    // The document was read; only the checks about trust and time may fail, and the
    // signature because the sample is signed with RSA-SHA1 (refused since SMP 1.4.0).
    for failed in report["failedChecks"].as_array().expect("failedChecks") {
        let check = failed["check"].as_str().unwrap_or_default();
        let sha1 = check == "signature" && failed.to_string().contains("SHA-1");
        assert!(
            ["chain", "expired"].contains(&check) || sha1,
            "unexpected failed check: {failed}"
        );
    }
}
