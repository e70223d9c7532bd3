use std::{
    env,
    io::Write,
    path::PathBuf,
    process::{Command, Output},
};

use crate::fixtures::repo_root;

/// True when nothing may be skipped: on CI (`CI` set and not `false`) or with `FERRY_REQUIRE_ALL`.
pub fn require_all() -> bool {
    let set = |name: &str| env::var(name).is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    set("CI") || set("FERRY_REQUIRE_ALL")
}

/// Reports a missing external tool: panics when [`require_all`], else prints `SKIP` and returns.
pub fn skip_or_panic(what: &str) {
    assert!(
        !require_all(),
        "{what} (CI or FERRY_REQUIRE_ALL is set: nothing may be skipped; run ./scripts/test-all.sh)"
    );
    eprintln!("SKIP {what}");
}

/// The official schemas and samples: `FERRY_SPEC_DIR`, else `<repo>/../shared/spec`.
/// Panics, naming `FERRY_SPEC_DIR`, when the directory holds no `smp/`: tests that need the
/// spec files fail rather than pass without checking anything.
pub fn spec_dir() -> PathBuf {
    let dir = env::var_os("FERRY_SPEC_DIR")
        .map_or_else(|| repo_root().join("../shared/spec"), PathBuf::from);
    assert!(
        dir.join("smp").is_dir(),
        "spec files not found: {} has no smp/ directory; set FERRY_SPEC_DIR to the directory \
         with the official XSDs and samples (default: <repo>/../shared/spec)",
        dir.display()
    );
    dir
}

fn tool_available(tool: &str) -> bool {
    let found = Command::new(tool).arg("--version").output().is_ok();
    if !found {
        skip_or_panic(&format!(
            "{tool} not installed (Debian: apt-get install xmlsec1 libxml2-utils)"
        ));
    }
    found
}

fn temp_xml(xml: &[u8]) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .suffix(".xml")
        .tempfile()
        .expect("create a temporary file");
    file.write_all(xml).expect("write a temporary file");
    file.flush().expect("flush a temporary file");
    file
}

fn describe(output: &Output) -> String {
    format!(
        "{}\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Validates `xml` with `xmllint --schema $FERRY_SPEC_DIR/<xsd_rel_path>`; panics with
/// xmllint's report and the document when it is invalid.
pub fn xmllint_validate(xml: &[u8], xsd_rel_path: &str) {
    let spec = spec_dir();
    if !tool_available("xmllint") {
        return;
    }
    let xsd = spec.join(xsd_rel_path);
    assert!(xsd.is_file(), "schema {} does not exist", xsd.display());
    let file = temp_xml(xml);
    let output = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(&xsd)
        .arg(file.path())
        .output()
        .expect("run xmllint");
    assert!(
        output.status.success(),
        "xmllint: document is not valid against {xsd_rel_path}: {}\n--- document\n{}",
        describe(&output),
        String::from_utf8_lossy(xml)
    );
}

/// Verifies the enveloped signature of `xml` the way a Peppol sender would, trusting only the
/// test root (the SMP CA is supplied as an untrusted intermediate). Needs xmlsec1 >= 1.2.37.
/// Panics with xmlsec1's report and the document when verification fails.
pub fn xmlsec_verify(xml: &[u8]) {
    if !tool_available("xmlsec1") {
        return;
    }
    let certs = repo_root().join("certs-test");
    let file = temp_xml(xml);
    let output = Command::new("xmlsec1")
        .arg("--verify")
        .arg("--trusted-pem")
        .arg(certs.join("root/root-ca.crt.pem"))
        .arg("--untrusted-pem")
        .arg(certs.join("smp/smp-ca.crt.pem"))
        .arg(file.path())
        .output()
        .expect("run xmlsec1");
    assert!(
        output.status.success(),
        "xmlsec1: signature does not verify: {}\n--- document\n{}",
        describe(&output),
        String::from_utf8_lossy(xml)
    );
}
