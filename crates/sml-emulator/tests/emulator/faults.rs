//! Fault injection through the admin endpoint, one kind at a time.

use std::time::{Duration, Instant};

use crate::support::{IDS, LRS, PART_ACTION, SCHEME, Soap, envelope, naptr, start};

fn admin_post(url: &str, json: &str) -> reqwest::blocking::Response {
    reqwest::blocking::Client::new()
        .post(format!("{url}/faults"))
        .header("Content-Type", "application/json")
        .body(json.to_owned())
        .send()
        .unwrap()
}

#[test]
fn latency_is_added_until_cleared() {
    let emulator = start(100);
    let admin = emulator.admin_url();
    let a = Soap::new(&emulator, Some("smp"));
    a.sample("bdmsl-isalive.request.xml").assert_empty_ok();
    assert!(
        admin_post(&admin, r#"{"latency_ms": 400}"#)
            .status()
            .is_success()
    );
    let t = Instant::now();
    a.sample("bdmsl-isalive.request.xml").assert_empty_ok();
    assert!(t.elapsed() >= Duration::from_millis(400));
    let got: serde_json::Value = reqwest::blocking::get(format!("{admin}/faults"))
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(got["latency_ms"], 400);
    let cleared = reqwest::blocking::Client::new()
        .delete(format!("{admin}/faults"))
        .send()
        .unwrap();
    assert!(cleared.status().is_success());
    let t = Instant::now();
    a.sample("bdmsl-isalive.request.xml").assert_empty_ok();
    assert!(t.elapsed() < Duration::from_millis(400));
}

#[test]
fn http_errors_have_no_body_and_change_nothing() {
    let emulator = start(100);
    let admin = emulator.admin_url();
    let a = Soap::new(&emulator, Some("smp"));
    admin_post(&admin, r#"{"http_error": {"status": 503, "count": 1}}"#);
    admin_post(
        &admin,
        r#"{"soap_fault": {"kind": "InternalError", "code": 105, "message": "x", "count": 0}}"#,
    );
    let r = a.create_smp("SMP-A", "https://a.example.org");
    assert_eq!((r.status, r.body.as_str()), (503, ""));
    admin_post(&admin, r#"{"http_error": {"status": 500, "count": 2}}"#);
    for _ in 0..2 {
        let r = a.create_smp("SMP-A", "https://a.example.org");
        assert_eq!((r.status, r.body.as_str()), (500, ""));
    }
    // Count used up: the next call goes through, and nothing was stored before.
    a.create_smp("SMP-A", "https://a.example.org")
        .assert_empty_ok();
    // Bad plans are refused.
    assert_eq!(
        admin_post(&admin, r#"{"http_error": {"status": 200, "count": 1}}"#).status(),
        400
    );
    assert_eq!(admin_post(&admin, r#"{"nonsense": 1}"#).status(), 400);
}

#[test]
fn drop_after_commit_commits_then_breaks_the_connection() {
    let emulator = start(100);
    let admin = emulator.admin_url();
    let a = Soap::new(&emulator, Some("smp"));
    a.create_smp("SMP-A", "https://a.example.org")
        .assert_empty_ok();
    admin_post(&admin, r#"{"drop_after_commit": {"count": 1}}"#);
    let p = "0088:5798000000001";
    let body = envelope(&format!(
        r#"<lrs:CreateParticipantIdentifier xmlns:lrs="{LRS}" xmlns:ids="{IDS}"><lrs:ServiceMetadataPublisherID>SMP-A</lrs:ServiceMetadataPublisherID><ids:ParticipantIdentifier scheme="{SCHEME}">{p}</ids:ParticipantIdentifier></lrs:CreateParticipantIdentifier>"#
    ));
    let action = format!("{PART_ACTION}createIn");
    let dropped = a.try_call("manageparticipantidentifier", &action, &body);
    assert!(
        dropped.is_err(),
        "expected a broken connection, got {dropped:?}"
    );
    // The change was committed: DNS has it and a retry of Create is a duplicate.
    assert_eq!(
        naptr(emulator.dns_addr(), p, false),
        Ok(vec!["!.*!https://a.example.org!".to_owned()])
    );
    a.call("manageparticipantidentifier", &action, &body)
        .assert_fault(400, "BadRequestFault", 106);
}

#[test]
fn soap_fault_for_the_next_calls() {
    let emulator = start(100);
    let admin = emulator.admin_url();
    let a = Soap::new(&emulator, Some("smp"));
    let plan = admin_post(
        &admin,
        r#"{"soap_fault": {"kind": "NotFound", "code": 100, "message": "The SMP 'X' doesn't exist.", "count": 2}}"#,
    );
    assert!(plan.status().is_success());
    for _ in 0..2 {
        let f =
            a.create_smp("SMP-A", "https://a.example.org")
                .assert_fault(404, "NotFoundFault", 100);
        assert_eq!(f.message, "[ERR-100] The SMP 'X' doesn't exist.");
    }
    a.create_smp("SMP-A", "https://a.example.org")
        .assert_empty_ok();
    // The Rust API does the same as the admin endpoint.
    emulator.set_faults(sml_emulator::FaultPlan {
        soap_fault: Some(sml_emulator::InjectedSoapFault {
            kind: sml_emulator::FaultKind::InternalError,
            code: 105,
            message: "boom".to_owned(),
            count: 1,
        }),
        ..Default::default()
    });
    a.list("SMP-A", None)
        .assert_fault(500, "InternalErrorFault", 105);
    a.list("SMP-A", None).assert_ok();
}
