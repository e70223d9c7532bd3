//! Turning an `Authorization` header into a domain [`Actor`], and keeping password checks
//! from becoming a way to exhaust the server.
//!
//! Bearer tokens are a SHA-256 lookup and cost nothing. A Basic password is an argon2
//! verification (about 19 MiB of memory and tens of milliseconds of CPU), so Basic logins
//! pass two guards before the domain checks the password:
//!
//! - [`LoginThrottle`]: after [`FAILURES_PER_NAME`] failed logins for one user name, or
//!   [`FAILURES_PER_ADDRESS`] from one client address, within [`THROTTLE_WINDOW`], further
//!   Basic logins for that name or from that address are refused with 429 `auth.throttled`
//!   and `Retry-After`, without checking the password;
//! - [`PasswordChecks`]: at most a few verifications run at a time (one per core, at most
//!   [`MAX_CONCURRENT_CHECKS`]); up to [`MAX_WAITING_CHECKS`] more wait for a turn on the
//!   async side (no thread each); beyond that the answer is 503 `auth.busy` with
//!   `Retry-After`.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use party_config::{Actor, DomainError};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::problem::Problem;
use crate::state::AppState;

/// How long a failed Basic login counts against its user name and client address.
pub(crate) const THROTTLE_WINDOW: Duration = Duration::from_secs(300);
/// Failed logins per user name within [`THROTTLE_WINDOW`] before that name is throttled.
pub(crate) const FAILURES_PER_NAME: usize = 10;
/// Failed logins per client address (IPv6: per /64) within [`THROTTLE_WINDOW`].
pub(crate) const FAILURES_PER_ADDRESS: usize = 50;
/// Names and addresses the throttle remembers at most (a few MB); the stalest go first.
pub(crate) const MAX_TRACKED: usize = 10_000;
/// Password verifications running at once, at most (fewer on fewer cores).
pub(crate) const MAX_CONCURRENT_CHECKS: usize = 4;
/// Basic logins waiting for a verification slot before new ones get 503 `auth.busy`.
pub(crate) const MAX_WAITING_CHECKS: usize = 32;
/// The longest user name the throttle keys on (longer names cannot exist: see
/// `checked_username` in smp-core).
const MAX_NAME_BYTES: usize = 64;

/// The authenticated caller; extracting it fails with 401 when credentials are missing or wrong.
pub(crate) struct Caller(pub(crate) Actor);

enum Credentials {
    Bearer(String),
    Basic(String, String),
}

fn credentials(req: &HttpRequest) -> Result<Credentials, DomainError> {
    let header = req
        .headers()
        .get(AUTHORIZATION)
        .ok_or(DomainError::AuthenticationMissing)?;
    let value = header
        .to_str()
        .map_err(|_| DomainError::AuthenticationFailed)?
        .trim();
    let (scheme, rest) = value
        .split_once(' ')
        .ok_or(DomainError::AuthenticationFailed)?;
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return Ok(Credentials::Bearer(rest.to_owned()));
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = data_encoding::BASE64
            .decode(rest.as_bytes())
            .map_err(|_| DomainError::AuthenticationFailed)?;
        let text = String::from_utf8(decoded).map_err(|_| DomainError::AuthenticationFailed)?;
        let (user, password) = text
            .split_once(':')
            .ok_or(DomainError::AuthenticationFailed)?;
        return Ok(Credentials::Basic(user.to_owned(), password.to_owned()));
    }
    Err(DomainError::AuthenticationFailed)
}

/// Authenticates a request against the domain (off the async threads: it hits the database).
pub(crate) async fn authenticate(
    req: &HttpRequest,
    state: &web::Data<AppState>,
) -> Result<Actor, Problem> {
    let domain = state.domain.clone();
    match credentials(req)? {
        Credentials::Bearer(token) => {
            let actor =
                web::block(move || domain.core().users().authenticate_bearer(&token)).await??;
            Ok(actor)
        }
        Credentials::Basic(user, password) => {
            let address = req.peer_addr().map(|a| a.ip());
            let throttle = &state.auth.throttle;
            throttle.check(address, &user, Instant::now())?;
            let permit = state.auth.checks.acquire().await?;
            // Failures recorded while this request waited count too: at most the few
            // running verifications can overshoot a limit.
            throttle.check(address, &user, Instant::now())?;
            let state = web::Data::clone(state);
            let result = web::block(move || {
                // The permit and the bookkeeping go with the verification: a client that
                // hangs up frees neither the slot nor its failure before the work is done.
                let _permit = permit;
                let result = domain.core().users().authenticate_basic(&user, &password);
                let throttle = &state.auth.throttle;
                match &result {
                    Ok(_) => throttle.succeeded(&user),
                    Err(DomainError::AuthenticationFailed) => {
                        throttle.failed(address, &user, Instant::now());
                    }
                    Err(_) => {}
                }
                result
            })
            .await?;
            Ok(result?)
        }
    }
}

impl FromRequest for Caller {
    type Error = Problem;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| Problem::internal("application state missing"))?;
            authenticate(&req, &state).await.map(Caller)
        })
    }
}

