//! The authoritative NAPTR zone over UDP and TCP.

use hickory_proto::{op::ResponseCode, rr::RecordType};

use crate::support::{Soap, ZONE, dns_name, naptr, raw_rcode, start};

#[test]
fn naptr_appears_moves_and_disappears_over_udp_and_tcp() {
    let emulator = start(100);
    let dns = emulator.dns_addr();
    let a = Soap::new(&emulator, Some("smp"));
    let b = Soap::new(&emulator, Some("smp2"));
    a.create_smp("SMP-A", "https://a.example.org/smp")
        .assert_empty_ok();
    b.create_smp("SMP-B", "https://b.example.org")
        .assert_empty_ok();
    let p = "0088:5798000000001";
    for tcp in [false, true] {
        assert_eq!(
            naptr(dns, p, tcp),
            Err(true),
            "NXDOMAIN before Create (tcp={tcp})"
        );
    }
    a.create("SMP-A", p).assert_empty_ok();
    for tcp in [false, true] {
        assert_eq!(
            naptr(dns, p, tcp),
            Ok(vec!["!.*!https://a.example.org/smp!".to_owned()])
        );
    }
    // Lookups are case-insensitive in the value: the name hashes the lower-cased value.
    assert_eq!(dns_name(p), dns_name(&p.to_uppercase()));

    a.prepare("SMP-A", p, "11AAbb$$").assert_empty_ok();
    b.migrate("SMP-B", p, "11AAbb$$").assert_empty_ok();
    for tcp in [false, true] {
        assert_eq!(
            naptr(dns, p, tcp),
            Ok(vec!["!.*!https://b.example.org!".to_owned()])
        );
    }
    b.delete("SMP-B", p).assert_empty_ok();
    for tcp in [false, true] {
        assert_eq!(
            naptr(dns, p, tcp),
            Err(true),
            "NXDOMAIN after Delete (tcp={tcp})"
        );
    }
}

#[test]
fn authoritative_for_the_zone_only() {
    let emulator = start(100);
    let dns = emulator.dns_addr();
    let (rcode, aa) = raw_rcode(dns, &dns_name("0088:123abc"), RecordType::NAPTR);
    assert_eq!((rcode, aa), (ResponseCode::NXDomain, true));
    let (rcode, aa) = raw_rcode(dns, ZONE, RecordType::SOA);
    assert_eq!((rcode, aa), (ResponseCode::NoError, true));
    let (rcode, _) = raw_rcode(dns, "example.org.", RecordType::NAPTR);
    assert_eq!(rcode, ResponseCode::Refused);
}
