//! State survives a restart on the same SQLite file, DNS included.

use crate::support::{Soap, config, element_text, naptr};
use sml_emulator::Emulator;

#[test]
fn state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sml.sqlite");
    let p = "0088:5798000000001";
    {
        let emulator = Emulator::start(config(db.clone(), 100)).unwrap();
        let a = Soap::new(&emulator, Some("smp"));
        a.create_smp("SMP-A", "https://a.example.org")
            .assert_empty_ok();
        a.create("SMP-A", p).assert_empty_ok();
        a.create("SMP-A", "9915:second").assert_empty_ok();
        a.prepare("SMP-A", p, "11AAbb$$").assert_empty_ok();
        emulator.shutdown();
    }
    let emulator = Emulator::start(config(db, 100)).unwrap();
    let a = Soap::new(&emulator, Some("smp"));
    let b = Soap::new(&emulator, Some("smp2"));
    // The SMP is still bound to the first certificate.
    b.list("SMP-A", None)
        .assert_fault(401, "UnauthorizedFault", 101);
    let list = a.list("SMP-A", None);
    list.assert_ok();
    assert_eq!(
        list.body.matches("ParticipantIdentifier scheme=").count(),
        2
    );
    assert!(element_text(&list.body, "NextPageIdentifier").is_none());
    // The migration record survived too.
    a.delete("SMP-A", p)
        .assert_fault(401, "UnauthorizedFault", 114);
    // DNS is rebuilt from the stored state.
    assert_eq!(
        naptr(emulator.dns_addr(), p, false),
        Ok(vec!["!.*!https://a.example.org!".to_owned()])
    );
    b.create_smp("SMP-B", "https://b.example.org")
        .assert_empty_ok();
    b.migrate("SMP-B", p, "11AAbb$$").assert_empty_ok();
}