/// The guards in front of password verification, shared by every HTTP worker.
pub(crate) struct AuthGuards {
    throttle: LoginThrottle,
    checks: PasswordChecks,
}

impl AuthGuards {
    /// The limits documented in the module: one verification per core (at most
    /// [`MAX_CONCURRENT_CHECKS`]).
    pub(crate) fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self {
            throttle: LoginThrottle::default(),
            checks: PasswordChecks::new(cores.clamp(1, MAX_CONCURRENT_CHECKS), MAX_WAITING_CHECKS),
        }
    }
}

/// Bounds how many password verifications run at once and how many wait.
struct PasswordChecks {
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
}

/// Counts a waiting request for as long as it waits, also when its client hangs up.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl PasswordChecks {
    fn new(concurrent: usize, max_waiting: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrent)),
            waiting: AtomicUsize::new(0),
            max_waiting,
        }
    }

    /// A verification slot, at once or after waiting in line; `auth.busy` when the line
    /// is full.
    async fn acquire(&self) -> Result<OwnedSemaphorePermit, DomainError> {
        if let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() {
            return Ok(permit);
        }
        let ahead = self.waiting.fetch_add(1, Ordering::SeqCst);
        let _waiting = Waiting(&self.waiting);
        if ahead >= self.max_waiting {
            return Err(DomainError::AuthenticationBusy);
        }
        Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| DomainError::Corrupt("the password check semaphore was closed".into()))
    }
}

/// What a failed login counts against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    /// An IPv4 address, or the /64 network of an IPv6 one (one host usually has a /64).
    Address(IpAddr),
    /// A user name as sent (cut to the longest possible name).
    Name(String),
}

impl Key {
    fn address(ip: IpAddr) -> Self {
        Self::Address(match ip.to_canonical() {
            IpAddr::V6(v6) => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(std::net::Ipv6Addr::from(network))
            }
            v4 => v4,
        })
    }

    fn name(name: &str) -> Self {
        let mut end = name.len().min(MAX_NAME_BYTES);
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        Self::Name(name[..end].to_owned())
    }

    fn limit(&self) -> usize {
        match self {
            Self::Address(_) => FAILURES_PER_ADDRESS,
            Self::Name(_) => FAILURES_PER_NAME,
        }
    }
}

/// Recent failed Basic logins per user name and client address (a sliding window log).
struct LoginThrottle {
    window: Duration,
    max_tracked: usize,
    failures: Mutex<HashMap<Key, VecDeque<Instant>>>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new(THROTTLE_WINDOW, MAX_TRACKED)
    }
}

