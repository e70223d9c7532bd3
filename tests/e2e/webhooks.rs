//! Events and webhooks through the real binary: a webhook registered over the API receives
//! `participant.registered` at a local receiver with a valid HMAC-SHA256 signature, and the
//! same event is listed by `GET /api/v1/events`.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::sync::{Mutex, mpsc};
use std::time::Duration;

use ferry_e2e::{ADMIN_TOKEN, PARTICIPANT, assert_problem, for_each_database};
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::sign::Signer;
use serde_json::json;
use test_support::http_stub::{self, Response};

pub(crate) use test_support::http_stub::Request as Received;

/// A local HTTP receiver answering 204 to everything; requests arrive on the channel.
pub(crate) fn receiver() -> (String, mpsc::Receiver<Received>) {
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let base = http_stub::serve(move |request| {
        let _ = tx.lock().unwrap().send(request.clone());
        Response::empty(204)
    });
    (format!("{base}/ferry-events"), rx)
}

pub(crate) fn hmac_sha256_hex(secret: &str, body: &[u8]) -> String {
    let key = PKey::hmac(secret.as_bytes()).unwrap();
    let mut signer = Signer::new(MessageDigest::sha256(), &key).unwrap();
    signer.update(body).unwrap();
    data_encoding::HEXLOWER.encode(&signer.sign_to_vec().unwrap())
}

#[test]
fn a_registration_reaches_the_webhook_signed_and_is_polled() {
    for_each_database(&[], |ferry| {
        let (url, inbox) = receiver();
        let created = ferry.post_json(
            "/api/v1/webhooks",
            &json!({"url": url, "events": ["participant.registered"]}),
            Some(ADMIN_TOKEN),
        );
        created.assert_status(201);
        let hook = created.json();
        let secret = hook["secret"].as_str().unwrap().to_owned();
        let id = hook["id"].as_str().unwrap().to_owned();
        let listed = ferry.get_auth("/api/v1/webhooks", ADMIN_TOKEN);
        listed.assert_status(200);
        assert_eq!(listed.json()[0]["id"], id.as_str());
        assert!(listed.json()[0].get("secret").is_none());

        ferry
            .post_json(
                "/api/v1/participants",
                &json!({"participant": PARTICIPANT}),
                Some(ADMIN_TOKEN),
            )
            .assert_status(201);

        let got = inbox
            .recv_timeout(Duration::from_secs(20))
            .expect("no webhook arrived within 20 s");
        assert_eq!(got.headers["x-ferry-event"], "participant.registered");
        assert_eq!(got.headers["content-type"], "application/json");
        assert_eq!(
            got.headers["x-ferry-signature"],
            format!("sha256={}", hmac_sha256_hex(&secret, &got.body)),
            "signature does not verify"
        );
        let body: serde_json::Value = serde_json::from_slice(&got.body).unwrap();
        assert_eq!(body["type"], "participant.registered");
        assert_eq!(body["data"]["participant"], PARTICIPANT);

        let events = ferry.get_auth("/api/v1/events?after=0", ADMIN_TOKEN);
        events.assert_status(200);
        let events = events.json();
        assert_eq!(events.as_array().unwrap().len(), 1);
        assert_eq!(events[0]["id"], body["id"]);
        assert_eq!(events[0]["type"], "participant.registered");
        assert_eq!(events[0]["data"], body["data"]);
        let seq = events[0]["seq"].as_i64().unwrap();
        let rest = ferry.get_auth(&format!("/api/v1/events?after={seq}"), ADMIN_TOKEN);
        assert_eq!(rest.json(), json!([]));

        // The delivery log records the success (the worker writes it after the answer).
        let deliveries_path = format!("/api/v1/webhooks/{id}/deliveries");
        let mut delivered = false;
        for _ in 0..100 {
            let log = ferry.get_auth(&deliveries_path, ADMIN_TOKEN).json();
            if log[0]["status"] == "delivered" {
                assert_eq!(log[0]["lastHttpStatus"], 204);
                assert_eq!(log[0]["id"].to_string(), got.headers["x-ferry-delivery"]);
                delivered = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(delivered, "the delivery was not recorded as delivered");

        assert_problem(
            &ferry.post_json(
                "/api/v1/webhooks",
                &json!({"url": "ftp://example.org/", "events": ["*"]}),
                Some(ADMIN_TOKEN),
            ),
            400,
            "input.invalid",
        );
        ferry
            .delete(&format!("/api/v1/webhooks/{id}"), Some(ADMIN_TOKEN))
            .assert_status(204);
        assert_problem(
            &ferry.get_auth(&deliveries_path, ADMIN_TOKEN),
            404,
            "webhook.not_found",
        );
        assert_problem(&ferry.get("/api/v1/events"), 401, "auth.missing");
    });
}
