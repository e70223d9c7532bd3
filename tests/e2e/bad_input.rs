//! Bad requests: each gets the right status and problem code, and a GET afterwards shows that
//! nothing changed.

use ferry_e2e::{
    ADMIN_TOKEN, DOCTYPE, FerryProcess, PARTICIPANT, ap_cert_b64, assert_problem,
    for_each_database, metadata_path, participant_path, phoss_service_metadata,
    publish_phoss_sample, service_group_xml, service_metadata_xml,
};
use serde_json::json;

/// What the public read API serves for one path: status, body and validators.
#[derive(Debug, PartialEq)]
struct Served {
    status: u16,
    body: Vec<u8>,
    etag: Option<String>,
    last_modified: Option<String>,
}

/// What is served for the sample participant's ServiceGroup and ServiceMetadata.
fn snapshot(ferry: &FerryProcess) -> Vec<Served> {
    let paths = [
        participant_path(PARTICIPANT),
        metadata_path(PARTICIPANT, DOCTYPE),
    ];
    paths
        .iter()
        .map(|path| {
            let r = ferry.get(path);
            Served {
                etag: r.header("etag").map(str::to_owned),
                last_modified: r.header("last-modified").map(str::to_owned),
                status: r.status,
                body: r.body,
            }
        })
        .collect()
}

/// Publishes the phoss sample, sends the request made by `send`, checks the problem answer and
/// that the published data is unchanged. Missing spec files fail the test.
fn rejected(status: u16, code: &str, send: impl Fn(&FerryProcess) -> ferry_e2e::Response) {
    for_each_database(&[], |ferry| {
        publish_phoss_sample(ferry);
        let before = snapshot(ferry);
        let response = send(ferry);
        assert_problem(&response, status, code);
        assert_eq!(
            snapshot(ferry),
            before,
            "data changed after {}",
            response.request
        );
    });
}

/// The valid sample ServiceMetadata body, transformed by `edit`.
fn sample_with(edit: impl Fn(String) -> String) -> String {
    edit(phoss_service_metadata(&ap_cert_b64()))
}

/// A valid body that differs from the stored one, for requests that must be refused.
fn changed_metadata() -> String {
    service_metadata_xml(PARTICIPANT, "https://attacker.example.org/as4")
}

fn put_metadata(ferry: &FerryProcess, body: &str, token: Option<&str>) -> ferry_e2e::Response {
    ferry.put_xml(&metadata_path(PARTICIPANT, DOCTYPE), body, token)
}

/// Inserts `text` right after the XML declaration of `xml`.
fn after_declaration(xml: &str, text: &str) -> String {
    match xml.find("?>") {
        Some(end) => format!("{}\n{text}{}", &xml[..end + 2], &xml[end + 2..]),
        None => format!("{text}{xml}"),
    }
}

#[test]
fn malformed_xml() {
    rejected(400, "xml.malformed", |ferry| {
        // Cut after an opening tag: unclosed elements, so no parser can accept it.
        let body = sample_with(|xml| {
            let cut = xml
                .find("<smp:ProcessList>")
                .map_or(xml.len() / 2, |i| i + 17);
            xml[..cut].to_owned()
        });
        put_metadata(ferry, &body, Some(ADMIN_TOKEN))
    });
}

#[test]
fn xxe_entity() {
    rejected(400, "xml.dtd_forbidden", |ferry| {
        let body = sample_with(|xml| {
            let xml = after_declaration(
                &xml,
                r#"<!DOCTYPE smp:ServiceMetadata [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>"#,
            );
            xml.replace("Unit test service", "&xxe;")
        });
        put_metadata(ferry, &body, Some(ADMIN_TOKEN))
    });
}

