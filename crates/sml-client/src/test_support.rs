//! Shared by the unit tests: where the official spec files are.

use std::path::{Path, PathBuf};

/// `$FERRY_SPEC_DIR`, default `<repo>/../shared/spec`. Panics, naming `FERRY_SPEC_DIR`, when it
/// holds no `sml/` directory: a test that needs the spec files fails rather than checking nothing.
pub(crate) fn spec_dir() -> PathBuf {
    let dir = std::env::var_os("FERRY_SPEC_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec"),
        PathBuf::from,
    );
    assert!(
        dir.join("sml").is_dir(),
        "spec files not found: {} has no sml/ directory; set FERRY_SPEC_DIR to the directory \
         with the official XSDs, WSDLs and samples (default: <repo>/../shared/spec)",
        dir.display()
    );
    dir
}
