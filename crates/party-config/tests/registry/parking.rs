//! The parking desk over the real engines: unauthenticated callers cannot spend the
//! verified callers' budgets or grow the audit log row by row; the daily quota and "the
//! open key or a new one" hold across nodes sharing one database.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use party_config::{
    ApTrust, DEFAULT_AP_CA_MARKERS, Handover, HandoverConfig, Parking, ParkingEnvironment,
    ParkingLimits, TokenError,
};
use peppol_id::ParticipantId;
use smp_core::{Core, CoreConfig, RegistrationPolicy, SmlFailure, SmlRegistry};
use smp_store::Store;

use crate::support::{repo_root, signing_key, with_endpoint};

const P: &str = "iso6523-actorid-upis::0208:0123456749";
const UNKNOWN: &str = "iso6523-actorid-upis::0208:0000000097";

/// An SML that registers everything and records each PrepareToMigrate, slowly (the
/// window in which a second node could prepare a key of its own).
#[derive(Default)]
struct PreparingSml {
    registered: Mutex<HashSet<String>>,
    prepared: Mutex<Vec<String>>,
}

impl SmlRegistry for PreparingSml {
    fn create_participant(&self, p: &ParticipantId) -> Result<(), SmlFailure> {
        self.registered.lock().unwrap().insert(p.key());
        Ok(())
    }
    fn delete_participant(&self, p: &ParticipantId) -> Result<(), SmlFailure> {
        self.registered.lock().unwrap().remove(&p.key());
        Ok(())
    }
    fn participant_exists(&self, p: &ParticipantId) -> Result<bool, SmlFailure> {
        Ok(self.registered.lock().unwrap().contains(&p.key()))
    }
    fn list_participants(&self) -> Result<Vec<ParticipantId>, SmlFailure> {
        Ok(Vec::new())
    }
    fn prepare_to_migrate(&self, _: &ParticipantId, key: &str) -> Result<(), SmlFailure> {
        std::thread::sleep(Duration::from_millis(100));
        self.prepared.lock().unwrap().push(key.to_owned());
        Ok(())
    }
    fn migrate(&self, _: &ParticipantId, _: &str) -> Result<(), SmlFailure> {
        Ok(())
    }
    fn lookup_smp(&self, _: &ParticipantId) -> Result<Option<String>, SmlFailure> {
        Ok(None)
    }
}

fn trust() -> ApTrust {
    let markers: Vec<String> = DEFAULT_AP_CA_MARKERS
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    ApTrust::from_pem_file(
        &repo_root().join("certs-test/truststore/peppol-test-ap-roots.pem"),
        &markers,
        ParkingEnvironment::Test,
    )
    .unwrap()
}

fn valid_chain() -> Vec<Vec<u8>> {
    let pem = std::fs::read(repo_root().join("certs-test/ap/ap-valid.crt.pem")).unwrap();
    vec![
        openssl::x509::X509::from_pem(&pem)
            .unwrap()
            .to_der()
            .unwrap(),
    ]
}

fn ip(n: u32) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n))
}

fn limits(daily_quota: u32, per_ip: u32, global: u32) -> ParkingLimits {
    ParkingLimits {
        daily_quota,
        per_ip_per_minute: per_ip,
        global_per_minute: global,
    }
}

/// One node: its own core, pool and parking desk over the shared database `url`.
fn node(url: &str, sml: &Arc<PreparingSml>, limits: ParkingLimits) -> Handover {
    let core = Core::new(
        Store::open(url, 8).unwrap(),
        signing_key(),
        &CoreConfig {
            public_url: "http://smp.test".into(),
            base_path: String::new(),
            cache_enabled: true,
            cache_max_entries: 1000,
            max_document_bytes: 1 << 20,
            sml_enabled: true,
            policy: RegistrationPolicy::default(),
            event_retention_ms: 30 * 24 * 3600 * 1000,
        },
    )
    .with_sml(Arc::clone(sml) as Arc<dyn SmlRegistry>);
    Handover::new(
        Arc::new(core),
        &HandoverConfig {
            migration_check_ms: 1000,
            migration_grace_ms: 0,
            foreign_fetch: smp_client::FetchPolicy::strict(),
        },
    )
    .with_parking(Arc::new(Parking::new(trust(), limits)))
}

