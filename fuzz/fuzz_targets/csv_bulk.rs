//! party-config's bulk migration file (`parse_bulk_csv`) and its record splitter
//! (`split_record`) on any text (invalid UTF-8 replaced, as the file is read as text).
//!
//! Invariants: nothing panics; errors render; every item is a valid participant with a
//! valid (or no) migration key, no participant twice; bad rows come in line order after the
//! header, on lines the file has; every line that splits into fields splits into the same
//! fields again once written back as quoted CSV.
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use party_config::{CsvLimits, count_lines, parse_bulk_csv, split_record};
use peppol_id::ParticipantId;
use sml_client::MigrationKey;

/// `fields` as one CSV line, every field quoted.
fn write_record(fields: &[String]) -> String {
    let quoted: Vec<String> = fields
        .iter()
        .map(|f| format!("\"{}\"", f.replace('"', "\"\"")))
        .collect();
    quoted.join(",")
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines = count_lines(text.as_bytes()).expect("reading memory cannot fail");
    match parse_bulk_csv(&text, "fuzz.csv", &[]) {
        Ok(csv) => {
            let mut seen = HashSet::new();
            for item in &csv.items {
                let p =
                    ParticipantId::parse(&item.participant).expect("items are valid participants");
                assert!(seen.insert(p.key()), "{p} twice");
                if let Some(key) = &item.migration_key {
                    assert!(MigrationKey::new(key).is_ok(), "an invalid key was kept");
                }
            }
            let mut last = 1;
            for bad in &csv.bad_rows {
                assert!(
                    bad.line > last && bad.line <= lines,
                    "{bad:?} after {last} of {lines}"
                );
                last = bad.line;
            }
        }
        Err(e) => {
            let _ = (e.to_string(), e.code(), e.class());
        }
    }
    let max_fields = CsvLimits::default().max_fields;
    for line in text.split('\n') {
        match split_record(line, max_fields) {
            Ok(fields) => {
                assert!(!fields.is_empty() && fields.len() <= max_fields);
                let written = write_record(&fields);
                assert_eq!(
                    split_record(&written, max_fields).as_ref(),
                    Ok(&fields),
                    "{written:?}"
                );
            }
            Err(kind) => {
                let _ = kind.to_string();
            }
        }
    }
});
