//! The parking SMP: APs collect migration keys on a second https listener with their
//! certificate; every outcome has its status and code; quotas blacklist, operators
//! reactivate; per-IP and global limits, which callers without a valid certificate cannot
//! spend; revoked certificates are refused; a collected key moves the participant to
//! another Ferry, after which the parking SMP answers "already migrated".

use ferry_e2e::free_port;
use std::net::IpAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ferry_e2e::{ADMIN_TOKEN, FerryProcess, Response, assert_problem, encode_segment, repo_root};
use serde_json::{Value, json};

use crate::migration::{FAST, InstanceB, capability, wait_for};

const P: &str = "iso6523-actorid-upis::0208:0123456749";
const UNKNOWN: &str = "iso6523-actorid-upis::0208:0000000097";

/// Who calls: an AP identity from certs-test/ap (with extra chain certificates), or nobody.
#[derive(Clone, Copy)]
enum Who {
    Nobody,
    Ap(&'static str, &'static [&'static str]),
}

const VALID: Who = Who::Ap("ap-valid", &[]);

struct Parked {
    ferry: FerryProcess,
    tokens_url: String,
}

fn start(db_dir: &std::path::Path, extra: &[(&str, &str)]) -> Parked {
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let mut env: Vec<(&str, &str)> = FAST.to_vec();
    env.extend([
        ("FERRY_PARKING__ENABLED", "true"),
        ("FERRY_PARKING__BIND", bind.as_str()),
    ]);
    env.extend_from_slice(extra);
    let ferry = FerryProcess::start(&test_support::fresh_sqlite_url(db_dir), &env);
    Parked {
        ferry,
        tokens_url: format!("https://localhost:{port}/api/v1/migration-tokens/"),
    }
}

fn read(rel: &str) -> Vec<u8> {
    let path = repo_root().join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn client(who: Who, source: Option<IpAddr>) -> reqwest::blocking::Client {
    let mut builder = reqwest::blocking::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(&read("certs-test/root/root-ca.crt.pem")).expect("root"),
        )
        .timeout(Duration::from_secs(30))
        .local_address(source);
    if let Who::Ap(name, chain) = who {
        // The leaf first, then intermediates the AP sends along, like a real TLS client.
        let mut pem = read(&format!("certs-test/ap/{name}.crt.pem"));
        for extra in chain {
            pem.extend(read(extra));
        }
        let key = read(&format!("certs-test/ap/{name}.key.pem"));
        builder =
            builder.identity(reqwest::Identity::from_pkcs8_pem(&pem, &key).expect("identity"));
    }
    builder.build().expect("client")
}

impl Parked {
    fn collect_from(&self, who: Who, source: Option<IpAddr>, participant: &str) -> Response {
        let url = format!("{}{}", self.tokens_url, encode_segment(participant));
        let r = client(who, source)
            .get(&url)
            .send()
            .unwrap_or_else(|e| panic!("GET {url}: {e:?}"));
        Response {
            request: format!("GET {url}"),
            status: r.status().as_u16(),
            headers: r
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_owned(),
                        v.to_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect(),
            body: r.bytes().map(|b| b.to_vec()).unwrap_or_default(),
        }
    }

    fn collect(&self, who: Who, participant: &str) -> Response {
        self.collect_from(who, None, participant)
    }

    fn host(&self, participant: &str) {
        self.ferry
            .post_json(
                "/api/v1/participants",
                &json!({"participant": participant, "capabilities": [capability("https://ap-a.example.org/as4")]}),
                Some(ADMIN_TOKEN),
            )
            .assert_status(201);
        wait_for("registration in the SML", || {
            self.ferry
                .get_auth(
                    &format!("/api/v1/participants/{}", encode_segment(participant)),
                    ADMIN_TOKEN,
                )
                .json()["smlState"]
                == "registered"
        });
    }

    fn callers(&self) -> Vec<Value> {
        let r = self.ferry.get_auth("/api/v1/parking/callers", ADMIN_TOKEN);
        r.assert_status(200);
        r.json().as_array().cloned().unwrap_or_default()
    }
}

#[test]
fn every_outcome_has_its_status_and_code_and_a_collected_key_moves_the_participant() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = start(&tmp.path().join("a"), &[]);
    a.host(P);

    assert_problem(&a.collect(Who::Nobody, P), 401, "token.no_certificate");
    assert_problem(
        &a.collect(Who::Ap("ap-expired", &[]), P),
        401,
        "token.certificate_expired",
    );
    assert_problem(
        &a.collect(Who::Ap("ap-not-yet-valid", &[]), P),
        401,
        "token.certificate_not_yet_valid",
    );
    assert_problem(
        &a.collect(Who::Ap("ap-untrusted", &[]), P),
        401,
        "token.untrusted_certificate",
    );
    assert_problem(
        &a.collect(Who::Ap("ap-not-ap", &["certs-test/smp/smp-ca.crt.pem"]), P),
        401,
        "token.not_an_ap_certificate",
    );
    assert_problem(
        &a.collect(VALID, "no-scheme-at-all"),
        404,
        "token.invalid_participant",
    );
    assert_problem(&a.collect(VALID, UNKNOWN), 404, "token.unknown_participant");

    // Inactive participants hand out nothing.
    let lifecycle = format!(
        "/api/v1/parking/participants/{}/lifecycle",
        encode_segment(P)
    );
    a.ferry
        .put_json(
            &lifecycle,
            &json!({"lifecycle": "inactive"}),
            Some(ADMIN_TOKEN),
        )
        .assert_status(204);
    assert_problem(&a.collect(VALID, P), 404, "token.participant_inactive");
    a.ferry
        .put_json(
            &lifecycle,
            &json!({"lifecycle": "active"}),
            Some(ADMIN_TOKEN),
        )
        .assert_status(204);

    let first = a.collect(VALID, P);
    first.assert_status(200);
    let body = first.json();
    assert_eq!(body["participant"], P, "{first}");
    let key = body["migrationKey"]
        .as_str()
        .expect("migrationKey")
        .to_owned();
    // The open migration's key is handed out again, not replaced.
    assert_eq!(a.collect(VALID, P).json()["migrationKey"], key.as_str());

    // Every verified attempt is in the log with its caller, participant and outcome; the
    // refusals before verification are only counted (rows per minute, without caller).
    let log = a
        .ferry
        .get_auth("/api/v1/parking/collections?limit=100", ADMIN_TOKEN)
        .json();
    let rows = log.as_array().expect("array");
    let outcomes: Vec<&str> = rows.iter().filter_map(|r| r["outcome"].as_str()).collect();
    for code in [
        "ok",
        "token.invalid_participant",
        "token.unknown_participant",
        "token.participant_inactive",
    ] {
        assert!(outcomes.contains(&code), "{code} missing from {outcomes:?}");
    }
    for row in rows {
        if row["callerId"].is_null() {
            assert!(
                row["outcome"]
                    .as_str()
                    .is_some_and(|o| o.starts_with("token.") && o != "token.unknown_participant"),
                "{row}"
            );
        } else {
            assert_eq!(row["attempts"], 1, "{row}");
        }
    }
    let ok = log
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["outcome"] == "ok"))
        .expect("an ok row");
    assert_eq!(ok["participant"], P.to_lowercase());
    assert_eq!(ok["httpStatus"], 200);
    assert!(
        ok["callerSubject"]
            .as_str()
            .unwrap_or_default()
            .contains("PBE000001"),
        "{ok}"
    );

    // The key lets another Ferry take the participant over through the emulator.
    let b = InstanceB::new(a.ferry.sml_emulator(), &tmp.path().join("b")).start();
    let arrived = b.post_json(
        "/api/v1/migrations",
        &json!({"participant": P, "migrationKey": key, "capabilities": [capability("https://ap-b.example.org/as4")]}),
        Some(ADMIN_TOKEN),
    );
    arrived.assert_status(201);
    assert_eq!(arrived.json()["status"], "completed", "{}", arrived.text());
    wait_for("the parking SMP to see the takeover", || {
        a.collect(VALID, P).status == 404
    });
    assert_problem(&a.collect(VALID, P), 404, "token.already_migrated");
    // Still so after the grace period, when the participant is gone from A.
    wait_for("A to clean up after the grace period", || {
        a.ferry.get(&format!("/{}", encode_segment(P))).status == 404
    });
    assert_problem(&a.collect(VALID, P), 404, "token.already_migrated");
}

