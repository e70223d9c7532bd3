//! The file of `ferry migrate bulk`: a header naming the columns `participant` and
//! `migration_key` (any order, any case; the key column may be left out), then one
//! participant per row; an empty key means watch.

use std::collections::HashMap;

use peppol_id::ParticipantId;
use sml_client::MigrationKey;
use smp_core::CapabilitySpec;

use super::{BadRow, CsvReader, CsvRecord};
use crate::{DomainError, NewInboundMigration};

/// A bulk migration file read: the requests, and the rows that did not become one.
#[derive(Debug, Default)]
pub struct BulkCsv {
    /// One request per usable row, in file order, each with the capabilities given.
    pub items: Vec<NewInboundMigration>,
    /// Rows that are not usable (malformed, bad identifier or key, a participant again).
    pub bad_rows: Vec<BadRow>,
}

/// Reads a bulk migration file; `source` names it in errors, every request receives
/// `capabilities`. Only the file as a whole can fail (empty, a missing or unknown header):
/// one bad row must not stop the rest, it is reported in [`BulkCsv::bad_rows`].
pub fn parse_bulk_csv(
    text: &str,
    source: &str,
    capabilities: &[CapabilitySpec],
) -> Result<BulkCsv, DomainError> {
    let invalid = |reason: String| DomainError::invalid(source, reason);
    let mut records = CsvReader::new(text.as_bytes());
    let header = match records.next() {
        None => {
            return Err(invalid(
                "the file is empty; expected a header line `participant,migration_key`".into(),
            ));
        }
        Some(Err(e)) => return Err(invalid(e.to_string())),
        Some(Ok(header)) => header,
    };
    let columns = Columns::of(&header)
        .map_err(|reason| invalid(format!("line {}: {reason}", header.line)))?;
    let mut out = BulkCsv::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(e) if e.is_fatal() => return Err(invalid(e.to_string())),
            Err(e) => {
                out.bad_rows.push(e.into());
                continue;
            }
        };
        match columns.row(&record, &mut seen) {
            Ok((participant, migration_key)) => out.items.push(NewInboundMigration {
                participant,
                migration_key,
                capabilities: capabilities.to_vec(),
                auto_register: None,
                business_card: None,
            }),
            Err(reason) => out.bad_rows.push(BadRow {
                line: record.line,
                reason,
            }),
        }
    }
    Ok(out)
}

/// Where the header put the columns.
struct Columns {
    width: usize,
    participant: usize,
    key: Option<usize>,
}

impl Columns {
    fn of(header: &CsvRecord) -> Result<Self, String> {
        let (mut participant, mut key) = (None, None);
        for (i, name) in header.fields.iter().enumerate() {
            let slot = match name.trim().to_ascii_lowercase().as_str() {
                "participant" => &mut participant,
                "migration_key" => &mut key,
                other => {
                    // A misspelt key column must not silently turn every row into a watch.
                    return Err(format!(
                        "unknown column `{other}`; the columns are participant and migration_key"
                    ));
                }
            };
            if slot.replace(i).is_some() {
                return Err(format!("column `{}` appears twice", name.trim()));
            }
        }
        let participant = participant.ok_or("the header has no `participant` column")?;
        Ok(Self {
            width: header.fields.len(),
            participant,
            key,
        })
    }

