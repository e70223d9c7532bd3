//! `smp_xml::parse_service_group` on any bytes, under both participant rules; what parses
//! must survive `write_service_group` → parse unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smp_xml::{parse_service_group, write_service_group};

fuzz_target!(|data: &[u8]| {
    ferry_fuzz::xml_round_trip(
        data,
        parse_service_group,
        parse_service_group,
        write_service_group,
    );
});
