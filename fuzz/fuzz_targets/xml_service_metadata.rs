//! `smp_xml::parse_service_metadata` on any bytes, under both participant rules; what
//! parses must survive `write_service_metadata` → parse unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smp_xml::{parse_service_metadata, write_service_metadata};

fuzz_target!(|data: &[u8]| {
    ferry_fuzz::xml_round_trip(
        data,
        parse_service_metadata,
        parse_service_metadata,
        write_service_metadata,
    );
});
