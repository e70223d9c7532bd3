use std::{
    env,
    path::{Path, PathBuf},
    process::Command,
    sync::OnceLock,
};

use crate::fixtures::repo_root;

/// Path of the `ferry` binary to test, built on first use.
///
/// `FERRY_E2E_BIN` names a prebuilt binary and skips the build. Otherwise the binary sits in
/// the same profile directory as this test executable (`<target>/debug/deps/e2e-*` →
/// `<target>/debug/ferry`), which follows `CARGO_TARGET_DIR`, `--release` and `--target`
/// without guessing. `env!("CARGO_BIN_EXE_ferry")` is not available outside the `ferry`
/// package, so the harness runs `cargo build -p ferry` once per test process: cargo is a no-op
/// when the binary is fresh, and a stale binary would test yesterday's code.
pub fn ferry_binary() -> &'static Path {
    static BINARY: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match BINARY.get_or_init(locate_or_build) {
        Ok(path) => path,
        Err(message) => panic!("{message}"),
    }
}

fn locate_or_build() -> Result<PathBuf, String> {
    if let Some(bin) = env::var_os("FERRY_E2E_BIN") {
        let bin = PathBuf::from(bin);
        return if bin.is_file() {
            Ok(bin)
        } else {
            Err(format!("FERRY_E2E_BIN={} is not a file", bin.display()))
        };
    }
    let profile_dir = profile_dir()?;
    let release = profile_dir
        .file_name()
        .is_some_and(|name| name == "release");
    // cargo sets CARGO for the processes it runs; fall back to PATH when run by hand.
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .current_dir(repo_root())
        .args(["build", "-p", "ferry"]);
    if release {
        build.arg("--release");
    }
    let status = build
        .status()
        .map_err(|e| format!("cannot run `cargo build -p ferry`: {e}"))?;
    if !status.success() {
        return Err(format!("`cargo build -p ferry` failed ({status})"));
    }
    let bin = profile_dir.join(format!("ferry{}", env::consts::EXE_SUFFIX));
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(format!(
            "`cargo build -p ferry` succeeded but {} does not exist; set FERRY_E2E_BIN",
            bin.display()
        ))
    }
}

/// `<target>/<profile>`: the parent of the `deps` directory holding this test executable.
fn profile_dir() -> Result<PathBuf, String> {
    let exe = env::current_exe().map_err(|e| format!("cannot locate the test executable: {e}"))?;
    let deps = exe.parent().filter(|dir| dir.ends_with("deps"));
    match deps.and_then(Path::parent) {
        Some(dir) => Ok(dir.to_path_buf()),
        None => {
            // Not run by cargo (e.g. copied elsewhere): fall back to the usual layout.
            let target = env::var_os("CARGO_TARGET_DIR")
                .map_or_else(|| repo_root().join("target"), PathBuf::from);
            Ok(target.join("debug"))
        }
    }
}
