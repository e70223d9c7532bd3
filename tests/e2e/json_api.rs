//! The JSON management API: participants with capabilities, paging, users, OpenAPI.

use ferry_e2e::{
    ADMIN_TOKEN, DOCTYPE, PARTICIPANT, PROCESS, ap_cert_b64, assert_problem, encode_segment,
    for_each_database, metadata_path, participant_path,
};
use serde_json::json;

fn capability(url: &str) -> serde_json::Value {
    json!({
        "documentType": DOCTYPE,
        "process": PROCESS,
        "endpoint": {
            "url": url,
            "transportProfile": "peppol-transport-as4-v2_0",
            "certificate": ap_cert_b64(),
            "serviceDescription": "test AP",
            "technicalContactUrl": "mailto:ops@example.org"
        }
    })
}

#[test]
fn participants_with_capabilities() {
    for_each_database(&[], |ferry| {
        let created = ferry.post_json(
            "/api/v1/participants",
            &json!({"participant": PARTICIPANT, "capabilities": [capability("https://ap.example.org/as4")]}),
            Some(ADMIN_TOKEN),
        );
        created.assert_status(201);
        assert_eq!(
            created.json()["capabilities"][0]["endpoint"]["url"],
            "https://ap.example.org/as4"
        );

        // Published and signed at once.
        let signed = ferry
            .get(&metadata_path(PARTICIPANT, DOCTYPE))
            .assert_status(200)
            .assert_xml_ok()
            .text();
        assert!(signed.contains("https://ap.example.org/as4"));

        let again = ferry.post_json(
            "/api/v1/participants",
            &json!({"participant": PARTICIPANT}),
            Some(ADMIN_TOKEN),
        );
        assert_problem(&again, 409, "participant.exists");

        let page = ferry.get_auth(
            "/api/v1/participants?search=9915%3AXX&limit=10",
            ADMIN_TOKEN,
        );
        page.assert_status(200);
        assert_eq!(page.json()["total"], 1);
        let none = ferry.get_auth("/api/v1/participants?search=nomatch", ADMIN_TOKEN);
        assert_eq!(none.json()["total"], 0);

        let p = encode_segment(PARTICIPANT);
        ferry
            .get_auth(&format!("/api/v1/participants/{p}"), ADMIN_TOKEN)
            .assert_status(200);
        let removed = ferry.delete(
            &format!(
                "/api/v1/participants/{p}/capabilities/{}",
                encode_segment(DOCTYPE)
            ),
            Some(ADMIN_TOKEN),
        );
        removed.assert_status(204);
        ferry
            .get(&metadata_path(PARTICIPANT, DOCTYPE))
            .assert_status(404);
        ferry
            .delete(&format!("/api/v1/participants/{p}"), Some(ADMIN_TOKEN))
            .assert_status(204);
        ferry.get(&participant_path(PARTICIPANT)).assert_status(404);
    });
}

#[test]
fn a_bad_capability_creates_nothing() {
    for_each_database(&[], |ferry| {
        let mut bad = capability("https://ap.example.org/as4");
        bad["endpoint"]["certificate"] = json!("blacert");
        let refused = ferry.post_json(
            "/api/v1/participants",
            &json!({"participant": PARTICIPANT, "capabilities": [capability("https://a.example.org/as4"), bad]}),
            Some(ADMIN_TOKEN),
        );
        assert_problem(&refused, 400, "input.invalid");
        ferry.get(&participant_path(PARTICIPANT)).assert_status(404);
        let unknown_field = ferry.post_json(
            "/api/v1/participants",
            &json!({"participant": PARTICIPANT, "bogus": 1}),
            Some(ADMIN_TOKEN),
        );
        assert_problem(&unknown_field, 400, "input.invalid");
    });
}

#[test]
fn users_tokens_and_basic_auth() {
    for_each_database(&[], |ferry| {
        ferry
            .post_json(
                "/api/v1/users",
                &json!({"username": "carol", "password": "carol-password", "admin": false}),
                Some(ADMIN_TOKEN),
            )
            .assert_status(201);
        let token = ferry.post_json(
            "/api/v1/users/carol/tokens",
            &json!({"name": "ci"}),
            Some(ADMIN_TOKEN),
        );
        token.assert_status(201);
        let secret = token.json()["token"].as_str().expect("token").to_owned();

        // carol may not manage users
        assert_problem(
            &ferry.get_auth("/api/v1/users", &secret),
            403,
            "auth.admin_required",
        );
        // Basic auth with her password works for her own participants
        let basic = format!("Basic {}", base64_encode("carol:carol-password"));
        let created = ferry.send(
            "PUT",
            &participant_path(PARTICIPANT),
            None,
            &[("Authorization", basic.as_str())],
            Some((
                "text/xml",
                ferry_e2e::service_group_xml(PARTICIPANT).into_bytes(),
            )),
        );
        created.assert_status(200);
        let wrong = ferry.send(
            "GET",
            "/api/v1/participants",
            None,
            &[("Authorization", "Basic Y2Fyb2w6bm9wZQ==")],
            None,
        );
        assert_problem(&wrong, 401, "auth.invalid");

        let listed = ferry.get_auth("/api/v1/participants", &secret);
        assert_eq!(listed.json()["total"], 1);
        let audit = ferry.get_auth("/api/v1/audit", ADMIN_TOKEN);
        audit.assert_status(200);
        assert!(audit.text().contains("participant.create"));
    });
}

