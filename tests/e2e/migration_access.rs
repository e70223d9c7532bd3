//! Who sees which migration and its key: a key is a credential, shown once when it is
//! prepared and afterwards only through an audited reveal; migrations and bulks are visible
//! to their creator (by user id) and administrators; unknown bulks are not found; negative
//! offsets are refused.

use ferry_e2e::{ADMIN_TOKEN, FerryProcess, assert_problem, encode_segment, for_each_database};
use serde_json::{Value, json};

use crate::migration::wait_for;

const P: &str = "iso6523-actorid-upis::0208:0123456749";

fn user_token(ferry: &FerryProcess, name: &str) -> String {
    ferry
        .post_json(
            "/api/v1/users",
            &json!({"username": name, "password": format!("{name}-password"), "admin": false}),
            Some(ADMIN_TOKEN),
        )
        .assert_status(201);
    let token = ferry.post_json(
        &format!("/api/v1/users/{name}/tokens"),
        &json!({"name": "t"}),
        Some(ADMIN_TOKEN),
    );
    token.assert_status(201);
    token.json()["token"].as_str().expect("token").to_owned()
}

fn sml_state(ferry: &FerryProcess) -> Value {
    ferry
        .get_auth(
            &format!("/api/v1/participants/{}", encode_segment(P)),
            ADMIN_TOKEN,
        )
        .json()["smlState"]
        .clone()
}

#[test]
fn a_key_is_shown_once_then_only_through_an_audited_reveal() {
    for_each_database(&[], |ferry| {
        ferry
            .post_json(
                "/api/v1/participants",
                &json!({"participant": P}),
                Some(ADMIN_TOKEN),
            )
            .assert_status(201);
        wait_for("the participant is registered", || {
            sml_state(ferry) == "registered"
        });
        let prepared = ferry.post_json(
            &format!("/api/v1/participants/{}/migration-key", encode_segment(P)),
            &json!({}),
            Some(ADMIN_TOKEN),
        );
        prepared.assert_status(200);
        let key = prepared.json()["migrationKey"]
            .as_str()
            .expect("key")
            .to_owned();
        let id = prepared.json()["migrationId"]
            .as_str()
            .expect("id")
            .to_owned();

        let shown = ferry.get_auth(&format!("/api/v1/migrations/{id}"), ADMIN_TOKEN);
        assert!(shown.json()["migrationKey"].is_null(), "{}", shown.text());
        let listed = ferry.get_auth("/api/v1/migrations?direction=outbound", ADMIN_TOKEN);
        assert_eq!(listed.json()["total"], 1);
        assert!(listed.json()["items"][0]["migrationKey"].is_null());

        let revealed = ferry.post_json(
            &format!("/api/v1/migrations/{id}/reveal-key"),
            &json!({}),
            Some(ADMIN_TOKEN),
        );
        revealed.assert_status(200);
        assert_eq!(revealed.json()["migrationKey"], key.as_str());
        let audit = ferry.get_auth("/api/v1/audit", ADMIN_TOKEN).json();
        let reveals = audit
            .as_array()
            .map(|rows| {
                rows.iter()
                    .filter(|r| {
                        r["action"] == "migration.key_revealed" && r["target"] == id.as_str()
                    })
                    .count()
            })
            .unwrap_or(0);
        assert_eq!(reveals, 1, "{audit}");

        // Another user neither sees the migration nor its key.
        let eve = user_token(ferry, "eve");
        assert_problem(
            &ferry.post_json(
                &format!("/api/v1/migrations/{id}/reveal-key"),
                &json!({}),
                Some(&eve),
            ),
            404,
            "migration.not_found",
        );
    });
}

#[test]
fn bulks_belong_to_their_creator_and_unknown_ones_are_not_found() {
    for_each_database(&[], |ferry| {
        assert_problem(
            &ferry.get_auth("/api/v1/migrations/bulk/blk_doesnotexist", ADMIN_TOKEN),
            404,
            "migration.not_found",
        );
        let bob = user_token(ferry, "bob");
        let created = ferry.post_json(
            "/api/v1/migrations/bulk",
            &json!({"items": [{"participant": P}]}),
            Some(&bob),
        );
        created.assert_status(202);
        let bulk = created.json()["id"].as_str().expect("bulk id").to_owned();
        let progress = format!("/api/v1/migrations/bulk/{bulk}");
        ferry.get_auth(&progress, &bob).assert_status(200);
        ferry.get_auth(&progress, ADMIN_TOKEN).assert_status(200);
        let alice = user_token(ferry, "alice");
        assert_problem(
            &ferry.get_auth(&progress, &alice),
            404,
            "migration.not_found",
        );

        // A user deleted and created again under the same name is another user.
        let migration = ferry
            .get_auth(&format!("/api/v1/migrations?bulkId={bulk}"), ADMIN_TOKEN)
            .json()["items"][0]["id"]
            .as_str()
            .expect("migration id")
            .to_owned();
        ferry
            .get_auth(&format!("/api/v1/migrations/{migration}"), &bob)
            .assert_status(200);
        ferry
            .delete("/api/v1/users/bob", Some(ADMIN_TOKEN))
            .assert_status(204);
        let new_bob = user_token(ferry, "bob");
        assert_problem(
            &ferry.get_auth(&format!("/api/v1/migrations/{migration}"), &new_bob),
            404,
            "migration.not_found",
        );
        assert_problem(
            &ferry.get_auth(&progress, &new_bob),
            404,
            "migration.not_found",
        );
    });
}

#[test]
fn negative_offsets_are_refused() {
    for_each_database(&[], |ferry| {
        for path in [
            "/api/v1/migrations?offset=-1",
            "/api/v1/participants?offset=-5",
        ] {
            assert_problem(&ferry.get_auth(path, ADMIN_TOKEN), 400, "input.invalid");
        }
        ferry
            .get_auth("/api/v1/migrations?offset=0", ADMIN_TOKEN)
            .assert_status(200);
    });
}

/// JSON API paths decode identifiers once, like the XML routes: `%253A` is a literal `%3A`
/// in the identifier (and refused), never a second-hand `:`.
#[test]
fn path_identifiers_are_decoded_exactly_once() {
    for_each_database(&[], |ferry| {
        ferry
            .post_json(
                "/api/v1/participants",
                &json!({"participant": P}),
                Some(ADMIN_TOKEN),
            )
            .assert_status(201);
        let once = "iso6523-actorid-upis%3A%3A0208%3A0123456749";
        let twice = "iso6523-actorid-upis%3A%3A0208%253A0123456749";
        ferry
            .get_auth(&format!("/api/v1/participants/{once}"), ADMIN_TOKEN)
            .assert_status(200);
        ferry.get(&format!("/{once}")).assert_status(200);
        let json = ferry.get_auth(&format!("/api/v1/participants/{twice}"), ADMIN_TOKEN);
        let xml = ferry.get(&format!("/{twice}"));
        assert_eq!(json.status, xml.status, "{} / {}", json.text(), xml.text());
        assert_eq!(json.status, 400, "{}", json.text());
    });
}
