use crate::ferry_process::FerryProcess;

/// Runs `scenario` once per database of `test_support::test_databases` (SQLite always,
/// PostgreSQL when available), each time against a fresh Ferry on a fresh database.
///
/// `extra_env` is passed to [`FerryProcess::start`]. The backend name is printed first so a
/// failure says which database it happened on.
pub fn for_each_database(extra_env: &[(&str, &str)], scenario: impl Fn(&FerryProcess)) {
    let tmp = tempfile::tempdir().expect("create a temporary directory");
    for (backend, url) in test_support::test_databases(tmp.path()) {
        eprintln!("--- database: {backend}");
        let ferry = FerryProcess::start(&url, extra_env);
        scenario(&ferry);
    }
}
