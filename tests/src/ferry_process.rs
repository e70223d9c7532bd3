use std::{
    env,
    fs::{self, File},
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, ExitStatus, Stdio},
    sync::mpsc,
    thread,
    time::{Duration, Instant},
};

use reqwest::{Method, blocking::Client, redirect::Policy};

use crate::{binary::ferry_binary, fixtures::repo_root, response::Response};

/// The bootstrap admin bearer token every [`FerryProcess`] is started with.
pub const ADMIN_TOKEN: &str = "ferry-e2e-admin-token";

const LISTENING_PREFIX: &str = "ferry listening on ";
const START_TIMEOUT: Duration = Duration::from_secs(60);
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A running `ferry serve` on a loopback port, stopped (SIGTERM, then SIGKILL) when dropped.
///
/// Its stderr goes to a log file whose tail is printed when a test panics while it runs.
pub struct FerryProcess {
    child: Option<Child>,
    base_url: String,
    client: Client,
    log_path: PathBuf,
    /// Stdout lines after the listening line (e.g. the in-process SML emulator's).
    stdout: std::sync::Mutex<mpsc::Receiver<String>>,
    sml_emulator: std::sync::OnceLock<SmlEmulatorInfo>,
    // Owns the directory of the log file (and the SML emulator's database).
    _dir: tempfile::TempDir,
}

/// Where the in-process SML emulator of a Ferry process listens.
#[derive(Debug, Clone)]
pub struct SmlEmulatorInfo {
    /// SOAP base URL (https).
    pub soap_url: String,
    /// Its authoritative DNS server (UDP and TCP).
    pub dns: std::net::SocketAddr,
    /// Its fault-injection endpoint.
    pub admin_url: String,
}

