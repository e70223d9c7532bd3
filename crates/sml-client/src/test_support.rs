//! Shared by the unit tests: where the official spec files are.

use std::path::PathBuf;

/// `FERRY_SPEC_DIR` (default `/work/shared/spec`) if it holds the SML files. When they are
/// missing the test is skipped with a note, unless `CI` or `FERRY_REQUIRE_ALL` is set.
pub(crate) fn spec_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(
        std::env::var("FERRY_SPEC_DIR").unwrap_or_else(|_| "/work/shared/spec".to_owned()),
    );
    if dir.join("sml").is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none() && std::env::var_os("FERRY_REQUIRE_ALL").is_none(),
        "spec files missing at {} (set FERRY_SPEC_DIR)",
        dir.display()
    );
    eprintln!("SKIP: spec files missing at {}", dir.display());
    None
}
