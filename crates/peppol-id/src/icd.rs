//! ICDs (ISO 6523 International Code Designators): the 4-digit prefix of a Peppol participant
//! value that says which registry issued the identifier after it.
//!
//! The Peppol participant identifier scheme code list (v9.7) is embedded. An ICD is accepted
//! when the code list has it as active or deprecated; removed ones are refused, except 9956
//! (the old Belgian enterprise-number scheme, replaced by 0208), which is still in use.
//!
//! Check digits are verified for 0208 and 9956 (Belgian enterprise number, mod 97), 9925
//! (Belgian VAT number), 0088 (GLN, GS1 mod 10) and 0192 (Norwegian organisation number,
//! mod 11). Other ICDs get no scheme-specific check: their code-list rules are either loose
//! or not followed by identifiers registered in the network.
//!
//! ```
//! use peppol_id::icd;
//!
//! assert!(icd::check("0208", "0123456749").is_ok());
//! assert_eq!(icd::check("0208", "0123456750").unwrap_err().code(), "id.check_digit");
//! assert_eq!(icd::lookup("0192").map(|s| s.scheme_id), Some("NO:ORG"));
//! ```

mod check_digit;
mod code_list;

use crate::error::IdErrorKind;

/// The version of the Peppol participant identifier scheme code list embedded here.
pub const CODE_LIST_VERSION: &str = code_list::VERSION;

/// The ICD kept as an exception although the code list has removed it: Belgian participants
/// registered under it before the move to 0208 are still looked up and migrated.
pub const LEGACY_BELGIAN_ICD: &str = "9956";

/// Where an ICD stands in the code list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IcdState {
    /// In use.
    Active,
    /// Still valid, but to be removed; new participants should use another scheme.
    Deprecated,
    /// No longer valid in the Peppol network.
    Removed,
}

/// One entry of the Peppol participant identifier scheme code list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct IcdScheme {
    /// The 4-digit ICD, e.g. `"0208"`.
    pub icd: &'static str,
    /// The code list's short scheme name, e.g. `"BE:EN"`.
    pub scheme_id: &'static str,
    /// Active, deprecated or removed.
    pub state: IcdState,
    /// Whether participants with this ICD may be registered in the SML (the code list says
    /// no for removed schemes and for 0205).
    pub registrable: bool,
    /// When it was (or is planned to be) removed, as YYYY-MM-DD.
    pub removal_date: Option<&'static str>,
    /// The ICD to use instead, when there is one.
    pub replacement: Option<&'static str>,
}

/// The code-list entry for `icd`, if the code list has one (in any state).
pub fn lookup(icd: &str) -> Option<&'static IcdScheme> {
    code_list::SCHEMES
        .binary_search_by(|s| s.icd.cmp(icd))
        .ok()
        .and_then(|i| code_list::SCHEMES.get(i))
}

/// Every entry of the embedded code list, sorted by ICD.
pub fn schemes() -> &'static [IcdScheme] {
    code_list::SCHEMES
}

/// Checks the ICD-specific rules for the identifier `id` under `icd` (as in `icd:id`): the ICD
/// must be accepted (see the [module docs](self)) and `id` must pass its format and
/// check-digit rules. Letters are compared case-insensitively, like participant identifiers.
///
/// This does not repeat the general participant checks (length, characters); use
/// [`ParticipantId::new`](crate::ParticipantId::new) for a complete validation.
///
/// # Errors
///
/// [`IdErrorKind::InvalidIcd`] for an ICD not in the code list, [`IdErrorKind::RemovedIcd`]
/// for a removed one, [`IdErrorKind::EmptyValue`] for an empty `id`,
/// [`IdErrorKind::InvalidFormat`] or [`IdErrorKind::CheckDigit`] when `id` breaks the rules of
/// its ICD.
pub fn check(icd: &str, id: &str) -> Result<(), IdErrorKind> {
    let scheme = lookup(icd).ok_or_else(|| IdErrorKind::InvalidIcd {
        icd: icd.to_owned(),
    })?;
    if scheme.state == IcdState::Removed && scheme.icd != LEGACY_BELGIAN_ICD {
        return Err(IdErrorKind::RemovedIcd {
            icd: scheme.icd.to_owned(),
            removal_date: scheme.removal_date.unwrap_or("an unknown date"),
            replacement: scheme.replacement,
        });
    }
    if id.is_empty() {
        return Err(IdErrorKind::EmptyValue);
    }
    match scheme.icd {
        "0208" | LEGACY_BELGIAN_ICD => check_digit::belgian_enterprise(icd, id),
        "9925" => check_digit::belgian_vat(icd, id),
        "0088" => check_digit::gln(icd, id),
        "0192" => check_digit::norwegian_org(icd, id),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<(), IdErrorKind>) -> &'static str {
        r.map_or_else(|k| k.code(), |()| "ok")
    }

    #[test]
    fn lookup_finds_every_entry() {
        for s in schemes() {
            assert_eq!(lookup(s.icd), Some(s));
        }
        assert_eq!(lookup("0000"), None);
        assert_eq!(lookup("208"), None);
        assert_eq!(lookup(""), None);
    }

    #[test]
    fn accepted_icds() {
        assert_eq!(code(check("0002", "784301772")), "ok");
        assert_eq!(code(check("0242", "000001")), "ok");
        assert_eq!(code(check("9959", "12-3456789")), "ok");
        // deprecated, still valid
        assert_eq!(code(check("0193", "anything")), "ok");
        assert_eq!(code(check("9912", "BE0123456749")), "ok");
        // removed, but kept for Belgium, and check-digit verified like 0208
        assert_eq!(code(check("9956", "0123456749")), "ok");
        assert_eq!(code(check("9956", "0123456750")), "id.check_digit");
    }

    #[test]
    fn refused_icds() {
        for icd in [
            "0000", "0001", "9903", "9911", "9960", "abcd", "020", "02088", "",
        ] {
            assert_eq!(
                check(icd, "1"),
                Err(IdErrorKind::InvalidIcd {
                    icd: icd.to_owned()
                }),
                "{icd}"
            );
        }
        assert_eq!(
            check("9908", "991825827"),
            Err(IdErrorKind::RemovedIcd {
                icd: "9908".into(),
                removal_date: "2023-05-24",
                replacement: Some("0192")
            })
        );
        let msg = check("9908", "991825827").unwrap_err().to_string();
        assert!(msg.contains("use ICD 0192"), "{msg}");
        assert_eq!(code(check("9901", "1")), "id.removed_icd");
    }

    #[test]
    fn dispatches_check_digits() {
        assert_eq!(code(check("0208", "0123456749")), "ok");
        assert_eq!(code(check("0208", "0123456748")), "id.check_digit");
        assert_eq!(code(check("9925", "be0123456749")), "ok");
        assert_eq!(code(check("0088", "1548079098355")), "ok");
        assert_eq!(code(check("0088", "123abc")), "id.invalid_format");
        assert_eq!(code(check("0192", "991825827")), "ok");
        assert_eq!(code(check("0192", "991825828")), "id.check_digit");
        assert_eq!(code(check("0208", "")), "id.empty_value");
    }
}
