//! `smp_xml::parse_signed_service_metadata` on any bytes, under both participant rules
//! (the signature is only required to be there, not checked). What parses is the
//! ServiceMetadata inside: written with `write_service_metadata` it must read back
//! unchanged as an unsigned document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smp_xml::{parse_service_metadata, parse_signed_service_metadata, write_service_metadata};

fuzz_target!(|data: &[u8]| {
    ferry_fuzz::xml_round_trip(
        data,
        parse_signed_service_metadata,
        parse_service_metadata,
        write_service_metadata,
    );
});