/// Seconds left in the current clock minute (the limits count per minute).
fn seconds_left_in_minute() -> u64 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock");
    60 - now.as_secs() % 60
}

/// Sleeps into the next clock minute, so the limit windows start empty.
fn next_minute() {
    std::thread::sleep(Duration::from_secs(seconds_left_in_minute()) + Duration::from_millis(200));
}

#[test]
fn quota_blacklists_operators_reactivate_and_limits_hold() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = start(
        &tmp.path().join("a"),
        &[("FERRY_PARKING__DAILY_QUOTA", "2")],
    );
    // Unknown participants count against the quota too: probing is what it limits.
    assert_problem(&a.collect(VALID, UNKNOWN), 404, "token.unknown_participant");
    assert_problem(&a.collect(VALID, UNKNOWN), 404, "token.unknown_participant");
    assert_problem(&a.collect(VALID, UNKNOWN), 403, "token.blacklisted");
    assert_problem(&a.collect(VALID, UNKNOWN), 403, "token.blacklisted");

    let callers = a.callers();
    assert_eq!(callers.len(), 1, "{callers:?}");
    let caller = &callers[0];
    assert_eq!(caller["status"], "blacklisted");
    assert_eq!(caller["usedToday"], 2);
    assert_eq!(caller["quota"], 2);
    assert_eq!(caller["seatId"], "PBE000001");
    let id = caller["id"].as_str().expect("id").to_owned();

    // Administrators only.
    assert_eq!(
        a.ferry
            .post_json(
                &format!("/api/v1/parking/callers/{id}/reactivate"),
                &json!({}),
                None
            )
            .status,
        401
    );
    let reactivated = a.ferry.post_json(
        &format!("/api/v1/parking/callers/{id}/reactivate"),
        &json!({}),
        Some(ADMIN_TOKEN),
    );
    reactivated.assert_status(200);
    assert_eq!(reactivated.json()["status"], "active");
    assert_eq!(reactivated.json()["usedToday"], 0);
    assert_problem(&a.collect(VALID, UNKNOWN), 404, "token.unknown_participant");

    // A larger allowance from a date in the past applies at once; its own quota otherwise.
    let scheduled = a.ferry.put_json(
        &format!("/api/v1/parking/callers/{id}/allowance"),
        &json!({"from": "2026-01-01T00:00:00Z", "dailyQuota": 500}),
        Some(ADMIN_TOKEN),
    );
    scheduled.assert_status(200);
    assert_eq!(scheduled.json()["quota"], 500);
    let own = a.ferry.put_json(
        &format!("/api/v1/parking/callers/{id}/quota"),
        &json!({"dailyQuota": 7}),
        Some(ADMIN_TOKEN),
    );
    assert_eq!(own.json()["dailyQuota"], 7);
    assert_problem(
        &a.ferry.post_json(
            "/api/v1/parking/callers/00/reactivate",
            &json!({}),
            Some(ADMIN_TOKEN),
        ),
        404,
        "parking.caller_not_found",
    );

    // Per-IP limit, from loopback sources of their own (earlier calls came from 127.0.0.1).
    let ip3: IpAddr = "127.0.0.3".parse().expect("ip");
    let ip4: IpAddr = "127.0.0.4".parse().expect("ip");
    a.ferry
        .put_json(
            "/api/v1/parking/limits",
            &json!({"dailyQuota": 1000, "perIpPerMinute": 2, "globalPerMinute": 1000}),
            Some(ADMIN_TOKEN),
        )
        .assert_status(200);
    if seconds_left_in_minute() < 10 {
        next_minute();
    }
    assert_problem(
        &a.collect_from(VALID, Some(ip3), UNKNOWN),
        404,
        "token.unknown_participant",
    );
    assert_problem(
        &a.collect_from(VALID, Some(ip3), UNKNOWN),
        404,
        "token.unknown_participant",
    );
    assert_problem(
        &a.collect_from(VALID, Some(ip3), UNKNOWN),
        403,
        "token.ip_limit",
    );
    assert_problem(
        &a.collect_from(Who::Nobody, Some(ip4), UNKNOWN),
        401,
        "token.no_certificate",
    );

    // Global limit: two addresses together exhaust it. Requests without a certificate do
    // not spend it.
    a.ferry
        .put_json(
            "/api/v1/parking/limits",
            &json!({"dailyQuota": 1000, "perIpPerMinute": 100, "globalPerMinute": 3}),
            Some(ADMIN_TOKEN),
        )
        .assert_status(200);
    next_minute();
    for ip in [ip3, ip4, ip3, ip4] {
        assert_problem(
            &a.collect_from(Who::Nobody, Some(ip), UNKNOWN),
            401,
            "token.no_certificate",
        );
    }
    for ip in [ip3, ip4, ip3] {
        assert_problem(
            &a.collect_from(VALID, Some(ip), UNKNOWN),
            404,
            "token.unknown_participant",
        );
    }
    assert_problem(
        &a.collect_from(VALID, Some(ip4), UNKNOWN),
        403,
        "token.global_limit",
    );
    // The refusals of the minute before are in the log now, counted per address.
    wait_for("the counted refusals of the last minute", || {
        a.ferry
            .get_auth("/api/v1/parking/collections?limit=1000", ADMIN_TOKEN)
            .json()
            .as_array()
            .is_some_and(|rows| {
                rows.iter().any(|r| {
                    r["outcome"] == "token.no_certificate"
                        && r["clientIp"] == "127.0.0.4"
                        && r["attempts"] == 1
                        && r["callerId"].is_null()
                }) && rows.iter().any(|r| {
                    r["outcome"] == "token.ip_limit"
                        && r["clientIp"] == "127.0.0.3"
                        && r["callerId"].as_str() == Some(id.as_str())
                })
            })
    });
    let limits = a
        .ferry
        .get_auth("/api/v1/parking/limits", ADMIN_TOKEN)
        .json();
    assert_eq!(limits["globalPerMinute"], 3);
}

