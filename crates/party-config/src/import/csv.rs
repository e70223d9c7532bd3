//! The CSV record reader; the rules are in the [module docs](super).

use std::io::{BufRead, ErrorKind};

/// The bounds a file must keep to; past them a line is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvLimits {
    /// Bytes in one line, not counting its CRLF or LF.
    pub max_line_bytes: usize,
    /// Fields in one record.
    pub max_fields: usize,
}

/// 64 KiB per line, 256 fields: far beyond any real row of the import formats.
impl Default for CsvLimits {
    fn default() -> Self {
        Self {
            max_line_bytes: 64 * 1024,
            max_fields: 256,
        }
    }
}

/// One record: its fields, unquoted, and its line in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRecord {
    /// The physical line, from 1.
    pub line: usize,
    /// At least one (blank lines give no record).
    pub fields: Vec<String>,
}

/// A line that could not be read as a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct CsvError {
    line: usize,
    kind: CsvErrorKind,
}

impl CsvError {
    /// The physical line, from 1.
    pub fn line(&self) -> usize {
        self.line
    }

    /// What is wrong with it.
    pub fn kind(&self) -> &CsvErrorKind {
        &self.kind
    }

    /// True when the file as a whole cannot be read on (not UTF-8, a failed read); the
    /// others cost only their line.
    pub fn is_fatal(&self) -> bool {
        matches!(self.kind, CsvErrorKind::Read(_) | CsvErrorKind::NotUtf8)
    }
}

/// What is wrong with a line. The messages say what to fix in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CsvErrorKind {
    /// Reading the input failed (the file, not its content).
    #[error("could not read on: {0}")]
    Read(String),
    /// The bytes are not UTF-8.
    #[error("not UTF-8 text; save the file as UTF-8")]
    NotUtf8,
    /// The line is longer than [`CsvLimits::max_line_bytes`].
    #[error("longer than {max} bytes")]
    LineTooLong {
        /// The limit.
        max: usize,
    },
    /// The record has more than [`CsvLimits::max_fields`] fields.
    #[error("more than {max} fields")]
    TooManyFields {
        /// The limit.
        max: usize,
    },
    /// A `"` inside a field that did not start with one (quote the field and double it).
    #[error("a quote inside an unquoted field")]
    QuoteInUnquotedField,
    /// Text between a closing quote and the next comma.
    #[error("text after a closing quote")]
    TextAfterClosingQuote,
    /// A quoted field without its closing quote (fields cannot span lines).
    #[error("a quoted field is not closed")]
    UnclosedQuote,
}

/// Where [`split_record`] is inside the current field.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    /// Nothing but whitespace yet.
    Start,
    Unquoted,
    Quoted,
    /// After the closing quote.
    Closed,
}

/// The fields of one line (without its line end), unquoted. Pure; the rules are in the
/// docs of party-config's `import` module.
pub fn split_record(line: &str, max_fields: usize) -> Result<Vec<String>, CsvErrorKind> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut state = Field::Start;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (state, c) {
            (Field::Quoted, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (Field::Quoted, '"') => state = Field::Closed,
            (Field::Quoted, c) => field.push(c),
            (_, ',') => {
                fields.push(std::mem::take(&mut field));
                // Another field follows this comma.
                if fields.len() >= max_fields {
                    return Err(CsvErrorKind::TooManyFields { max: max_fields });
                }
                state = Field::Start;
            }
            (Field::Start, '"') => {
                field.clear();
                state = Field::Quoted;
            }
            (Field::Unquoted, '"') => return Err(CsvErrorKind::QuoteInUnquotedField),
            (Field::Closed, c) if c.is_whitespace() => {}
            (Field::Closed, _) => return Err(CsvErrorKind::TextAfterClosingQuote),
            (Field::Start, c) => {
                field.push(c);
                if !c.is_whitespace() {
                    state = Field::Unquoted;
                }
            }
            (Field::Unquoted, c) => field.push(c),
        }
    }
    if state == Field::Quoted {
        return Err(CsvErrorKind::UnclosedQuote);
    }
    fields.push(field);
    if fields.len() > max_fields {
        return Err(CsvErrorKind::TooManyFields { max: max_fields });
    }
    Ok(fields)
}