/// Two nodes per engine over one database, `P` hosted and registered in the SML.
fn each_backend_two_nodes(
    limits: ParkingLimits,
    test: impl Fn(&Handover, &Handover, &PreparingSml),
) {
    let dir = tempfile::tempdir().unwrap();
    for (backend, url) in test_support::test_databases(dir.path()) {
        eprintln!("-- backend {backend}");
        let sml = Arc::new(PreparingSml::default());
        let a = node(&url, &sml, limits);
        let b = node(&url, &sml, limits);
        let admin = a.core().users().unchecked_local_admin().unwrap();
        a.core()
            .participants()
            .create_participant(&admin, &with_endpoint(P, "https://ap.example.org/as4"))
            .unwrap();
        assert_eq!(a.core().sml_sync().run_sml_jobs(&*sml, 10).unwrap().done, 1);
        test(&a, &b, &sml);
    }
}

fn code(r: &Result<party_config::CollectedToken, TokenError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

/// Regression: the global per-minute limit was spent before the certificate check, so
/// callers without a certificate locked every AP out (`403 token.global_limit`), and each
/// of their requests was an audit row.
#[test]
fn unauthenticated_requests_spend_no_budget_and_write_no_audit_rows() {
    each_backend_two_nodes(limits(1000, 5, 3), |a, _, _| {
        let desk = a.parking().unwrap();
        for n in 0..20 {
            let r = desk.collect_migration_token(&[], ip(n), UNKNOWN);
            assert_eq!(code(&r), "token.no_certificate");
        }
        // The verified caller still has the whole global budget of 3.
        for n in 0..3 {
            let r = desk.collect_migration_token(&valid_chain(), ip(100 + n), UNKNOWN);
            assert_eq!(code(&r), "token.unknown_participant", "request {n}");
        }
        let r = desk.collect_migration_token(&valid_chain(), ip(200), UNKNOWN);
        assert_eq!(code(&r), "token.global_limit");

        // One audit row per verified request; none for the 20 without certificate.
        let admin = a.core().users().unchecked_local_admin().unwrap();
        let log = desk.token_collections(&admin, None, 0, 1000).unwrap();
        assert!(
            log.iter().all(|row| row.caller_id.is_some()),
            "unauthenticated requests left audit rows: {log:?}"
        );
        assert_eq!(
            log.iter()
                .filter(|r| r.outcome == "token.unknown_participant")
                .count(),
            3
        );
    });
}

/// Unverified requests are still bounded per address (they cost a certificate check),
/// without touching the verified callers' budgets.
#[test]
fn unauthenticated_requests_are_bounded_per_address() {
    each_backend_two_nodes(limits(1000, 5, 1000), |a, _, _| {
        let desk = a.parking().unwrap();
        let attacker = ip(1);
        for _ in 0..5 {
            let r = desk.collect_migration_token(&[b"junk".to_vec()], attacker, UNKNOWN);
            assert_eq!(code(&r), "token.unparsable_certificate");
        }
        let r = desk.collect_migration_token(&[b"junk".to_vec()], attacker, UNKNOWN);
        assert_eq!(code(&r), "token.ip_limit");
        // Another address with a valid certificate is served, five times (its own budget).
        for _ in 0..5 {
            let r = desk.collect_migration_token(&valid_chain(), ip(2), UNKNOWN);
            assert_eq!(code(&r), "token.unknown_participant");
        }
    });
}

/// Regression: the quota check counted committed rows and wrote its own row afterwards,
/// so concurrent requests (here from two nodes) went past the daily quota.
#[test]
fn the_daily_quota_holds_under_concurrency_across_nodes() {
    const QUOTA: usize = 3;
    const THREADS: usize = 12;
    each_backend_two_nodes(limits(QUOTA as u32, 1000, 1000), |a, b, _| {
        let barrier = Barrier::new(THREADS);
        let codes: Vec<&'static str> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..THREADS)
                .map(|i| {
                    let node = if i % 2 == 0 { a } else { b };
                    let barrier = &barrier;
                    s.spawn(move || {
                        let desk = node.parking().unwrap();
                        barrier.wait();
                        code(&desk.collect_migration_token(
                            &valid_chain(),
                            ip(u32::try_from(i).unwrap()),
                            UNKNOWN,
                        ))
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let served = codes
            .iter()
            .filter(|c| **c == "token.unknown_participant")
            .count();
        assert_eq!(served, QUOTA, "{codes:?}");
        assert_eq!(
            codes.iter().filter(|c| **c == "token.blacklisted").count(),
            THREADS - QUOTA,
            "{codes:?}"
        );
    });
}

/// Regression: "the open key or a new one" was serialised per process only, so two nodes
/// each prepared a key and the first one handed out was dead at the SML.
#[test]
fn concurrent_collections_on_two_nodes_prepare_one_key() {
    const THREADS: usize = 6;
    each_backend_two_nodes(limits(1000, 1000, 1000), |a, b, sml| {
        let barrier = Barrier::new(THREADS);
        let keys: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..THREADS)
                .map(|i| {
                    let node = if i % 2 == 0 { a } else { b };
                    let barrier = &barrier;
                    s.spawn(move || {
                        let desk = node.parking().unwrap();
                        barrier.wait();
                        desk.collect_migration_token(
                            &valid_chain(),
                            ip(u32::try_from(i).unwrap()),
                            P,
                        )
                        .unwrap()
                        .migration_key
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let prepared = sml.prepared.lock().unwrap().clone();
        assert_eq!(prepared.len(), 1, "PrepareToMigrate calls: {prepared:?}");
        assert!(
            keys.iter().all(|k| *k == prepared[0]),
            "{keys:?} vs {prepared:?}"
        );
    });
}

/// Refusals before verification are counted: in totals for metrics, and as one audit row
/// per minute, address and outcome once the minute is over.
#[test]
fn refused_requests_are_counted_and_written_per_minute() {
    each_backend_two_nodes(limits(1000, 100, 1000), |a, _, _| {
        let desk = a.parking().unwrap();
        for _ in 0..7 {
            desk.collect_migration_token(&[], ip(1), UNKNOWN)
                .unwrap_err();
        }
        desk.collect_migration_token(&[b"junk".to_vec()], ip(2), UNKNOWN)
            .unwrap_err();
        let totals = desk.rejected_requests();
        let count = |code: &str| {
            totals
                .iter()
                .find(|t| t.code == code)
                .map_or(0, |t| t.count)
        };
        assert_eq!(count("token.no_certificate"), 7);
        assert_eq!(count("token.unparsable_certificate"), 1);

        let admin = a.core().users().unchecked_local_admin().unwrap();
        let in_two_minutes = smp_core::kernel::now_ms() + 120_000;
        assert_eq!(desk.flush_rejections_at(in_two_minutes).unwrap(), 2);
        let log = desk.token_collections(&admin, None, 0, 100).unwrap();
        let row = log
            .iter()
            .find(|r| r.outcome == "token.no_certificate")
            .unwrap();
        assert_eq!(
            (row.attempts, row.client_ip.as_str(), row.http_status),
            (7, "10.0.0.1", 401)
        );
        assert_eq!(row.caller_id, None);
        assert_eq!(log.len(), 2, "{log:?}");
        assert_eq!(desk.flush_rejections_at(in_two_minutes).unwrap(), 0);
    });
}

/// Audit rows go after `parking.audit_retention_days`.
#[test]
fn audit_rows_past_their_retention_are_pruned() {
    each_backend_two_nodes(limits(1000, 100, 1000), |a, _, _| {
        let desk = a.parking().unwrap();
        let admin = a.core().users().unchecked_local_admin().unwrap();
        desk.collect_migration_token(&valid_chain(), ip(1), UNKNOWN)
            .unwrap_err();
        let day = 24 * 3600 * 1000;
        let now = smp_core::kernel::now_ms();
        assert_eq!(desk.prune_collections_at(now + 89 * day).unwrap(), 0);
        assert_eq!(
            desk.token_collections(&admin, None, 0, 10).unwrap().len(),
            1
        );
        // The default retention is 90 days.
        assert_eq!(desk.prune_collections_at(now + 91 * day).unwrap(), 1);
        assert!(
            desk.token_collections(&admin, None, 0, 10)
                .unwrap()
                .is_empty()
        );
    });
}

#[test]
fn a_retention_of_zero_keeps_audit_rows() {
    let dir = tempfile::tempdir().unwrap();
    let url = test_support::fresh_sqlite_url(dir.path());
    let sml = Arc::new(PreparingSml::default());
    let core = node(&url, &sml, limits(1000, 100, 1000)).core().clone();
    let h = Handover::new(
        core,
        &HandoverConfig {
            migration_check_ms: 1000,
            migration_grace_ms: 0,
            foreign_fetch: smp_client::FetchPolicy::strict(),
        },
    )
    .with_parking(Arc::new(
        Parking::new(trust(), limits(1000, 100, 1000)).with_audit_retention_days(0),
    ));
    let desk = h.parking().unwrap();
    desk.collect_migration_token(&valid_chain(), ip(1), UNKNOWN)
        .unwrap_err();
    let far = smp_core::kernel::now_ms() + 10_000 * 24 * 3600 * 1000;
    assert_eq!(desk.prune_collections_at(far).unwrap(), 0);
}