#[test]
fn production_refuses_test_certificates() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = start(
        &tmp.path().join("a"),
        &[("FERRY_PARKING__ENVIRONMENT", "production")],
    );
    assert_problem(&a.collect(VALID, UNKNOWN), 401, "token.wrong_environment");
    // Both the token route and the operator routes are documented.
    let spec = a.ferry.get("/api/v1/openapi.json").json();
    for path in [
        "/api/v1/migration-tokens/{participant}",
        "/api/v1/parking/callers",
        "/api/v1/parking/callers/{id}/reactivate",
        "/api/v1/parking/limits",
        "/api/v1/parking/collections",
    ] {
        assert!(
            spec["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert_problem(
        &a.collect(Who::Ap("ap-expired", &[]), UNKNOWN),
        401,
        "token.certificate_expired",
    );
}

/// Regression: the global limit was spent before the certificate check, so anybody without
/// a certificate could lock every AP out with `403 token.global_limit`.
#[test]
fn callers_without_a_valid_certificate_cannot_lock_out_the_aps() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = start(
        &tmp.path().join("a"),
        &[
            ("FERRY_PARKING__PER_IP_PER_MINUTE", "5"),
            ("FERRY_PARKING__GLOBAL_PER_MINUTE", "3"),
        ],
    );
    if seconds_left_in_minute() < 15 {
        next_minute();
    }
    let attackers: [IpAddr; 3] =
        ["127.0.0.5", "127.0.0.6", "127.0.0.7"].map(|s| s.parse().expect("ip"));
    for ip in attackers {
        for _ in 0..5 {
            assert_problem(
                &a.collect_from(Who::Nobody, Some(ip), UNKNOWN),
                401,
                "token.no_certificate",
            );
        }
        // Bounded per address, without the certificate being looked at again.
        assert_problem(
            &a.collect_from(Who::Ap("ap-untrusted", &[]), Some(ip), UNKNOWN),
            403,
            "token.ip_limit",
        );
    }
    let ap: IpAddr = "127.0.0.8".parse().expect("ip");
    for _ in 0..3 {
        assert_problem(
            &a.collect_from(VALID, Some(ap), UNKNOWN),
            404,
            "token.unknown_participant",
        );
    }
    assert_problem(
        &a.collect_from(VALID, Some(ap), UNKNOWN),
        403,
        "token.global_limit",
    );
    // Only the verified requests are rows of their own.
    let log = a
        .ferry
        .get_auth("/api/v1/parking/collections?limit=1000", ADMIN_TOKEN)
        .json();
    let own: Vec<&Value> = log
        .as_array()
        .expect("array")
        .iter()
        .filter(|r| {
            !r["callerId"].is_null() && r["attempts"] == 1 && r["outcome"] != "token.global_limit"
        })
        .collect();
    assert_eq!(own.len(), 3, "{log}");
}

