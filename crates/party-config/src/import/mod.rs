//! Import files: one CSV record reader ([`CsvReader`]) and the two formats read with it,
//! the bulk migration file ([`parse_bulk_csv`]) and the parked-participant dump
//! ([`ParkedCsv`]).
//!
//! # The CSV rules (both formats)
//!
//! - **Encoding**: UTF-8. A byte order mark (`EF BB BF`) at the very start is dropped. A
//!   line that is not UTF-8 ends the file with an error naming the line: the file was saved
//!   in another encoding, and skipping its lines one by one would only hide that.
//! - **Lines**: a record ends at LF; one CR before it (CRLF) is dropped, and so is one at the
//!   end of a last line without LF. Any other CR is data. Line numbers count every physical
//!   line from 1, blank ones included, so they match an editor's.
//! - **Blank lines** (empty or only whitespace) are skipped.
//! - **One record per line**: a quoted field cannot span lines.
//! - **Fields** are separated by commas. A field whose first non-blank character is `"` is
//!   quoted (RFC 4180): commas and whitespace inside are data, `""` is one `"`, and after the
//!   closing quote only whitespace may follow (it is dropped). Whitespace before the opening
//!   quote is dropped too. An unquoted field is kept as written, spaces included; each
//!   format trims its values. A `"` inside an unquoted field, text after a closing quote
//!   and an unclosed quote are errors.
//! - **Bounds** against hostile files ([`CsvLimits`]): a line longer than 64 KiB (line end
//!   not counted) or with more than 256 fields is refused with its line number; an
//!   over-long line is skipped without being held in memory.
//! - **Header**: the reader does not interpret one; it hands the first record to the format,
//!   which decides (the bulk file must start with one, the dump may).
//!
//! Errors about one line (bounds, quoting) cost that line only: the formats report it as a
//! [`BadRow`] and go on. Errors about the file (not UTF-8, a failed read) end it
//! ([`CsvError::is_fatal`]).
//!
//! Everything here is a pure function of the bytes: [`CsvReader`] reads any `BufRead`,
//! including `&[u8]`, so a fuzzer can drive it (or [`split_record`]) without files.

mod bulk_csv;
mod csv;
mod parked_csv;

use serde::Serialize;

pub use bulk_csv::{BulkCsv, parse_bulk_csv};
pub use csv::{CsvError, CsvErrorKind, CsvLimits, CsvReader, CsvRecord, count_lines, split_record};
pub use parked_csv::{ParkedBatch, ParkedCsv};

/// A line of an import file that was not used, by its line number, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadRow {
    /// The physical line in the file, from 1.
    pub line: usize,
    /// Why the line was skipped (never echoes a migration key).
    pub reason: String,
}

impl From<CsvError> for BadRow {
    fn from(e: CsvError) -> Self {
        Self {
            line: e.line(),
            reason: e.kind().to_string(),
        }
    }
}
