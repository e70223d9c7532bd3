use super::*;

/// `split_record` with the default field limit.
fn split_record(line: &str) -> Result<Vec<String>, CsvErrorKind> {
    super::split_record(line, CsvLimits::default().max_fields)
}

/// A record as (line, fields), an error as (line, kind).
type Outcome = Result<(usize, Vec<String>), (usize, CsvErrorKind)>;

/// Every record of `input`, or the error.
fn read(input: &[u8], limits: CsvLimits) -> Vec<Outcome> {
    CsvReader::with_limits(input, limits)
        .map(|r| match r {
            Ok(r) => Ok((r.line, r.fields)),
            Err(e) => Err((e.line(), e.kind().clone())),
        })
        .collect()
}

fn ok(line: usize, fields: &[&str]) -> Outcome {
    Ok((line, fields.iter().map(|f| (*f).to_owned()).collect()))
}

#[test]
fn quoting() {
    assert_eq!(
        split_record(r#"a,"b,c","d""e", f "#).unwrap(),
        vec!["a", "b,c", "d\"e", " f "]
    );
    assert_eq!(split_record("").unwrap(), vec![""]);
    assert!(split_record(r#"a"b"#).is_err());
    assert!(split_record(r#""a"b"#).is_err());
    assert!(split_record(r#""ab"#).is_err());
}

#[test]
fn csv_quoting() {
    assert_eq!(
        split_record("iso6523-actorid-upis::0208:0123456749,\"Acme, \"\"Inc\"\"\",BE").unwrap(),
        vec![
            "iso6523-actorid-upis::0208:0123456749",
            "Acme, \"Inc\"",
            "BE"
        ]
    );
    assert_eq!(split_record("a,,b").unwrap(), vec!["a", "", "b"]);
}

#[test]
fn whitespace_around_quotes_is_dropped_and_inside_kept() {
    assert_eq!(
        split_record(r#"  " a " , "",x"#).unwrap(),
        vec![" a ", "", "x"]
    );
    assert_eq!(split_record(r#""""""#).unwrap(), vec!["\""]);
}

#[test]
fn each_quoting_error_has_its_kind() {
    use CsvErrorKind::*;
    assert_eq!(split_record(r#"ab"c"#), Err(QuoteInUnquotedField));
    assert_eq!(split_record(r#"a,"b" c"#), Err(TextAfterClosingQuote));
    assert_eq!(split_record(r#""b" "c""#), Err(TextAfterClosingQuote));
    assert_eq!(split_record(r#"a,"b,c"#), Err(UnclosedQuote));
    assert_eq!(split_record(r#"a,"b"""#), Err(UnclosedQuote));
}

#[test]
fn a_bom_crlf_lf_and_blank_lines() {
    let input = "\u{feff}h1,h2\r\n\r\n  \na,b\n\"c\r\nd\"\nlast,\"x\"\r";
    assert_eq!(
        read(input.as_bytes(), CsvLimits::default()),
        vec![
            ok(1, &["h1", "h2"]),
            ok(4, &["a", "b"]),
            Err((5, CsvErrorKind::UnclosedQuote)),
            Err((6, CsvErrorKind::QuoteInUnquotedField)),
            ok(7, &["last", "x"]),
        ]
    );
    // Only a leading BOM is one; a CR that does not end the line is data.
    assert_eq!(
        read(b"a\n\xEF\xBB\xBFb\nc\rd\n", CsvLimits::default()),
        vec![ok(1, &["a"]), ok(2, &["\u{feff}b"]), ok(3, &["c\rd"])]
    );
    assert!(read(b"", CsvLimits::default()).is_empty());
    assert!(read(b"\xEF\xBB\xBF\r\n\n", CsvLimits::default()).is_empty());
}

#[test]
fn an_over_long_line_is_refused_by_number_and_the_next_is_read() {
    let limits = CsvLimits {
        max_line_bytes: 8,
        max_fields: 256,
    };
    let input = b"12345678\r\n123456789\nabc\n12345678\r\r\n1234567812345678";
    assert_eq!(
        read(input, limits),
        vec![
            ok(1, &["12345678"]),
            Err((2, CsvErrorKind::LineTooLong { max: 8 })),
            ok(3, &["abc"]),
            Err((4, CsvErrorKind::LineTooLong { max: 8 })),
            Err((5, CsvErrorKind::LineTooLong { max: 8 })),
        ]
    );
    // Through a small buffer, the line arrives in pieces: the same answer.
    let reader = std::io::BufReader::with_capacity(3, &input[..]);
    let lines: Vec<usize> = CsvReader::with_limits(reader, limits)
        .map(|r| r.map_or_else(|e| e.line(), |r| r.line))
        .collect();
    assert_eq!(lines, vec![1, 2, 3, 4, 5]);
}

#[test]
fn the_default_line_limit_is_64_kib() {
    let long = format!("{}\nnext\n", "x".repeat(64 * 1024 + 1));
    let got = read(long.as_bytes(), CsvLimits::default());
    assert_eq!(
        got[0],
        Err((1, CsvErrorKind::LineTooLong { max: 64 * 1024 }))
    );
    assert_eq!(got[1], ok(2, &["next"]));
    let error = CsvReader::new(long.as_bytes()).next().unwrap().unwrap_err();
    assert_eq!(error.to_string(), "line 1: longer than 65536 bytes");
    assert!(!error.is_fatal());
}

#[test]
fn too_many_fields() {
    let limits = CsvLimits {
        max_line_bytes: 1024,
        max_fields: 3,
    };
    assert_eq!(
        read(b"a,b,c\na,b,c,\n\"a,b,c,d\"\n", limits),
        vec![
            ok(1, &["a", "b", "c"]),
            Err((2, CsvErrorKind::TooManyFields { max: 3 })),
            ok(3, &["a,b,c,d"]),
        ]
    );
    let many = ",".repeat(256);
    assert_eq!(
        split_record(&many),
        Err(CsvErrorKind::TooManyFields { max: 256 })
    );
    assert_eq!(split_record(&many[1..]).unwrap().len(), 256);
}

#[test]
fn bytes_that_are_not_utf8_end_the_file() {
    let mut reader = CsvReader::new(&b"ok\nbad \xFF\nnever\n"[..]);
    assert_eq!(
        reader.next(),
        Some(Ok(CsvRecord {
            line: 1,
            fields: vec!["ok".into()]
        }))
    );
    let error = reader.next().unwrap().unwrap_err();
    assert_eq!((error.line(), error.kind()), (2, &CsvErrorKind::NotUtf8));
    assert!(error.is_fatal());
    assert_eq!(reader.next(), None);
}

#[test]
fn a_failed_read_ends_the_file_with_the_line_it_was_reading() {
    struct Failing;
    impl std::io::Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk gone"))
        }
    }
    let input = std::io::Read::chain(&b"a\nb"[..], Failing);
    let mut reader = CsvReader::new(std::io::BufReader::new(input));
    assert_eq!(reader.next().unwrap().unwrap().fields, vec!["a"]);
    let error = reader.next().unwrap().unwrap_err();
    assert_eq!(error.line(), 2);
    assert!(error.is_fatal(), "{error}");
    assert!(error.to_string().contains("disk gone"), "{error}");
    assert_eq!(reader.next(), None);
}

#[test]
fn lines_read_counts_blank_lines() {
    let mut reader = CsvReader::new(&b"\n\na\n\n"[..]);
    assert_eq!(reader.next().map(|r| r.map(|r| r.line)), Some(Ok(3)));
    assert_eq!(reader.lines_read(), 3);
    assert_eq!(reader.next(), None);
    assert_eq!(reader.lines_read(), 4);
}

#[test]
fn arbitrary_bytes_never_panic() {
    // A poor man's fuzz run: every short mix of the characters that matter.
    let alphabet: &[u8] = b"a,\"\r\n \xEF\xBB\xBF\xFF";
    let limits = CsvLimits {
        max_line_bytes: 4,
        max_fields: 2,
    };
    let mut input = Vec::new();
    for n in 0..alphabet.len().pow(4) {
        input.clear();
        let mut k = n;
        for _ in 0..4 {
            input.push(alphabet[k % alphabet.len()]);
            k /= alphabet.len();
        }
        for record in CsvReader::with_limits(&input[..], limits) {
            match record {
                Ok(r) => assert!((1..=2).contains(&r.fields.len()), "{input:?}"),
                Err(e) => assert!((1..=4).contains(&e.line()), "{input:?}"),
            }
        }
    }
}

#[test]
fn count_lines_agrees_with_the_reader() {
    for input in [
        &b""[..],
        b"a",
        b"a\n",
        b"a\n\n",
        b"\n",
        b"a\r\nb",
        b"x\ny\nz\n\n\nw",
    ] {
        let mut reader = CsvReader::new(input);
        reader.by_ref().for_each(drop);
        let small = std::io::BufReader::with_capacity(1, input);
        assert_eq!(
            count_lines(input).unwrap(),
            reader.lines_read(),
            "{input:?}"
        );
        assert_eq!(
            count_lines(small).unwrap(),
            reader.lines_read(),
            "{input:?}"
        );
    }
}
