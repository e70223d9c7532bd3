//! Endpoint profiles: changing a profile re-signs every participant that uses it.

use ferry_e2e::{
    ADMIN_TOKEN, DOCTYPE, FerryProcess, PROCESS, ap_cert_b64, for_each_database, metadata_path,
    xmllint_validate, xmlsec_verify,
};
use serde_json::{Value, json};

const SMP_XSD: &str = "smp/xsd/peppol/peppol-smp-types-v1.xsd";
const OLD_URL: &str = "https://old-ap.example.org/as4";
const NEW_URL: &str = "https://new-ap.example.org/as4";
// Valid Belgian enterprise numbers (check digits 97 - first8 mod 97).
const PARTICIPANTS: [&str; 2] = [
    "iso6523-actorid-upis::0208:0123456749",
    "iso6523-actorid-upis::0208:1234567894",
];

fn profile(url: &str) -> Value {
    json!({
        "name": "main-ap",
        "url": url,
        "transportProfile": "peppol-transport-as4-v2_0",
        "certificate": ap_cert_b64(),
        "serviceDescription": "Ferry e2e access point",
        "technicalContactUrl": "https://example.org/contact",
    })
}

/// GETs the signed metadata of `participant`, checks it is valid and signed, returns its text.
fn served_metadata(ferry: &FerryProcess, participant: &str) -> String {
    let response = ferry.get(&metadata_path(participant, DOCTYPE));
    response.assert_xml_ok();
    xmllint_validate(&response.body, SMP_XSD);
    xmlsec_verify(&response.body);
    response.text()
}

#[test]
fn profile_change_resigns_every_participant_using_it() {
    for_each_database(&[], |ferry| {
        ferry
            .post_json(
                "/api/v1/endpoint-profiles",
                &profile(OLD_URL),
                Some(ADMIN_TOKEN),
            )
            .assert_status(201);
        for participant in PARTICIPANTS {
            let body = json!({
                "participant": participant,
                "capabilities": [{
                    "documentType": DOCTYPE,
                    "process": PROCESS,
                    "endpointProfile": "main-ap",
                }],
            });
            ferry
                .post_json("/api/v1/participants", &body, Some(ADMIN_TOKEN))
                .assert_status(201);
            assert!(served_metadata(ferry, participant).contains(OLD_URL));
        }

        let updated = ferry.put_json(
            "/api/v1/endpoint-profiles/main-ap",
            &profile(NEW_URL),
            Some(ADMIN_TOKEN),
        );
        updated.assert_status(200);
        assert_eq!(updated.json()["resignedParticipants"], 2, "{updated}");

        for participant in PARTICIPANTS {
            let text = served_metadata(ferry, participant);
            assert!(text.contains(NEW_URL), "{participant} not updated: {text}");
            assert!(
                !text.contains(OLD_URL),
                "{participant} still has the old URL: {text}"
            );
        }
    });
}