#[test]
fn billion_laughs() {
    rejected(400, "xml.dtd_forbidden", |ferry| {
        let mut dtd = String::from(r#"<!DOCTYPE smp:ServiceMetadata [<!ENTITY lol0 "lol">"#);
        for level in 1..=9 {
            let previous = format!("&lol{};", level - 1);
            dtd.push_str(&format!(
                r#"<!ENTITY lol{level} "{}">"#,
                previous.repeat(10)
            ));
        }
        dtd.push_str("]>");
        let body =
            sample_with(|xml| after_declaration(&xml, &dtd).replace("Unit test service", "&lol9;"));
        put_metadata(ferry, &body, Some(ADMIN_TOKEN))
    });
}

#[test]
fn wrong_namespace() {
    rejected(400, "xml.wrong_namespace", |ferry| {
        let body = sample_with(|xml| {
            xml.replace(
                r#"xmlns:smp="http://busdox.org/serviceMetadata/publishing/1.0/""#,
                r#"xmlns:smp="http://example.org/not-smp/1.0/""#,
            )
        });
        put_metadata(ferry, &body, Some(ADMIN_TOKEN))
    });
}

#[test]
fn body_over_two_mib() {
    rejected(413, "xml.too_large", |ferry| {
        let padding = format!("<!--{}-->", "x".repeat(2 * 1024 * 1024 + 512 * 1024));
        let body = sample_with(|xml| after_declaration(&xml, &padding));
        put_metadata(ferry, &body, Some(ADMIN_TOKEN))
    });
}

#[test]
fn participant_in_body_differs_from_url() {
    rejected(400, "participant.mismatch", |ferry| {
        let body = sample_with(|xml| xml.replace(">9915:xxx<", ">9915:someone-else<"));
        put_metadata(ferry, &body, Some(ADMIN_TOKEN))
    });
}

#[test]
fn invalid_scheme_in_url() {
    rejected(400, "id.*", |ferry| {
        let participant = "no-such-scheme::9915:xxx";
        let body = service_group_xml(participant);
        ferry.put_xml(&participant_path(participant), body, Some(ADMIN_TOKEN))
    });
}

#[test]
fn belgian_number_with_bad_check_digits() {
    rejected(400, "id.*", |ferry| {
        // 01234567 has check digits 49 (97 - 01234567 mod 97).
        let participant = "iso6523-actorid-upis::0208:0123456700";
        let body = service_group_xml(participant);
        ferry.put_xml(&participant_path(participant), body, Some(ADMIN_TOKEN))
    });
}

#[test]
fn metadata_for_unknown_participant() {
    rejected(404, "participant.not_found", |ferry| {
        let participant = "iso6523-actorid-upis::9915:nobody";
        let body = service_metadata_xml(participant, "https://ap.example.org/as4");
        let path = metadata_path(participant, DOCTYPE);
        ferry.put_xml(&path, body, Some(ADMIN_TOKEN))
    });
}

#[test]
fn no_credentials() {
    rejected(401, "auth.missing", |ferry| {
        put_metadata(ferry, &changed_metadata(), None)
    });
}

#[test]
fn wrong_token() {
    rejected(401, "auth.invalid", |ferry| {
        put_metadata(ferry, &changed_metadata(), Some("not-a-real-token"))
    });
}

#[test]
fn another_owners_participant() {
    rejected(403, "auth.forbidden", |ferry| {
        let user = json!({"username": "bob", "password": "bob-password-123", "admin": false});
        ferry
            .post_json("/api/v1/users", &user, Some(ADMIN_TOKEN))
            .assert_status(201);
        let created = ferry.post_json(
            "/api/v1/users/bob/tokens",
            &json!({"name": "e2e"}),
            Some(ADMIN_TOKEN),
        );
        created.assert_status(201);
        let body = created.json();
        let token = body["token"]
            .as_str()
            .unwrap_or_else(|| panic!("no token in {created}"));
        let delete = ferry.delete(&participant_path(PARTICIPANT), Some(token));
        assert_problem(&delete, 403, "auth.forbidden");
        put_metadata(ferry, &changed_metadata(), Some(token))
    });
}