/// The records of a CSV input, one per non-blank line, in bounded memory.
///
/// Reads any `BufRead`: a `BufReader<File>` for a file, `&[u8]` for text in memory. After a
/// fatal error ([`CsvError::is_fatal`]) it ends.
#[derive(Debug)]
pub struct CsvReader<R> {
    input: R,
    limits: CsvLimits,
    /// Lines consumed so far.
    line: usize,
    buf: Vec<u8>,
    done: bool,
}

impl<R: BufRead> CsvReader<R> {
    /// A reader with the default [`CsvLimits`].
    pub fn new(input: R) -> Self {
        Self::with_limits(input, CsvLimits::default())
    }

    /// A reader with other limits.
    pub fn with_limits(input: R, limits: CsvLimits) -> Self {
        Self {
            input,
            limits,
            line: 0,
            buf: Vec::new(),
            done: false,
        }
    }

    /// Physical lines consumed so far (blank ones included), e.g. for a progress bar.
    pub fn lines_read(&self) -> usize {
        self.line
    }

    /// Reads the next line into `buf` without its line end; `Some(true)` when it is over
    /// the limit (`buf` is then empty: the rest of the line was skipped, not stored).
    fn read_line(&mut self) -> std::io::Result<Option<bool>> {
        self.buf.clear();
        // One more byte for a CR before the LF.
        let room = self.limits.max_line_bytes.saturating_add(1);
        let (mut any, mut too_long) = (false, false);
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                break;
            }
            any = true;
            let (data, used, end) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (i, i + 1, true),
                None => (chunk.len(), chunk.len(), false),
            };
            if !too_long {
                if self.buf.len().saturating_add(data) > room {
                    too_long = true;
                    self.buf = Vec::new();
                } else {
                    self.buf.extend_from_slice(&chunk[..data]);
                }
            }
            self.input.consume(used);
            if end {
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        Ok(Some(
            too_long || self.buf.len() > self.limits.max_line_bytes,
        ))
    }
}

impl<R: BufRead> Iterator for CsvReader<R> {
    type Item = Result<CsvRecord, CsvError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let too_long = match self.read_line() {
                Ok(Some(too_long)) => too_long,
                Ok(None) => break,
                Err(e) => {
                    self.done = true;
                    let (line, kind) = (self.line + 1, CsvErrorKind::Read(e.to_string()));
                    return Some(Err(CsvError { line, kind }));
                }
            };
            self.line += 1;
            let line = self.line;
            let error = |kind| Some(Err(CsvError { line, kind }));
            if too_long {
                let max = self.limits.max_line_bytes;
                return error(CsvErrorKind::LineTooLong { max });
            }
            let mut bytes = self.buf.as_slice();
            if line == 1 {
                bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            }
            let Ok(text) = std::str::from_utf8(bytes) else {
                self.done = true;
                return error(CsvErrorKind::NotUtf8);
            };
            if text.trim().is_empty() {
                continue;
            }
            return Some(match split_record(text, self.limits.max_fields) {
                Ok(fields) => Ok(CsvRecord { line, fields }),
                Err(kind) => Err(CsvError { line, kind }),
            });
        }
        self.done = true;
        None
    }
}

/// The lines of `input` as [`CsvReader`] numbers them (a last line without LF counts), e.g.
/// the total of a progress bar; reads in bounded memory.
pub fn count_lines(mut input: impl BufRead) -> std::io::Result<usize> {
    let (mut lines, mut open) = (0, false);
    loop {
        let chunk = match input.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(lines + usize::from(open));
        }
        let ends = chunk.iter().filter(|&&b| b == b'\n').count();
        lines += ends;
        open = chunk.last() != Some(&b'\n');
        let used = chunk.len();
        input.consume(used);
    }
}

#[cfg(test)]
mod tests;
