//! `smp_xml::parse_business_card` on any bytes, under both participant rules; what parses
//! must survive `write_business_card` → parse unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smp_xml::{parse_business_card, write_business_card};

fuzz_target!(|data: &[u8]| {
    ferry_fuzz::xml_round_trip(
        data,
        parse_business_card,
        parse_business_card,
        write_business_card,
    );
});