/// A CRL file of the AP CA revoking the test AP certificate.
fn crl_revoking_ap_valid(dir: &std::path::Path) -> std::path::PathBuf {
    use openssl::asn1::Asn1Time;
    use openssl::bn::BigNum;
    use openssl::hash::MessageDigest;
    use openssl::pkey::PKey;
    use openssl::x509::extension::AuthorityKeyIdentifier;
    use openssl::x509::{CrlNumber, X509, X509CrlBuilder, X509RevokedBuilder};

    let ca = X509::from_pem(&read("certs-test/ap/ap-ca.crt.pem")).expect("AP CA");
    let key = PKey::private_key_from_pem(&read("certs-test/ap/ap-ca.key.pem")).expect("AP CA key");
    let revoked = X509::from_pem(&read("certs-test/ap/ap-valid.crt.pem")).expect("AP certificate");
    let now = Asn1Time::days_from_now(0).expect("time");
    let mut entry = X509RevokedBuilder::new().expect("revoked");
    entry
        .set_serial_number(revoked.serial_number())
        .expect("serial");
    entry.set_revocation_date(&now).expect("date");
    let dummy = X509::builder().expect("builder");
    let ctx = dummy.x509v3_context(Some(&ca), None);
    let mut crl = X509CrlBuilder::new().expect("CRL");
    crl.set_issuer_name(ca.subject_name()).expect("issuer");
    crl.set_last_update(&now).expect("lastUpdate");
    crl.set_next_update(&Asn1Time::days_from_now(7).expect("time"))
        .expect("nextUpdate");
    crl.append_extension(
        AuthorityKeyIdentifier::new()
            .keyid(true)
            .build(&ctx)
            .expect("AKI"),
    )
    .expect("AKI");
    crl.append_extension(
        CrlNumber::new(BigNum::from_u32(1).expect("bn"))
            .expect("number")
            .build()
            .expect("number"),
    )
    .expect("number");
    crl.add_revoked(entry.build()).expect("entry");
    crl.sign(&key, MessageDigest::sha256()).expect("sign");
    let path = dir.join("ap-ca.crl.pem");
    std::fs::write(&path, crl.build().expect("CRL").to_pem().expect("PEM")).expect("write CRL");
    path
}