#[test]
fn openapi_document_describes_the_api() {
    for_each_database(&[], |ferry| {
        let doc = ferry.get("/api/v1/openapi.json");
        doc.assert_status(200);
        let v = doc.json();
        assert!(
            v["openapi"].as_str().is_some_and(|s| s.starts_with("3.")),
            "{v}"
        );
        for path in [
            "/api/v1/participants",
            "/api/v1/endpoint-profiles/{name}",
            "/api/v1/users/{username}/tokens",
        ] {
            assert!(v["paths"].get(path).is_some(), "openapi lacks {path}");
        }
        assert!(v["components"]["schemas"].get("NewParticipant").is_some());
    });
}

/// Regressions found by the API conformance run (scripts/api-conformance.sh): endpoint
/// profile bodies (serde `flatten`) accepted unknown fields although the API refuses them,
/// and their OpenAPI schema could not be satisfied by any body.
#[test]
fn endpoint_profile_bodies_refuse_unknown_fields() {
    for_each_database(&[], |ferry| {
        let endpoint = json!({
            "url": "https://ap.example.org/as4",
            "transportProfile": "peppol-transport-as4-v2_0",
            "certificate": ap_cert_b64(),
        });
        let mut profile = endpoint.clone();
        profile["name"] = json!("main-as4");
        let mut bogus = profile.clone();
        bogus["bogus"] = json!(1);
        assert_problem(
            &ferry.post_json("/api/v1/endpoint-profiles", &bogus, Some(ADMIN_TOKEN)),
            400,
            "input.invalid",
        );
        ferry
            .post_json("/api/v1/endpoint-profiles", &profile, Some(ADMIN_TOKEN))
            .assert_status(201);
        assert_problem(
            &ferry.put_json(
                "/api/v1/endpoint-profiles/main-as4",
                &bogus,
                Some(ADMIN_TOKEN),
            ),
            400,
            "input.invalid",
        );
        ferry
            .put_json(
                "/api/v1/endpoint-profiles/main-as4",
                &profile,
                Some(ADMIN_TOKEN),
            )
            .assert_status(200);
        ferry
            .put_json(
                "/api/v1/endpoint-profiles/main-as4",
                &endpoint,
                Some(ADMIN_TOKEN),
            )
            .assert_status(200);

        let doc = ferry.get("/api/v1/openapi.json").json();
        let schema = &doc["components"]["schemas"]["ProfileSpec"];
        assert_eq!(schema["additionalProperties"], false, "{schema}");
        for field in ["name", "url", "transportProfile", "certificate"] {
            assert!(
                schema["required"]
                    .as_array()
                    .is_some_and(|r| r.contains(&json!(field))),
                "{field} not required in {schema}"
            );
        }
    });
}

/// Regression found by the API conformance run: deleting the last administrator answered
/// 400 `input.invalid`, though the request is well formed and only the state forbids it.
#[test]
fn deleting_the_last_administrator_is_a_conflict() {
    for_each_database(&[], |ferry| {
        assert_problem(
            &ferry.delete("/api/v1/users/admin", Some(ADMIN_TOKEN)),
            409,
            "user.last_admin",
        );
        ferry
            .get_auth("/api/v1/users", ADMIN_TOKEN)
            .assert_status(200);
    });
}

/// Regression found by the API conformance run: lengths were counted in bytes where the
/// messages (and the OpenAPI `minLength`/`maxLength`) count characters.
#[test]
fn user_and_token_lengths_count_characters() {
    for_each_database(&[], |ferry| {
        // 4 characters, 8 bytes: too short.
        assert_problem(
            &ferry.post_json(
                "/api/v1/users",
                &json!({"username": "dora", "password": "éééé"}),
                Some(ADMIN_TOKEN),
            ),
            400,
            "input.invalid",
        );
        ferry
            .post_json(
                "/api/v1/users",
                &json!({"username": "dora", "password": "éééééééé"}),
                Some(ADMIN_TOKEN),
            )
            .assert_status(201);
        // 100 characters, 200 bytes: long enough a label, not too long.
        let label = "é".repeat(100);
        ferry
            .post_json(
                "/api/v1/users/dora/tokens",
                &json!({"name": label}),
                Some(ADMIN_TOKEN),
            )
            .assert_status(201);
        assert_problem(
            &ferry.post_json(
                "/api/v1/users/dora/tokens",
                &json!({"name": format!("{label}é")}),
                Some(ADMIN_TOKEN),
            ),
            400,
            "input.invalid",
        );
    });
}

fn base64_encode(s: &str) -> String {
    data_encoding::BASE64.encode(s.as_bytes())
}