    /// One row as (participant, key), or why it is not usable; `seen` holds the line of
    /// each participant so far.
    fn row(
        &self,
        record: &CsvRecord,
        seen: &mut HashMap<String, usize>,
    ) -> Result<(String, Option<String>), String> {
        let fields = &record.fields;
        if fields.len() > self.width {
            return Err(format!(
                "{} fields, the header has {}",
                fields.len(),
                self.width
            ));
        }
        let field = |i: Option<usize>| {
            i.and_then(|i| fields.get(i))
                .map(|f| f.trim())
                .unwrap_or_default()
        };
        let participant = field(Some(self.participant));
        let pid = ParticipantId::parse(participant)
            .map_err(|e| format!("participant `{participant}`: {e}"))?;
        let key = field(self.key);
        // The reason names the broken rule, never the key (it is a secret).
        if !key.is_empty()
            && let Err(e) = MigrationKey::new(key)
        {
            return Err(format!("migration key of {pid}: {e}"));
        }
        if let Some(first) = seen.get(&pid.key()) {
            return Err(format!("{pid} is already on line {first}"));
        }
        seen.insert(pid.key(), record.line);
        Ok((
            participant.to_owned(),
            (!key.is_empty()).then(|| key.to_owned()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P1: &str = "iso6523-actorid-upis::0208:0123456749";
    const P2: &str = "iso6523-actorid-upis::0088:5798000000001";
    const KEY: &str = "Ab1$cd2%Ef3#";

    /// The file read as (participant, key) rows and bad rows.
    struct Parsed {
        rows: Vec<(String, Option<String>)>,
        bad: Vec<BadRow>,
    }

    fn parse(text: &str) -> Result<Parsed, DomainError> {
        let BulkCsv { items, bad_rows } = parse_bulk_csv(text, "m.csv", &[])?;
        let rows = items
            .into_iter()
            .map(|i| (i.participant, i.migration_key))
            .collect();
        Ok(Parsed {
            rows,
            bad: bad_rows,
        })
    }

    #[test]
    fn rows_with_and_without_keys() {
        let Parsed { rows, bad } = parse(&format!(
            "participant,migration_key\r\n{P1},{KEY}\n\n{P2},\n"
        ))
        .unwrap();
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(
            rows,
            vec![(P1.to_owned(), Some(KEY.to_owned())), (P2.to_owned(), None)]
        );
    }

    #[test]
    fn columns_follow_the_header_and_the_key_column_is_optional() {
        let Parsed { rows, .. } = parse(&format!(
            "\u{feff}Migration_Key , participant\n{KEY},{P1}\n"
        ))
        .unwrap();
        assert_eq!(rows, vec![(P1.to_owned(), Some(KEY.to_owned()))]);
        let Parsed { rows, .. } = parse(&format!("participant\n{P1}\n")).unwrap();
        assert_eq!(rows, vec![(P1.to_owned(), None)]);
    }

    #[test]
    fn bad_rows_are_reported_by_line_and_the_rest_proceeds() {
        let text = format!(
            "participant,migration_key\n\
             not-an-id,\n\
             {P1},short\n\
             {P1},{KEY},extra\n\
             \"{P1}\",\"{KEY}\"\n\
             {P1},\n\
             \"{P2}\n"
        );
        let Parsed { rows, bad } = parse(&text).unwrap();
        assert_eq!(rows, vec![(P1.to_owned(), Some(KEY.to_owned()))]);
        let lines: Vec<usize> = bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, vec![2, 3, 4, 6, 7], "{bad:?}");
        assert!(bad[1].reason.contains("migration key"), "{bad:?}");
        assert!(
            !bad[1].reason.contains("short"),
            "the key is not echoed: {bad:?}"
        );
        assert!(bad[3].reason.contains("line 5"), "{bad:?}");
    }

    #[test]
    fn a_missing_or_unknown_header_is_fatal() {
        assert!(parse("").is_err());
        assert!(parse("\n  \n").is_err());
        assert!(parse(&format!("participant,migrationkey\n{P1},{KEY}\n")).is_err());
        assert!(parse(&format!("migration_key\n{KEY}\n")).is_err());
        assert!(parse("participant,participant\n").is_err());
    }

    #[test]
    fn fatal_errors_name_the_file_and_the_line() {
        let e = parse("\n\"participant\n").err().unwrap();
        assert_eq!(
            e.to_string(),
            "invalid `m.csv`: line 2: a quoted field is not closed"
        );
        let e = parse("participant,nope\n").err().unwrap();
        assert!(
            e.to_string().contains("line 1: unknown column `nope`"),
            "{e}"
        );
    }

    #[test]
    fn every_request_gets_the_capabilities() {
        let capability = CapabilitySpec {
            document_type: "busdox-docid-qns::d".into(),
            process: "cenbii-procid-ubl::p".into(),
            endpoint: None,
            endpoint_profile: Some("ap".into()),
        };
        let text = format!("participant\n{P1}\n{P2}\n");
        let csv = parse_bulk_csv(&text, "m.csv", std::slice::from_ref(&capability)).unwrap();
        assert_eq!(csv.items.len(), 2);
        for item in &csv.items {
            let [got] = item.capabilities.as_slice() else {
                panic!("one capability: {item:?}");
            };
            assert_eq!(got.endpoint_profile.as_deref(), Some("ap"));
            assert_eq!(got.document_type, capability.document_type);
        }
    }
}