impl LoginThrottle {
    fn new(window: Duration, max_tracked: usize) -> Self {
        Self {
            window,
            max_tracked,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(address: Option<IpAddr>, name: &str) -> impl Iterator<Item = Key> {
        address
            .map(Key::address)
            .into_iter()
            .chain([Key::name(name)])
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, VecDeque<Instant>>> {
        // A panic elsewhere cannot leave the counters half-updated in a harmful way.
        self.failures.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `auth.throttled` when the name or the address used up its failures.
    fn check(&self, address: Option<IpAddr>, name: &str, now: Instant) -> Result<(), DomainError> {
        let map = self.lock();
        let wait = Self::keys(address, name)
            .filter_map(|key| {
                let times = map.get(&key)?;
                let recent: Vec<_> = times
                    .iter()
                    .filter(|t| now.saturating_duration_since(**t) < self.window)
                    .collect();
                let oldest = **recent.first()?;
                (recent.len() >= key.limit())
                    .then(|| (oldest + self.window).saturating_duration_since(now))
            })
            .max();
        match wait {
            None => Ok(()),
            Some(wait) => Err(DomainError::AuthenticationThrottled {
                retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }),
        }
    }

    /// Counts a wrong password (or an unknown name) against the name and the address.
    fn failed(&self, address: Option<IpAddr>, name: &str, now: Instant) {
        let mut map = self.lock();
        for key in Self::keys(address, name) {
            if !map.contains_key(&key) && map.len() >= self.max_tracked {
                self.make_room(&mut map, now);
            }
            let times = map.entry(key.clone()).or_default();
            while times
                .front()
                .is_some_and(|t| now.saturating_duration_since(*t) >= self.window)
            {
                times.pop_front();
            }
            if times.len() >= key.limit() {
                times.pop_front();
            }
            times.push_back(now);
        }
    }

    /// A correct password clears its name's failures (not its address's: one valid account
    /// must not reset the budget for guessing others).
    fn succeeded(&self, name: &str) {
        self.lock().remove(&Key::name(name));
    }

    /// Drops expired entries; when all are recent, the one whose last failure is oldest.
    fn make_room(&self, map: &mut HashMap<Key, VecDeque<Instant>>, now: Instant) {
        map.retain(|_, times| {
            times
                .back()
                .is_some_and(|t| now.saturating_duration_since(*t) < self.window)
        });
        if map.len() >= self.max_tracked {
            let stalest = map
                .iter()
                .min_by_key(|(_, times)| times.back().copied())
                .map(|(key, _)| key.clone());
            if let Some(key) = stalest {
                map.remove(&key);
            }
        }
    }

    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Duration = Duration::from_secs(300);

    fn ip(text: &str) -> Option<IpAddr> {
        text.parse().ok()
    }

    fn throttled_for(result: Result<(), DomainError>) -> Option<u64> {
        match result {
            Err(DomainError::AuthenticationThrottled { retry_after_secs }) => {
                Some(retry_after_secs)
            }
            _ => None,
        }
    }

    #[test]
    fn a_name_is_throttled_after_its_failures_until_the_oldest_expires() {
        let throttle = LoginThrottle::new(WINDOW, 100);
        let start = Instant::now();
        for i in 0..FAILURES_PER_NAME {
            let at = start + Duration::from_secs(i as u64);
            // Each attempt from its own address: only the name's limit applies.
            let address = ip(&format!("192.0.2.{i}"));
            assert!(throttle.check(address, "alice", at).is_ok(), "attempt {i}");
            throttle.failed(address, "alice", at);
        }
        let later = start + Duration::from_secs(100);
        assert_eq!(
            throttled_for(throttle.check(ip("198.51.100.1"), "alice", later)),
            Some(200)
        );
        // other names are not affected
        assert!(throttle.check(ip("198.51.100.1"), "bob", later).is_ok());
        // once the first failure is older than the window, one more try is allowed
        assert!(throttle.check(None, "alice", start + WINDOW).is_ok());
    }

    #[test]
    fn an_address_is_throttled_across_names_and_ipv6_counts_per_64() {
        let throttle = LoginThrottle::new(WINDOW, 1000);
        let now = Instant::now();
        for i in 0..FAILURES_PER_ADDRESS {
            let address = ip(&format!("2001:db8::{i:x}"));
            throttle.failed(address, &format!("user-{i}"), now);
        }
        let same_64 = ip("2001:db8::ffff:1");
        assert_eq!(
            throttled_for(throttle.check(same_64, "someone-else", now)),
            Some(300)
        );
        assert!(
            throttle
                .check(ip("2001:db8:0:1::1"), "someone-else", now)
                .is_ok()
        );
    }

    #[test]
    fn a_correct_password_clears_the_names_failures_but_not_the_addresss() {
        let throttle = LoginThrottle::new(WINDOW, 100);
        let now = Instant::now();
        for _ in 0..FAILURES_PER_NAME {
            throttle.failed(ip("192.0.2.1"), "alice", now);
        }
        throttle.succeeded("alice");
        assert!(throttle.check(ip("192.0.2.2"), "alice", now).is_ok());
        let map = throttle.lock();
        assert_eq!(
            map.get(&Key::address("192.0.2.1".parse().unwrap()))
                .map(VecDeque::len),
            Some(FAILURES_PER_NAME)
        );
    }

    #[test]
    fn memory_stays_bounded_under_a_flood_of_names_and_addresses() {
        let throttle = LoginThrottle::new(WINDOW, 50);
        let now = Instant::now();
        for i in 0..10_000u32 {
            let address = Some(IpAddr::from(i.to_be_bytes()));
            let long_name = format!("{i}-{}", "é".repeat(1000));
            throttle.failed(address, &long_name, now);
        }
        assert!(throttle.tracked() <= 50, "{}", throttle.tracked());
        let map = throttle.lock();
        assert!(map.iter().all(|(key, times)| {
            times.len() <= key.limit()
                && match key {
                    Key::Name(name) => name.len() <= MAX_NAME_BYTES,
                    Key::Address(_) => true,
                }
        }));
    }

    #[test]
    fn expired_entries_make_room_first() {
        let throttle = LoginThrottle::new(WINDOW, 4);
        let start = Instant::now();
        throttle.failed(None, "old", start);
        throttle.failed(None, "older", start);
        let later = start + WINDOW;
        for name in ["a", "b", "c"] {
            throttle.failed(None, name, later);
        }
        let map = throttle.lock();
        assert!(!map.contains_key(&Key::name("old")) && !map.contains_key(&Key::name("older")));
        assert_eq!(map.len(), 3);
    }

    #[actix_web::test]
    async fn password_checks_queue_a_few_and_refuse_the_rest() {
        let checks = Arc::new(PasswordChecks::new(2, 3));
        let running = [checks.acquire().await, checks.acquire().await];
        assert!(running.iter().all(Result::is_ok));
        let mut queued = Vec::new();
        for _ in 0..3 {
            let checks = Arc::clone(&checks);
            queued.push(actix_web::rt::spawn(async move {
                checks.acquire().await.map(drop)
            }));
        }
        // let the three queue up
        while checks.waiting.load(Ordering::SeqCst) < 3 {
            tokio::task::yield_now().await;
        }
        assert_eq!(
            checks.acquire().await.err().map(|e| e.code()),
            Some("auth.busy")
        );
        drop(running);
        for waiter in queued {
            assert!(matches!(waiter.await, Ok(Ok(()))));
        }
        assert_eq!(checks.waiting.load(Ordering::SeqCst), 0);
    }
}
