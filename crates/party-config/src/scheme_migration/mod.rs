//! Scheme-ID migration: moving every participant from one ICD to another (the Belgian
//! 9956 → 0208 case, or any pair) without an interruption for senders.
//!
//! Stage 1 (`run.rs`): each participant under the old ICD gets a copy under the new one
//! with identical services, business card and owner, registered in the SML through the
//! normal job queue, and a `scheme_migrations` row, all in one transaction per
//! participant. Stage 2: both identifiers stay published for the overlap. Stage 3: a run
//! after the overlap deletes the old identifier (normal delete → SML delete job). Every run
//! is safe to repeat: rows say what is done. `report.rs` shows where a pair stands.

mod report;
mod run;

pub use report::SchemeMigrationReport;
pub(crate) use run::rejection;
pub use run::{SchemeMigrationRequest, SchemeMigrationRun};

/// The scheme migration service; see [`crate::Handover::scheme_migration`].
pub struct SchemeMigration<'a> {
    pub(crate) core: &'a smp_core::Core,
}

use peppol_id::ParticipantId;

use crate::DomainError;

/// The only identifier scheme whose values start with an ICD.
const ISO6523_SCHEME: &str = "iso6523-actorid-upis";

/// Checks an ICD argument: four digits.
fn check_icd(field: &str, icd: &str) -> Result<(), DomainError> {
    if icd.len() == 4 && icd.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            field,
            format!("`{icd}` is not an ICD (four digits, e.g. 0208)"),
        ))
    }
}

/// The key prefix of every participant under `icd`.
fn key_prefix(icd: &str) -> String {
    format!("{ISO6523_SCHEME}::{icd}:")
}

/// The identifier under the new ICD: same local part; it must be valid under `to_icd`
/// (check digits included), otherwise the participant cannot be migrated automatically.
fn new_identifier(old: &ParticipantId, to_icd: &str) -> Result<ParticipantId, DomainError> {
    Ok(ParticipantId::new(
        old.scheme(),
        &format!("{to_icd}:{}", old.local_id()),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn belgian_enterprise_number_moves_to_0208() {
        let old = ParticipantId::parse("iso6523-actorid-upis::9956:0123456749").unwrap();
        assert_eq!(
            new_identifier(&old, "0208").unwrap().to_string(),
            "iso6523-actorid-upis::0208:0123456749"
        );
        // 0208 has a mod-97 check: a value without one cannot be carried over.
        let loose = ParticipantId::parse("iso6523-actorid-upis::9915:0123456700").unwrap();
        assert!(new_identifier(&loose, "0208").is_err());
    }

    #[test]
    fn icds_are_four_digits() {
        assert!(check_icd("from", "9956").is_ok());
        assert!(check_icd("from", "99").is_err());
        assert!(check_icd("from", "99a6").is_err());
    }
}