#[test]
fn certificates_on_a_configured_crl_are_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let crl = crl_revoking_ap_valid(tmp.path());
    let files = format!("[\"{}\"]", crl.display());
    let a = start(
        &tmp.path().join("a"),
        &[("FERRY_PARKING__CRL_FILES", files.as_str())],
    );
    assert_problem(&a.collect(VALID, UNKNOWN), 401, "token.certificate_revoked");
    // Certificate defects that come first keep their outcome.
    assert_problem(
        &a.collect(Who::Ap("ap-expired", &[]), UNKNOWN),
        401,
        "token.certificate_expired",
    );
}

/// Regressions found by the API conformance run (scripts/api-conformance.sh): operator
/// bodies took `5` but not `5.0` for an integer (JSON Schema's integers include both),
/// accepted unknown fields although the API refuses them, and the collection log read a
/// negative offset as 0 where every other list refuses it.
#[test]
fn operator_bodies_and_paging_are_as_documented() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = start(&tmp.path().join("a"), &[]);
    let limits = a.ferry.put_json(
        "/api/v1/parking/limits",
        &json!({"dailyQuota": 7.0, "perIpPerMinute": 60, "globalPerMinute": 600.0}),
        Some(ADMIN_TOKEN),
    );
    limits.assert_status(200);
    assert_eq!(limits.json()["dailyQuota"], 7);
    assert_eq!(limits.json()["globalPerMinute"], 600);
    for refused in [
        json!({"dailyQuota": 7.5, "perIpPerMinute": 60, "globalPerMinute": 600}),
        json!({"dailyQuota": -7, "perIpPerMinute": 60, "globalPerMinute": 600}),
        json!({"dailyQuota": 7, "perIpPerMinute": 60, "globalPerMinute": 600, "burst": 1}),
    ] {
        assert_problem(
            &a.ferry
                .put_json("/api/v1/parking/limits", &refused, Some(ADMIN_TOKEN)),
            400,
            "input.invalid",
        );
    }
    // A whole float reaches the caller lookup (no such caller here) instead of being refused.
    let quota = a.ferry.put_json(
        "/api/v1/parking/callers/00/quota",
        &json!({"dailyQuota": 3.0}),
        Some(ADMIN_TOKEN),
    );
    assert_problem(&quota, 404, "parking.caller_not_found");
    let allowance = a.ferry.put_json(
        "/api/v1/parking/callers/00/allowance",
        &json!({"from": "2026-12-01T00:00:00Z", "dailyQuota": 3, "until": "never"}),
        Some(ADMIN_TOKEN),
    );
    assert_problem(&allowance, 400, "input.invalid");
    let lifecycle = a.ferry.put_json(
        &format!(
            "/api/v1/parking/participants/{}/lifecycle",
            encode_segment(UNKNOWN)
        ),
        &json!({"lifecycle": "paused"}),
        Some(ADMIN_TOKEN),
    );
    assert_problem(&lifecycle, 400, "input.invalid");
    assert_problem(
        &a.ferry
            .get_auth("/api/v1/parking/collections?offset=-1", ADMIN_TOKEN),
        400,
        "input.invalid",
    );
    a.ferry
        .get_auth("/api/v1/parking/collections?offset=0&limit=5", ADMIN_TOKEN)
        .assert_status(200);
}
