//! Registration policy from `[policy]`: a legacy document type is refused with 422 and a
//! stable code until its BIS 3 equivalent is registered.

use ferry_e2e::{
    ADMIN_TOKEN, DOCTYPE, PARTICIPANT, PROCESS, ap_cert_b64, assert_problem, for_each_database,
    participant_path,
};
use serde_json::json;

const LEGACY: &str = "busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:www.cenbii.eu:transaction:biitrns010:ver2.0:extended:urn:www.peppol.eu:bis:peppol4a:ver2.0::2.1";
const LEGACY_PROCESS: &str = "cenbii-procid-ubl::urn:www.cenbii.eu:profile:bii04:ver2.0";

fn capability(doctype: &str, process: &str) -> serde_json::Value {
    json!({
        "documentType": doctype,
        "process": process,
        "endpoint": {
            "url": "https://ap.example.org/as4",
            "transportProfile": "peppol-transport-as4-v2_0",
            "certificate": ap_cert_b64(),
            "serviceDescription": "test AP",
            "technicalContactUrl": "mailto:ops@example.org"
        }
    })
}

#[test]
fn legacy_document_type_needs_bis3_first() {
    let env = [("FERRY_POLICY__REQUIRE_BIS3_BEFORE_LEGACY", "true")];
    for_each_database(&env, |ferry| {
        let refused = ferry.post_json(
            "/api/v1/participants",
            &json!({"participant": PARTICIPANT, "capabilities": [capability(LEGACY, LEGACY_PROCESS)]}),
            Some(ADMIN_TOKEN),
        );
        assert_problem(&refused, 422, "policy.require_bis3_before_legacy");
        ferry
            .get_auth(&participant_path(PARTICIPANT), ADMIN_TOKEN)
            .assert_status(404);

        ferry
            .post_json(
                "/api/v1/participants",
                &json!({"participant": PARTICIPANT, "capabilities": [
                    capability(DOCTYPE, PROCESS),
                    capability(LEGACY, LEGACY_PROCESS),
                ]}),
                Some(ADMIN_TOKEN),
            )
            .assert_status(201);
    });
}
