//! Several Ferry nodes on one database: a write on one node must reach the other node's
//! cache through the change log, not only the writer's own cache.

use std::time::{Duration, Instant};

use ferry_e2e::{
    ADMIN_TOKEN, DOCTYPE, FerryProcess, PARTICIPANT, metadata_path, participant_path,
    service_group_xml, service_metadata_xml,
};

const POLL: &[(&str, &str)] = &[("FERRY_CACHE__POLL_INTERVAL_MS", "100")];

#[test]
fn a_write_on_one_node_invalidates_the_other_nodes_cache() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (backend, url) in test_support::test_databases(tmp.path()) {
        eprintln!("--- database: {backend}");
        let a = FerryProcess::start(&url, POLL);
        let b = FerryProcess::start(&url, POLL);
        let metadata = metadata_path(PARTICIPANT, DOCTYPE);

        a.put_xml(
            &participant_path(PARTICIPANT),
            service_group_xml(PARTICIPANT),
            Some(ADMIN_TOKEN),
        )
        .assert_status(200);
        a.put_xml(
            &metadata,
            service_metadata_xml(PARTICIPANT, "https://old.example.org/as4"),
            Some(ADMIN_TOKEN),
        )
        .assert_status(200);
        // Node B reads once: the old bytes are now in B's cache.
        assert!(
            b.get(&metadata)
                .assert_status(200)
                .text()
                .contains("https://old.example.org/as4")
        );

        a.put_xml(
            &metadata,
            service_metadata_xml(PARTICIPANT, "https://new.example.org/as4"),
            Some(ADMIN_TOKEN),
        )
        .assert_status(200);
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let body = b.get(&metadata).assert_status(200).text();
            if body.contains("https://new.example.org/as4") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "node B still serves the old bytes after 5 s on {backend}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }

        // A delete on A is a 404 on B as well.
        a.delete(&participant_path(PARTICIPANT), Some(ADMIN_TOKEN))
            .assert_status(200);
        let deadline = Instant::now() + Duration::from_secs(5);
        while b.get(&metadata).status != 404 {
            assert!(
                Instant::now() < deadline,
                "node B still serves a deleted participant on {backend}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
