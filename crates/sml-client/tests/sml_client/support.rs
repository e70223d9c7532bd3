//! Spec files, samples, certificates and a namespace-aware XML flattener for comparisons.

use std::path::{Path, PathBuf};
use std::process::Command;

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

fn required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var_os("FERRY_REQUIRE_ALL").is_some()
}

/// Skips (prints SKIP and returns `None`) when an external tool a test needs is missing, unless
/// CI or FERRY_REQUIRE_ALL is set, where it fails. Missing spec files always fail.
pub(crate) fn skip<T>(what: &str) -> Option<T> {
    assert!(
        !required(),
        "{what} is missing (required under CI / FERRY_REQUIRE_ALL)"
    );
    eprintln!("SKIP: {what} is missing");
    None
}

/// `$FERRY_SPEC_DIR/sml` (default `<repo>/../shared/spec/sml`). Panics, naming
/// `FERRY_SPEC_DIR`, when it holds no samples: a test that needs them fails rather than
/// checking nothing.
pub(crate) fn sml_spec_dir() -> PathBuf {
    let dir = std::env::var_os("FERRY_SPEC_DIR")
        .map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec"),
            PathBuf::from,
        )
        .join("sml");
    assert!(
        dir.join("samples").is_dir(),
        "spec files not found: {} has no samples/ directory; set FERRY_SPEC_DIR to the \
         directory with the official XSDs, WSDLs and samples (default: <repo>/../shared/spec)",
        dir.display()
    );
    dir
}

pub(crate) fn xmllint_available() -> bool {
    let ok = Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    ok || skip::<()>("xmllint (Debian package libxml2-utils)").is_some()
}

pub(crate) fn sample(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join("samples").join(name)).unwrap()
}

pub(crate) fn certs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../certs-test")
}

pub(crate) fn cert_file(rel: &str) -> Vec<u8> {
    std::fs::read(certs().join(rel)).unwrap()
}

/// The document as a list of namespace-resolved events, ignoring prefixes, comments, the XML
/// declaration and whitespace-only text, with attributes sorted: two documents with the same
/// list have the same elements, order, namespaces, attributes and text.
pub(crate) fn flatten(xml: &[u8]) -> Vec<String> {
    let text = std::str::from_utf8(xml).unwrap();
    let mut reader = NsReader::from_str(text);
    let mut out = Vec::new();
    loop {
        let (ns, event) = reader.read_resolved_event().unwrap();
        let ns = match ns {
            ResolveResult::Bound(n) => n.into_inner().to_owned(),
            ResolveResult::Unbound => String::new(),
            ResolveResult::Unknown(p) => panic!("unknown prefix {p}"),
        };
        match event {
            ev @ (Event::Start(_) | Event::Empty(_)) => {
                let empty = matches!(ev, Event::Empty(_));
                let (Event::Start(e) | Event::Empty(e)) = ev else {
                    continue;
                };
                let local = e.local_name().into_inner().to_owned();
                let mut attrs: Vec<String> = e
                    .attributes()
                    .map(|a| a.unwrap())
                    .filter(|a| {
                        let k = a.key.0;
                        k != "xmlns" && !k.starts_with("xmlns:")
                    })
                    .map(|a| format!("{}={}", a.key.0, a.value))
                    .collect();
                attrs.sort();
                out.push(format!("<{{{ns}}}{local} {attrs:?}"));
                if empty {
                    out.push(">".to_owned());
                }
            }
            Event::End(_) => out.push(">".to_owned()),
            Event::Text(t) => {
                let t = t.xml10_content();
                let t = t.trim();
                if !t.is_empty() {
                    out.push(format!("text {t:?}"));
                }
            }
            Event::GeneralRef(r) => out.push(format!("ref {}", r.xml10_content())),
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// The Body's child element of an envelope, as a standalone document (our envelopes declare
/// every namespace the child uses on the child itself).
pub(crate) fn body_child(envelope: &[u8]) -> String {
    let text = std::str::from_utf8(envelope).unwrap();
    let start = text.find("<soapenv:Body>").unwrap() + "<soapenv:Body>".len();
    let end = text.rfind("</soapenv:Body>").unwrap();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}\n",
        &text[start..end]
    )
}
