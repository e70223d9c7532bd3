//! Lookups against loopback SMPs: signed metadata checked, references and redirects kept on
//! the participant's SMP host.

use smp_client::{FetchPolicy, LookupStep};

use crate::support::{
    ENDPOINT, client, doctype, local_policy, metadata_href, participant, service_group,
    signed_information, signed_redirect, smp,
};

#[test]
fn signed_metadata_is_read_and_checked() {
    let base = smp(
        |base| service_group(vec![metadata_href(base)]),
        |_| signed_information(),
    );
    let report = client(&local_policy())
        .lookup(&participant(), &base, None, Some(&doctype()))
        .unwrap();
    assert_eq!(report.document_types, [doctype().to_string()]);
    assert!(
        report.failed_checks.is_empty(),
        "{:?}",
        report.failed_checks
    );
    let metadata = report.metadata.unwrap();
    assert!(metadata.signature.valid && metadata.signature.chain_trusted);
    assert_eq!(
        metadata.signature.signer.as_deref(),
        Some("CN=FERRY-TEST-SMP, O=Ferry Test, C=BE")
    );
    assert_eq!(metadata.processes[0].endpoints[0].url, ENDPOINT);

    let endpoint = client(&local_policy())
        .first_endpoint(&base, &participant())
        .unwrap()
        .unwrap();
    assert_eq!(endpoint.address, ENDPOINT);
}

#[test]
fn a_reference_on_another_host_is_refused() {
    // The ServiceGroup is served from 127.0.0.1 but points at `localhost`.
    let base = smp(
        |base| service_group(vec![metadata_href(&base.replace("127.0.0.1", "localhost"))]),
        |_| signed_information(),
    );
    let failure = client(&local_policy())
        .lookup(&participant(), &base, None, Some(&doctype()))
        .unwrap_err();
    assert_eq!(failure.step, LookupStep::Metadata);
    assert_eq!(
        failure.error.code(),
        "smp_client.host_mismatch",
        "{failure}"
    );
    let err = client(&local_policy())
        .first_endpoint(&base, &participant())
        .unwrap_err();
    assert_eq!(err.code(), "smp_client.host_mismatch", "{err}");
}

#[test]
fn a_redirect_to_another_host_is_a_failed_check_unless_allowed() {
    let other = smp(|_| Vec::new(), |_| signed_information());
    let target = metadata_href(&other.replace("127.0.0.1", "localhost"));
    let redirect = target.clone();
    let base = smp(
        |base| service_group(vec![metadata_href(base)]),
        move |_| signed_redirect(&redirect),
    );
    let report = client(&local_policy())
        .lookup(&participant(), &base, None, Some(&doctype()))
        .unwrap();
    assert_eq!(report.failed_check_names(), ["redirect"]);
    assert!(
        report.failed_checks[0]
            .message
            .contains("smp_client.host_mismatch"),
        "{:?}",
        report.failed_checks
    );
    let metadata = report.metadata.unwrap();
    assert!(metadata.processes.is_empty(), "the target was not read");
    let err = client(&local_policy())
        .first_endpoint(&base, &participant())
        .unwrap_err();
    assert_eq!(err.code(), "smp_client.host_mismatch");

    let lenient = FetchPolicy {
        allow_redirect_to_other_host: true,
        ..local_policy()
    };
    let report = client(&lenient)
        .lookup(&participant(), &base, None, Some(&doctype()))
        .unwrap();
    assert!(
        report.failed_checks.is_empty(),
        "{:?}",
        report.failed_checks
    );
    let metadata = report.metadata.unwrap();
    assert_eq!(metadata.url, target);
    assert!(metadata.redirect.is_some());
    assert_eq!(metadata.processes[0].endpoints[0].url, ENDPOINT);
}

#[test]
fn a_second_redirect_is_not_followed() {
    let base = smp(
        |base| service_group(vec![metadata_href(base)]),
        |base| signed_redirect(&metadata_href(base)),
    );
    let report = client(&local_policy())
        .lookup(&participant(), &base, None, Some(&doctype()))
        .unwrap();
    assert_eq!(report.failed_check_names(), ["redirect"]);
    let err = client(&local_policy())
        .first_endpoint(&base, &participant())
        .unwrap_err();
    assert_eq!(err.code(), "smp_client.second_redirect");
}

#[test]
fn a_missing_service_group_is_not_found_at_that_step() {
    let base = test_support::http_stub::serve(|_| test_support::http_stub::Response::empty(404));
    let failure = client(&local_policy())
        .lookup(&participant(), &base, None, None)
        .unwrap_err();
    assert_eq!(failure.step, LookupStep::ServiceGroup);
    assert!(failure.error.is_not_found());
}
