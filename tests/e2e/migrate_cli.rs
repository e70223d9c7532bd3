//! `ferry migrate …` against the database and SML emulator of a running `ferry serve`: the
//! CLI prepares, shows and cancels an outbound migration, reports a refused key with the
//! SML's code, and follows a bulk request of watched participants to its summary.

use ferry_e2e::free_port;
use std::io::Read as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ferry_e2e::{
    ADMIN_TOKEN, DOCTYPE, FerryProcess, PROCESS, ap_cert_b64, ferry_binary, repo_root,
};
use serde_json::{Value, json};

const P: &str = "iso6523-actorid-upis::0208:0123456749";
const NEWCOMERS: [&str; 3] = [
    "iso6523-actorid-upis::9915:bulk-one",
    "iso6523-actorid-upis::9915:bulk-two",
    "iso6523-actorid-upis::9915:bulk-three",
];

struct Setup {
    ferry: FerryProcess,
    /// What the CLI needs to share the server's database, emulator and timing.
    env: Vec<(String, String)>,
    tmp: tempfile::TempDir,
}

/// Ferry whose emulator listens on a fixed SOAP port, so CLI commands reach it too.
fn start(db_url: &str) -> Setup {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut env = vec![
        ("FERRY_DATABASE__URL".to_owned(), db_url.to_owned()),
        (
            "FERRY_SML__EMULATOR__SOAP_BIND".to_owned(),
            format!("127.0.0.1:{}", free_port()),
        ),
        (
            "FERRY_SML__EMULATOR__DATABASE".to_owned(),
            tmp.path().join("sml.db").display().to_string(),
        ),
        (
            "FERRY_MIGRATION__CHECK_INTERVAL_MS".to_owned(),
            "200".to_owned(),
        ),
    ];
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let ferry = FerryProcess::start(db_url, &pairs[1..]);
    // The emulator's DNS port is only known now; `migrate watch|bulk` ask it.
    env.push((
        "FERRY_SML__EMULATOR__DNS_BIND".to_owned(),
        ferry.sml_emulator().dns.to_string(),
    ));
    Setup { ferry, env, tmp }
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the CLI with the environment `env`; kills it after `limit`.
fn ferry_cli(env: &[(String, String)], args: &[&str], limit: Duration) -> Run {
    let mut child = Command::new(ferry_binary())
        .current_dir(repo_root())
        .args(args)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ferry");
    let mut stdout_pipe = child.stdout.take().expect("stdout");
    let mut stderr_pipe = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout_pipe.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr_pipe.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for ferry") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`ferry {}` did not finish within {limit:?}\nstdout: {}\nstderr: {}",
                args.join(" "),
                out.join().unwrap_or_default(),
                err.join().unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Run {
        code: status.code(),
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
    }
}

fn cli(setup: &Setup, args: &[&str]) -> Run {
    ferry_cli(&setup.env, args, Duration::from_secs(60))
}

fn participant(ferry: &FerryProcess, p: &str) -> Value {
    ferry
        .get_auth(
            &format!("/api/v1/participants/{}", ferry_e2e::encode_segment(p)),
            ADMIN_TOKEN,
        )
        .json()
}

fn wait_registered(ferry: &FerryProcess, p: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let v = participant(ferry, p);
        if v["smlState"] == "registered" {
            return;
        }
        assert!(Instant::now() < deadline, "{p} never registered: {v}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The value of a `name: value` line of the CLI's text output.
fn field<'a>(stdout: &'a str, name: &str) -> &'a str {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no `{name}:` line in:\n{stdout}"))
}

#[test]
fn out_status_cancel_and_a_refused_key() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (backend, url) in test_support::test_databases(tmp.path()) {
        eprintln!("--- database: {backend}");
        let setup = start(&url);
        let ferry = &setup.ferry;
        ferry
            .post_json(
                "/api/v1/participants",
                &json!({"participant": P}),
                Some(ADMIN_TOKEN),
            )
            .assert_status(201);
        wait_registered(ferry, P);

        let out = cli(&setup, &["migrate", "out", P]);
        assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
        let id = field(&out.stdout, "migration").to_owned();
        let key = field(&out.stdout, "key");
        assert!(id.starts_with("mig_"), "{}", out.stdout);
        assert!(
            sml_client::MigrationKey::new(key).is_ok(),
            "a key the SML accepts: {key:?}"
        );
        assert_eq!(field(&out.stdout, "status"), "prepared");

        let shown = cli(&setup, &["migrate", "status", &id]);
        assert_eq!(shown.code, Some(0), "{}", shown.stderr);
        assert_eq!(field(&shown.stdout, "status"), "prepared");
        // A key is shown once; afterwards only `reveal-key` shows it (and audits that).
        assert!(!shown.stdout.contains(key), "{}", shown.stdout);
        let revealed = cli(&setup, &["migrate", "reveal-key", &id]);
        assert_eq!(revealed.code, Some(0), "{}", revealed.stderr);
        assert_eq!(field(&revealed.stdout, "key"), key);

        // The key is sealed at rest: the database holds no trace of it...
        let stored = {
            let store = smp_store::Store::open(&url, 1).expect("open the database");
            store
                .read(|conn| smp_store::migrations::get(conn, &id))
                .expect("read the migration")
                .expect("the migration row")
                .migration_key
                .expect("a stored key")
        };
        assert!(stored.starts_with("sealed:v1:"), "{stored}");
        assert!(!stored.contains(key), "{stored}");
        // A node whose key file is missing (a secret mount that failed) refuses to start
        // instead of sealing with a new key; it creates nothing.
        let missing = setup.tmp.path().join("missing.key");
        let mut missing_env = setup.env.clone();
        missing_env.push((
            "FERRY_MIGRATION__KEY_FILE".to_owned(),
            missing.display().to_string(),
        ));
        let refused = ferry_cli(
            &missing_env,
            &["migrate", "status"],
            Duration::from_secs(60),
        );
        assert_ne!(refused.code, Some(0), "{}", refused.stdout);
        assert!(
            refused.stderr.contains("migration.key_file") && refused.stderr.contains("missing"),
            "{}",
            refused.stderr
        );
        assert!(!missing.exists(), "no new key file may be created");
        // ...and a node with another key file cannot unseal it, and says which setting.
        let another = setup.tmp.path().join("another.key");
        std::fs::write(&another, "q0_OuS7bO7Dd1CXT6Tqv8wvOWEhO6eT7RTpgr6BA4qE\n")
            .expect("write another key file");
        let mut foreign_env = setup.env.clone();
        foreign_env.push((
            "FERRY_MIGRATION__KEY_FILE".to_owned(),
            another.display().to_string(),
        ));
        let foreign = ferry_cli(
            &foreign_env,
            &["migrate", "reveal-key", &id],
            Duration::from_secs(60),
        );
        assert_ne!(foreign.code, Some(0), "{}", foreign.stdout);
        assert!(
            foreign.stderr.contains("internal.sealed_key")
                && foreign.stderr.contains("migration.key_file"),
            "{}",
            foreign.stderr
        );
        let listed = cli(
            &setup,
            &["--json", "migrate", "status", "--direction", "outbound"],
        );
        let page: Value = serde_json::from_str(&listed.stdout).expect("JSON page");
        assert_eq!(page["total"], 1, "{page}");
        assert_eq!(page["items"][0]["id"], id.as_str());

        let cancelled = cli(&setup, &["--json", "migrate", "cancel", &id]);
        assert_eq!(cancelled.code, Some(0), "{}", cancelled.stderr);
        let view: Value = serde_json::from_str(&cancelled.stdout).expect("JSON view");
        assert_eq!(view["status"], "cancelled", "{view}");
        assert!(view["migrationKey"].is_null(), "the key is gone: {view}");
        // Cancelling again is refused as a state conflict, with its code.
        let again = cli(&setup, &["migrate", "cancel", &id]);
        assert_eq!(again.code, Some(1));
        assert!(
            again.stderr.contains("migration.invalid_state"),
            "{}",
            again.stderr
        );
        // Still served here and registered: the cancel migrated it back to this SMP.
        assert_eq!(participant(ferry, P)["smlState"], "registered");

        // A well-formed key the SML knows nothing of: exit 1 with the SML's code, nothing left.
        let stranger = "iso6523-actorid-upis::9915:stranger";
        let refused = cli(
            &setup,
            &["migrate", "in", stranger, "--key", "11AAbb$$wrong"],
        );
        assert_eq!(
            refused.code,
            Some(1),
            "{}{}",
            refused.stdout,
            refused.stderr
        );
        assert!(refused.stderr.contains("[sml."), "{}", refused.stderr);
        ferry
            .get(&ferry_e2e::participant_path(stranger))
            .assert_status(404);
        // A key that breaks the SML's rules never reaches it.
        let malformed = cli(&setup, &["migrate", "in", stranger, "--key", "short"]);
        assert_eq!(malformed.code, Some(1));
        assert!(
            malformed.stderr.contains("migration.invalid_key"),
            "{}",
            malformed.stderr
        );
    }
}

