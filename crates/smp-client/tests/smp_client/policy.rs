//! The fetch policy against real sockets: what is refused, and that refusing costs nothing.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use smp_client::{FetchPolicy, SmpClient, SmpClientError};
use test_support::http_stub::{self, Response};

use crate::support::{local_policy, raw_server, write_head};

fn get(policy: &FetchPolicy, url: &str) -> Result<Vec<u8>, SmpClientError> {
    SmpClient::new(policy, None).unwrap().get(url)
}

fn ok_server() -> String {
    http_stub::serve(|_| Response {
        status: 200,
        content_type: "text/plain",
        body: b"hello".to_vec(),
    })
}

#[test]
fn an_http_redirect_is_refused_and_not_followed() {
    let (target, target_hits) = raw_server(|s| write_head(&s, "200 OK", &["Content-Length: 0"]));
    let location = format!("{target}/elsewhere");
    let header = format!("Location: {location}");
    let (base, _) = raw_server(move |s| {
        write_head(&s, "302 Found", &[&header, "Content-Length: 0"]);
    });
    let err = get(&local_policy(), &format!("{base}/x")).unwrap_err();
    assert_eq!(err.code(), "smp_client.redirect_refused", "{err}");
    assert!(
        err.to_string().contains(&location),
        "names the Location: {err}"
    );
    assert!(err.is_policy_refusal());
    assert_eq!(target_hits.load(Ordering::SeqCst), 0, "never followed");
}

#[test]
fn http_is_refused_unless_allowed() {
    let (base, hits) = raw_server(|s| write_head(&s, "200 OK", &["Content-Length: 0"]));
    let https_only = FetchPolicy {
        allow_http: false,
        ..local_policy()
    };
    let err = get(&https_only, &format!("{base}/x")).unwrap_err();
    assert_eq!(err.code(), "smp_client.insecure_scheme", "{err}");
    assert_eq!(hits.load(Ordering::SeqCst), 0, "refused before connecting");
    assert!(get(&local_policy(), &format!("{base}/x")).is_ok());
}

#[test]
fn loopback_is_refused_unless_allowed_also_behind_a_name() {
    let base = ok_server();
    let public_only = FetchPolicy {
        allow_private_networks: false,
        ..local_policy()
    };
    let err = get(&public_only, &format!("{base}/x")).unwrap_err();
    assert_eq!(err.code(), "smp_client.private_address", "{err}");
    // A host name is judged by what it resolves to, not by its spelling.
    let by_name = base.replace("127.0.0.1", "localhost");
    let err = get(&public_only, &format!("{by_name}/x")).unwrap_err();
    assert_eq!(err.code(), "smp_client.private_address", "{err}");
    assert!(err.to_string().contains("localhost"), "{err}");
    assert_eq!(
        get(&local_policy(), &format!("{by_name}/x")).unwrap(),
        b"hello"
    );
}

#[test]
fn an_oversized_body_is_refused_without_reading_it_all() {
    // Streams without Content-Length until the client hangs up; counts what it wrote.
    let written = Arc::new(AtomicUsize::new(0));
    let counter = written.clone();
    let (base, _) = raw_server(move |mut s| {
        write_head(
            &s,
            "200 OK",
            &["Content-Type: text/xml", "Connection: close"],
        );
        let chunk = vec![b'x'; 64 * 1024];
        for _ in 0..(1024 * 1024) {
            if s.write_all(&chunk).is_err() {
                return;
            }
            counter.fetch_add(chunk.len(), Ordering::SeqCst);
        }
    });
    let policy = FetchPolicy {
        max_body_bytes: 100 * 1024,
        ..local_policy()
    };
    let err = get(&policy, &format!("{base}/big")).unwrap_err();
    assert_eq!(err.code(), "smp_client.body_too_large", "{err}");
    std::thread::sleep(Duration::from_millis(200));
    let sent = written.load(Ordering::SeqCst);
    assert!(
        sent < 64 * 1024 * 1024,
        "the client stopped reading early, the server wrote only {sent} bytes"
    );

    // A declared length over the limit is refused before reading.
    let (declared, _) = raw_server(|s| {
        write_head(&s, "200 OK", &["Content-Length: 999999999"]);
        std::thread::sleep(Duration::from_secs(2));
    });
    let started = Instant::now();
    let err = get(&policy, &format!("{declared}/big")).unwrap_err();
    assert_eq!(err.code(), "smp_client.body_too_large", "{err}");
    assert!(
        err.to_string().contains("Content-Length 999999999"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn a_silent_or_slow_server_times_out() {
    let policy = FetchPolicy {
        timeout: Duration::from_millis(700),
        ..local_policy()
    };
    // Accepts, never answers.
    let (silent, _) = raw_server(|_s| std::thread::sleep(Duration::from_secs(10)));
    let started = Instant::now();
    let err = get(&policy, &format!("{silent}/x")).unwrap_err();
    assert_eq!(err.code(), "smp_client.timeout", "{err}");
    assert!(err.is_retryable());
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    // Answers at once, then drips the body one byte every 100 ms: the limit is for the
    // whole request, not per read.
    let (drip, _) = raw_server(|mut s| {
        write_head(&s, "200 OK", &["Content-Length: 1000"]);
        for _ in 0..1000 {
            if s.write_all(b"x").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let started = Instant::now();
    let err = get(&policy, &format!("{drip}/x")).unwrap_err();
    assert_eq!(err.code(), "smp_client.timeout", "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn statuses_are_errors_with_their_own_codes() {
    let base = http_stub::serve(|r| {
        Response::empty(if r.path.ends_with("/missing") {
            404
        } else {
            503
        })
    });
    let err = get(&local_policy(), &format!("{base}/missing")).unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let err = get(&local_policy(), &format!("{base}/down")).unwrap_err();
    assert_eq!(err.code(), "smp_client.http_status");
    assert!(err.is_retryable());
}