impl FerryProcess {
    /// Starts `ferry serve` with the repository root as working directory (so the default
    /// `config/ferry.toml` and `certs-test/` apply), `FERRY_SERVER__BIND=127.0.0.1:0`,
    /// `FERRY_DATABASE__URL=db_url` and `FERRY_ADMIN_TOKEN=`[`ADMIN_TOKEN`], then `extra_env`.
    /// Returns once Ferry printed its `ferry listening on URL` line and `/health` answers 200.
    pub fn start(db_url: &str, extra_env: &[(&str, &str)]) -> Self {
        let binary = ferry_binary();
        let dir = tempfile::tempdir().expect("create a temporary directory");
        let log_path = dir.path().join("ferry.log");
        let log = File::create(&log_path).expect("create the ferry log file");

        let mut command = Command::new(binary);
        command.current_dir(repo_root()).arg("serve");
        // A developer's own FERRY_<SECTION>__<KEY> overrides must not leak into tests.
        for (name, _) in env::vars_os() {
            if name
                .to_str()
                .is_some_and(|n| n.starts_with("FERRY_") && n.contains("__"))
            {
                command.env_remove(name);
            }
        }
        command
            .env("FERRY_SERVER__BIND", "127.0.0.1:0")
            .env("FERRY_DATABASE__URL", db_url)
            .env("FERRY_ADMIN_TOKEN", ADMIN_TOKEN)
            // Every process gets its own in-process SML emulator on free ports.
            .env("FERRY_SML__EMULATOR__SOAP_BIND", "127.0.0.1:0")
            .env("FERRY_SML__EMULATOR__DNS_BIND", "127.0.0.1:0")
            .env(
                "FERRY_SML__EMULATOR__DATABASE",
                dir.path().join("sml-emulator.db"),
            )
            .envs(extra_env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log);
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let stdout = child.stdout.take().expect("stdout is piped");

        let (lines, first_lines) = mpsc::channel();
        let mut ferry = Self {
            child: Some(child),
            base_url: String::new(),
            client: Client::builder()
                // Ferry may serve https with certs-test/tls/localhost: trust the test root.
                .add_root_certificate(test_root_certificate())
                .timeout(REQUEST_TIMEOUT)
                .redirect(Policy::none())
                .build()
                .expect("build the HTTP client"),
            log_path,
            stdout: std::sync::Mutex::new(first_lines),
            sml_emulator: std::sync::OnceLock::new(),
            _dir: dir,
        };

        // A reader thread keeps draining stdout after the first line, so Ferry can never
        // block on a full pipe; the channel turns the blocking read into one with a timeout.
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                // The receiver is gone after the first line; keep draining regardless.
                let _ = lines.send(line);
            }
        });
        let first = ferry
            .stdout
            .lock()
            .expect("stdout receiver lock")
            .recv_timeout(START_TIMEOUT);
        match first {
            Ok(line) => match line.strip_prefix(LISTENING_PREFIX) {
                Some(url) => ferry.base_url = url.trim_end_matches('/').to_owned(),
                None => panic!(
                    "ferry's first stdout line should be `{LISTENING_PREFIX}URL`, got {line:?}\n{}",
                    ferry.log_tail(40)
                ),
            },
            Err(mpsc::RecvTimeoutError::Timeout) => panic!(
                "ferry printed no `{LISTENING_PREFIX}URL` line within {START_TIMEOUT:?}\n{}",
                ferry.log_tail(40)
            ),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = ferry.child.as_mut().map(Child::wait);
                panic!(
                    "ferry exited before listening ({status:?})\n{}",
                    ferry.log_tail(40)
                )
            }
        }
        ferry.wait_healthy();
        ferry
    }

    /// The in-process SML emulator's addresses (from the `ferry sml-emulator …` stdout line).
    pub fn sml_emulator(&self) -> &SmlEmulatorInfo {
        self.sml_emulator.get_or_init(|| {
            let rx = self.stdout.lock().expect("stdout receiver lock");
            loop {
                let line = rx.recv_timeout(START_TIMEOUT).unwrap_or_else(|e| {
                    panic!(
                        "no `ferry sml-emulator` line on stdout ({e})\n{}",
                        self.log_tail(40)
                    )
                });
                let Some(rest) = line.strip_prefix("ferry sml-emulator ") else {
                    continue;
                };
                let field = |name: &str| {
                    rest.split_whitespace()
                        .find_map(|kv| kv.strip_prefix(name))
                        .unwrap_or_else(|| panic!("no {name} in {line:?}"))
                        .to_owned()
                };
                return SmlEmulatorInfo {
                    soap_url: field("soap="),
                    dns: field("dns=").parse().expect("dns=ip:port"),
                    admin_url: field("admin="),
                };
            }
        })
    }

    fn wait_healthy(&mut self) {
        let deadline = Instant::now() + START_TIMEOUT;
        let url = self.url("/health");
        loop {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                panic!(
                    "ferry exited ({status}) before /health answered\n{}",
                    self.log_tail(40)
                );
            }
            if let Ok(r) = self.client.get(&url).send()
                && r.status().as_u16() == 200
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "GET {url} did not answer 200 within {START_TIMEOUT:?}\n{}",
                self.log_tail(40)
            );
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// `http://127.0.0.1:PORT` as printed by Ferry (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The absolute URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Sends one request and reads the whole answer. `token` adds `Authorization: Bearer`.
    /// Panics when no HTTP answer arrives at all.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Response {
        let url = self.url(path);
        let request = format!("{method} {url}");
        let method = Method::from_bytes(method.as_bytes())
            .unwrap_or_else(|e| panic!("bad method in test: {e}"));
        let mut builder = self.client.request(method, &url);
        if let Some(token) = token {
            builder = builder.bearer_auth(token);
        }
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        if let Some((content_type, bytes)) = body {
            builder = builder.header("content-type", content_type).body(bytes);
        }
        let answer = builder
            .send()
            .unwrap_or_else(|e| panic!("{request}: no answer: {e:?}\n{}", self.log_tail(40)));
        let status = answer.status().as_u16();
        let headers = answer
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = answer
            .bytes()
            .unwrap_or_else(|e| panic!("{request}: cannot read the body: {e:?}"))
            .to_vec();
        Response {
            request,
            status,
            headers,
            body,
        }
    }

    /// Unauthenticated `GET path`.
    pub fn get(&self, path: &str) -> Response {
        self.send("GET", path, None, &[], None)
    }

    /// Unauthenticated `GET path` with extra request headers.
    pub fn get_with_headers(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        self.send("GET", path, None, headers, None)
    }

    /// `GET path` with a bearer token (JSON API reads).
    pub fn get_auth(&self, path: &str, token: &str) -> Response {
        self.send("GET", path, Some(token), &[], None)
    }

    /// `PUT path` with an XML body (`text/xml`), authenticated with `token` if given.
    pub fn put_xml(&self, path: &str, body: impl AsRef<[u8]>, token: Option<&str>) -> Response {
        let body = Some(("text/xml", body.as_ref().to_vec()));
        self.send("PUT", path, token, &[], body)
    }

    /// `DELETE path`, authenticated with `token` if given.
    pub fn delete(&self, path: &str, token: Option<&str>) -> Response {
        self.send("DELETE", path, token, &[], None)
    }

    /// `POST path` with a JSON body.
    pub fn post_json(&self, path: &str, json: &serde_json::Value, token: Option<&str>) -> Response {
        let body = Some(("application/json", json.to_string().into_bytes()));
        self.send("POST", path, token, &[], body)
    }

    /// `PUT path` with a JSON body.
    pub fn put_json(&self, path: &str, json: &serde_json::Value, token: Option<&str>) -> Response {
        let body = Some(("application/json", json.to_string().into_bytes()));
        self.send("PUT", path, token, &[], body)
    }

    /// The last `lines` lines Ferry wrote to stderr.
    pub fn log_tail(&self, lines: usize) -> String {
        let log = fs::read_to_string(&self.log_path).unwrap_or_default();
        let all: Vec<&str> = log.lines().collect();
        let tail = all[all.len().saturating_sub(lines)..].join("\n");
        format!("--- last {lines} lines of the ferry log\n{tail}")
    }

    /// Stops Ferry with SIGTERM and returns its exit status; SIGKILL after 10 s.
    pub fn stop(mut self) -> Option<ExitStatus> {
        self.terminate()
    }

    /// Kills Ferry at once (SIGKILL, like `kill -9`): a crash, for recovery tests.
    pub fn crash(mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn terminate(&mut self) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        // std has no SIGTERM and this crate forbids unsafe: ask kill(1).
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            thread::sleep(Duration::from_millis(20));
        }
        eprintln!("ferry ignored SIGTERM for {STOP_TIMEOUT:?}; killing it");
        let _ = child.kill();
        child.wait().ok()
    }
}

impl Drop for FerryProcess {
    fn drop(&mut self) {
        if thread::panicking() {
            eprintln!("ferry at {}\n{}", self.base_url, self.log_tail(60));
        }
        self.terminate();
    }
}

fn test_root_certificate() -> reqwest::Certificate {
    let path = repo_root().join("certs-test/root/root-ca.crt.pem");
    let pem = fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    reqwest::Certificate::from_pem(&pem).expect("the test root is a PEM certificate")
}
