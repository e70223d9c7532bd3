//! party-config's CSV reader (`CsvReader`, `count_lines`) and the parked-participant dump
//! (`ParkedCsv`) on any bytes. Input: three control bytes, then the file.
//!
//! * byte 0: the capacity of the `BufReader` the file is read through, 1 + (b % 64) bytes,
//!   so lines cross buffer boundaries anywhere;
//! * byte 1: the parked batch size, 1 + (b % 8);
//! * byte 2: the reader's limits: 0 for the defaults, else lines of at most b bytes and
//!   1 + (b % 8) fields.
//!
//! Invariants: nothing panics; errors render; the records do not depend on the buffer
//! size; line numbers increase; records keep to the limits and split the same again when
//! written back quoted; a fatal error ends the reading; without one, the lines counted are
//! the lines of the file; parked batches are non-empty, at most the batch size, and their
//! line counts add up to the file's.
#![no_main]

use std::io::{BufRead, BufReader};

use libfuzzer_sys::fuzz_target;
use party_config::{
    BadRow, CsvError, CsvLimits, CsvReader, CsvRecord, ParkedBatch, ParkedCsv, count_lines,
    split_record,
};

fn records<R: BufRead>(input: R, limits: CsvLimits) -> (Vec<Result<CsvRecord, CsvError>>, usize) {
    let mut reader = CsvReader::with_limits(input, limits);
    let mut out = Vec::new();
    for r in reader.by_ref() {
        out.push(r);
    }
    assert!(reader.next().is_none(), "the reader goes on after its end");
    (out, reader.lines_read())
}

fn batches<R: BufRead>(input: R, size: usize) -> Vec<Result<ParkedBatch, CsvError>> {
    let mut csv = ParkedCsv::new(input, size);
    let out: Vec<_> = csv.by_ref().collect();
    assert!(csv.next().is_none(), "the batches go on after their end");
    out
}

fuzz_target!(|data: &[u8]| {
    let [b0, b1, b2, file @ ..] = data else {
        return;
    };
    let capacity = 1 + usize::from(*b0 % 64);
    let batch_size = 1 + usize::from(*b1 % 8);
    let limits = match *b2 {
        0 => CsvLimits::default(),
        b => CsvLimits {
            max_line_bytes: usize::from(b),
            max_fields: 1 + usize::from(b % 8),
        },
    };
    let lines = count_lines(file).expect("reading memory cannot fail");
    assert_eq!(
        count_lines(BufReader::with_capacity(capacity, file)).ok(),
        Some(lines)
    );

    let (whole, read) = records(file, limits);
    let (chunked, read_chunked) = records(BufReader::with_capacity(capacity, file), limits);
    assert_eq!(whole, chunked, "the records depend on the buffer size");
    assert_eq!(read, read_chunked);
    let mut last = 0;
    let mut fatal = false;
    for (i, r) in whole.iter().enumerate() {
        let line = match r {
            Ok(record) => {
                assert!(!record.fields.is_empty() && record.fields.len() <= limits.max_fields);
                let written: Vec<String> = record
                    .fields
                    .iter()
                    .map(|f| format!("\"{}\"", f.replace('"', "\"\"")))
                    .collect();
                let written = written.join(",");
                assert_eq!(
                    split_record(&written, limits.max_fields).as_ref(),
                    Ok(&record.fields)
                );
                record.line
            }
            Err(e) => {
                let _ = (e.to_string(), BadRow::from(e.clone()));
                if e.is_fatal() {
                    assert_eq!(i, whole.len() - 1, "records after a fatal error");
                    fatal = true;
                }
                e.line()
            }
        };
        assert!(
            line > last && line <= lines,
            "line {line} after {last} of {lines}"
        );
        last = line;
    }
    if !fatal {
        assert_eq!(read, lines, "the reader and count_lines disagree");
    }

    let parked = batches(file, batch_size);
    assert_eq!(
        parked,
        batches(BufReader::with_capacity(capacity, file), batch_size)
    );
    let mut total = 0;
    let mut parked_fatal = false;
    for (i, b) in parked.iter().enumerate() {
        match b {
            Ok(batch) => {
                assert!(batch.participants.len() <= batch_size);
                assert_ne!(batch, &ParkedBatch::default(), "an empty batch");
                total += batch.lines;
            }
            Err(e) => {
                assert!(e.is_fatal() && i == parked.len() - 1, "{e}");
                parked_fatal = true;
            }
        }
    }
    if !parked_fatal {
        assert_eq!(total, lines, "the batches do not cover the file");
    }
});
