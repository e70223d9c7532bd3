//! Harness for Ferry's end-to-end tests (`tests/e2e/`).
//!
//! It starts the real `ferry` binary (built once per test run with `cargo build -p ferry`) on
//! port 0 against a given database, waits for `/health`, talks to it over HTTP with blocking
//! reqwest, and checks documents with the same external tools Peppol participants use:
//! `xmllint` against the official XSDs in `FERRY_SPEC_DIR` and `xmlsec1 --verify` against the
//! test PKI in `certs-test/`.
//!
//! What it deliberately does not do: mock anything (no in-process server, no fake database),
//! or return errors. This is test code: every failure panics with a message that names the
//! request, the expected and the actual answer, and dumps the tail of Ferry's log.
//!
//! Missing spec files (`FERRY_SPEC_DIR`, default `<repo>/../shared/spec`) always fail the test
//! with a message naming `FERRY_SPEC_DIR`. Missing external tools make a check print `SKIP ...`
//! and pass, unless `CI` or `FERRY_REQUIRE_ALL` is set, in which case they panic: CI must never
//! silently skip.
//!
//! ```no_run
//! use ferry_e2e::{FerryProcess, PARTICIPANT, encode_segment};
//! let ferry = FerryProcess::start("sqlite:///tmp/ferry.db", &[]);
//! let group = ferry.get(&format!("/{}", encode_segment(PARTICIPANT)));
//! assert_eq!(group.status, 404);
//! ```
#![forbid(unsafe_code)]

mod binary;
mod databases;
mod ferry_process;
mod fixtures;
mod publish;
mod response;
mod tools;

pub use crate::{
    binary::ferry_binary,
    databases::for_each_database,
    ferry_process::{ADMIN_TOKEN, FerryProcess, SmlEmulatorInfo},
    fixtures::{
        AP_CERT_PLACEHOLDER, DOCTYPE, DOCTYPE_VALUE, PARTICIPANT, PROCESS, ap_cert_b64,
        business_card_sample, cli_reachable_env, encode_segment, free_port, hrefs, metadata_path,
        participant_path, phoss_service_group, phoss_service_metadata, repo_root,
        service_group_xml, service_metadata_xml,
    },
    publish::publish_phoss_sample,
    response::{Response, assert_problem},
    tools::{require_all, skip_or_panic, spec_dir, xmllint_validate, xmlsec_verify},
};
