//! Files of the repository's test PKI that many suites read.

use std::path::{Path, PathBuf};

/// The repository root (this crate lives in `crates/test-support`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The test SMP signing certificate and key (PEM), from `certs-test/smp/`.
///
/// # Panics
///
/// When the files are missing: a test without its fixtures must fail, not pass.
pub fn smp_signing_pem() -> (Vec<u8>, Vec<u8>) {
    let dir = repo_root().join("certs-test/smp");
    let read = |name: &str| {
        std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("certs-test/smp/{name}: {e}"))
    };
    (read("smp.crt.pem"), read("smp.key.pem"))
}

/// The valid test AP certificate, base64 DER (as endpoints carry it).
///
/// # Panics
///
/// When the file is missing.
pub fn ap_cert_b64() -> String {
    std::fs::read_to_string(repo_root().join("certs-test/ap/ap-valid.b64"))
        .unwrap_or_else(|e| panic!("certs-test/ap/ap-valid.b64: {e}"))
        .trim()
        .to_owned()
}