#[test]
fn bulk_of_watched_participants_completes_with_a_summary() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (backend, url) in test_support::test_databases(tmp.path()) {
        eprintln!("--- database: {backend}");
        let setup = start(&url);
        let ferry = &setup.ferry;
        ferry
            .post_json(
                "/api/v1/endpoint-profiles",
                &json!({
                    "name": "main-ap",
                    "url": "https://ap.example.org/as4",
                    "transportProfile": "peppol-transport-as4-v2_0",
                    "certificate": ap_cert_b64(),
                    "serviceDescription": "Ferry e2e access point",
                    "technicalContactUrl": "https://example.org/contact",
                }),
                Some(ADMIN_TOKEN),
            )
            .assert_status(201);
        let csv = tmp.path().join(format!("bulk-{backend}.csv"));
        std::fs::write(
            &csv,
            format!(
                "participant,migration_key\n{},\nnot-a-participant,\n{}\n\"{}\",\"\"\n",
                NEWCOMERS[0], NEWCOMERS[1], NEWCOMERS[2]
            ),
        )
        .expect("write csv");
        let csv = csv.display().to_string();

        let run = ferry_cli(
            &setup.env,
            &[
                "migrate",
                "bulk",
                &csv,
                "--endpoint-profile",
                "main-ap",
                "--document-type",
                DOCTYPE,
                "--process",
                PROCESS,
            ],
            Duration::from_secs(120),
        );
        assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
        assert!(
            run.stdout
                .contains("3 total, 3 completed, 0 failed, 0 cancelled, 0 in progress"),
            "{}",
            run.stdout
        );
        assert!(
            run.stdout.contains("line 3: "),
            "the bad row by line: {}",
            run.stdout
        );
        assert!(!run.stdout.contains("failed:"), "{}", run.stdout);

        for p in NEWCOMERS {
            let v = participant(ferry, p);
            assert_eq!(v["smlState"], "registered", "{v}");
            assert_eq!(v["capabilities"].as_array().map(Vec::len), Some(1), "{v}");
        }
        let listed = cli(
            &setup,
            &[
                "--json",
                "migrate",
                "status",
                "--status",
                "completed",
                "--direction",
                "inbound",
            ],
        );
        let page: Value = serde_json::from_str(&listed.stdout).expect("JSON page");
        assert_eq!(page["total"], 3, "{page}");

        // Nothing usable in the file: refused, with the bad row by line.
        let empty = tmp.path().join(format!("empty-{backend}.csv"));
        std::fs::write(&empty, "participant\nnope\n").expect("write csv");
        let run = cli(&setup, &["migrate", "bulk", &empty.display().to_string()]);
        assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("line 2: "), "{}", run.stdout);
    }
}
