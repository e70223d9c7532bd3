//! Official samples (from `FERRY_SPEC_DIR`; missing files fail): a registration older than
//! the ICD rules is read, with the policy problem as a warning.

use peppol_id::{DocumentTypeId, ParticipantId};
use smp_client::SmpClient;
use test_support::http_stub::{self, Response};

use crate::support::{local_policy, smp_roots, spec_file};

const LEGACY: &str = "iso6523-actorid-upis::9908:12345678";
const CREDIT_NOTE: &str = "busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote##urn:www.cenbii.eu:transaction:biitrns014:ver2.0:extended:urn:www.peppol.eu:bis:peppol5a:ver2.0::2.1";

#[test]
fn a_legacy_registration_is_read_with_a_warning() {
    let metadata =
        spec_file("smp/samples/peppol/signed-vefa/busdox-servicemetadata-9908-12345678.xml");
    let participant = ParticipantId::parse_as_published(LEGACY).unwrap();
    let doctype = DocumentTypeId::parse(CREDIT_NOTE).unwrap();
    let group_path = participant.path_segment();
    let doctype_path = doctype.path_segment();
    let base = std::sync::Arc::new(std::sync::OnceLock::<String>::new());
    let seen = base.clone();
    let url = http_stub::serve(move |request| Response {
        status: 200,
        content_type: "text/xml",
        body: if request.path.contains("/services/") {
            metadata.clone()
        } else {
            format!(
                r#"<ServiceGroup xmlns="http://busdox.org/serviceMetadata/publishing/1.0/" xmlns:ids="http://busdox.org/transport/identifiers/1.0/"><ids:ParticipantIdentifier scheme="iso6523-actorid-upis">9908:12345678</ids:ParticipantIdentifier><ServiceMetadataReferenceCollection><ServiceMetadataReference href="{}/{group_path}/services/{doctype_path}"/></ServiceMetadataReferenceCollection></ServiceGroup>"#,
                seen.get().map(String::as_str).unwrap_or_default()
            )
            .into_bytes()
        },
    });
    base.set(url.clone()).unwrap();

    let client = SmpClient::new(&local_policy(), Some(smp_roots())).unwrap();
    let report = client
        .lookup(&participant, &url, None, Some(&doctype))
        .unwrap();
    assert!(
        report.warnings.iter().any(|w| w.contains("id.removed_icd")),
        "{:?}",
        report.warnings
    );
    let metadata = report.metadata.as_ref().unwrap();
    // The sample is signed with RSA-SHA1, which SMP 1.4.0 no longer allows: read, but its
    // signature is refused as unsupported.
    assert!(!metadata.signature.valid, "a SHA-1 signature is refused");
    assert_eq!(
        metadata.processes[0].endpoints[0].url,
        "https://test-api.basware.com/peppol/as2"
    );
    // The sample's signer is not of the test PKI and has long expired: only trust, time
    // and the SHA-1 signature may fail.
    for check in report.failed_check_names() {
        assert!(
            ["chain", "expired", "signature"].contains(&check),
            "{check}"
        );
    }
    assert!(
        format!("{:?}", report.failed_checks).contains("SHA-1"),
        "{:?}",
        report.failed_checks
    );
    let endpoint = client.first_endpoint(&url, &participant).unwrap().unwrap();
    assert_eq!(endpoint.address, "https://test-api.basware.com/peppol/as2");
}
