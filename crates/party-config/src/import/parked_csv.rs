//! The registry dump of `ferry parked import`: `identifier,name,country` rows, an optional
//! header whose first field is `identifier`, read in batches so a dump of any size is
//! imported in bounded memory.

use std::io::BufRead;

use super::{BadRow, CsvError, CsvReader};
use crate::{PARKED_BATCH_LIMIT, ParkedParticipant};

/// Up to a batch of participants, and what was read to get them.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ParkedBatch {
    /// The rows, values as written (the import trims and checks them).
    pub participants: Vec<ParkedParticipant>,
    /// Lines read on the way that are not rows (malformed: too long, bad quoting).
    pub bad_rows: Vec<BadRow>,
    /// Physical lines this batch covers (blank lines and the header included), for a
    /// progress bar: over all batches, the lines of the file.
    pub lines: usize,
}

/// A registry dump as batches of [`ParkedParticipant`]s, for
/// [`ParkedImport::import_parked_batch`](crate::ParkedImport::import_parked_batch).
///
/// Rows with fewer than three fields get empty values (and are rejected by the import);
/// fields after the third are ignored; rows whose fields are all blank are skipped. A
/// line that is not a record is reported in [`ParkedBatch::bad_rows`]. The iterator yields
/// an error only when the file cannot be read on ([`CsvError::is_fatal`]), and then ends.
#[derive(Debug)]
pub struct ParkedCsv<R> {
    records: CsvReader<R>,
    batch_size: usize,
    header_checked: bool,
    lines_reported: usize,
    done: bool,
}

impl<R: BufRead> ParkedCsv<R> {
    /// Batches of `batch_size` rows, held to 1..=[`PARKED_BATCH_LIMIT`].
    pub fn new(input: R, batch_size: usize) -> Self {
        Self {
            records: CsvReader::new(input),
            batch_size: batch_size.clamp(1, PARKED_BATCH_LIMIT),
            header_checked: false,
            lines_reported: 0,
            done: false,
        }
    }
}

impl<R: BufRead> Iterator for ParkedCsv<R> {
    type Item = Result<ParkedBatch, CsvError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut batch = ParkedBatch::default();
        while batch.participants.len() < self.batch_size {
            let record = match self.records.next() {
                None => {
                    self.done = true;
                    break;
                }
                Some(Ok(record)) => record,
                Some(Err(e)) if e.is_fatal() => {
                    self.done = true;
                    return Some(Err(e));
                }
                Some(Err(e)) => {
                    self.header_checked = true;
                    batch.bad_rows.push(e.into());
                    continue;
                }
            };
            if record.fields.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let first = !std::mem::replace(&mut self.header_checked, true);
            let identifier = record.fields.first().map(|f| f.trim());
            if first && identifier.is_some_and(|f| f.eq_ignore_ascii_case("identifier")) {
                continue;
            }
            let mut fields = record.fields.into_iter();
            let mut next = || fields.next().unwrap_or_default();
            batch.participants.push(ParkedParticipant {
                participant: next(),
                name: next(),
                country: next(),
            });
        }
        let read = self.records.lines_read();
        batch.lines = read - self.lines_reported;
        self.lines_reported = read;
        if batch == ParkedBatch::default() {
            return None;
        }
        Some(Ok(batch))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = "iso6523-actorid-upis::0208:0123456749";

    fn parked(participant: &str, name: &str, country: &str) -> ParkedParticipant {
        ParkedParticipant {
            participant: participant.into(),
            name: name.into(),
            country: country.into(),
        }
    }

    fn batches(text: &str, size: usize) -> Vec<ParkedBatch> {
        ParkedCsv::new(text.as_bytes(), size)
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn csv_quoting() {
        let got = batches(&format!("{P},\"Acme, \"\"Inc\"\"\",BE\r\na,,b\n"), 100);
        assert_eq!(
            got[0].participants,
            vec![parked(P, "Acme, \"Inc\"", "BE"), parked("a", "", "b")]
        );
    }

    #[test]
    fn header_blank_rows_short_and_long_rows() {
        let text = "\u{feff}\n Identifier ,name,country\n,, \nx,Name\ny,N,BE,extra\n\n";
        let got = batches(text, 100);
        assert_eq!(
            got,
            vec![ParkedBatch {
                participants: vec![parked("x", "Name", ""), parked("y", "N", "BE")],
                bad_rows: Vec::new(),
                lines: 6,
            }]
        );
        // A header is only the first row.
        let got = batches("a,b,c\nidentifier,name,country\n", 100);
        assert_eq!(got[0].participants.len(), 2);
    }

    #[test]
    fn batches_cover_every_line_and_bad_lines_are_kept() {
        let text = "identifier,name,country\na,1,BE\n\"b,2,BE\nc,3,BE\n\nd,4,BE\n\n";
        let got = batches(text, 2);
        let lines: Vec<usize> = got.iter().map(|b| b.lines).collect();
        assert_eq!(lines, vec![4, 3]);
        let names: Vec<Vec<&str>> = got
            .iter()
            .map(|b| b.participants.iter().map(|p| p.name.as_str()).collect())
            .collect();
        assert_eq!(names, vec![vec!["1", "3"], vec!["4"]]);
        assert_eq!(
            got[0].bad_rows,
            vec![BadRow {
                line: 3,
                reason: "a quoted field is not closed".into()
            }]
        );
        // Nothing after the last full batch but blank lines: they still count.
        let got = batches("a,1,BE\n\n\n", 1);
        assert_eq!(got.iter().map(|b| b.lines).sum::<usize>(), 3);
        assert!(batches("", 10).is_empty());
    }

    #[test]
    fn a_file_that_is_not_utf8_is_an_error() {
        let mut csv = ParkedCsv::new(&b"a,b,BE\nc,\xE9,FR\n"[..], 10);
        let error = csv.next().unwrap().unwrap_err();
        assert_eq!(error.line(), 2);
        assert!(error.is_fatal());
        assert!(csv.next().is_none());
    }
}
