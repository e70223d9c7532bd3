//! Format and check-digit rules of the ICDs whose numbers carry a checksum.

use crate::error::IdErrorKind;

/// Belgian enterprise numbers (ICD 0208, and the legacy 9956): 10 digits starting with 0 or 1,
/// the last two being `97 - (first eight mod 97)`.
pub(super) fn belgian_enterprise(icd: &str, id: &str) -> Result<(), IdErrorKind> {
    const FORMAT: &str = "10 digits starting with 0 or 1, without dots or spaces (e.g. 0123456749)";
    belgian_mod97(icd, id, FORMAT)
}

/// Belgian VAT numbers (ICD 9925): `BE` (any case) followed by an enterprise number.
pub(super) fn belgian_vat(icd: &str, id: &str) -> Result<(), IdErrorKind> {
    const FORMAT: &str = "`BE` followed by 10 digits starting with 0 or 1, without dots or spaces (e.g. BE0123456749)";
    let digits = match id.get(..2) {
        Some(prefix) if prefix.eq_ignore_ascii_case("BE") => &id[2..],
        _ => return Err(bad_format(icd, FORMAT)),
    };
    belgian_mod97(icd, digits, FORMAT)
}

fn belgian_mod97(
    icd: &str,
    digits: &str,
    expected_format: &'static str,
) -> Result<(), IdErrorKind> {
    if !all_digits(digits, 10) || !digits.starts_with(['0', '1']) {
        return Err(bad_format(icd, expected_format));
    }
    let (base, check) = digits.split_at(8);
    let expected = 97 - number(base) % 97;
    let found = number(check);
    if expected == found {
        Ok(())
    } else {
        Err(IdErrorKind::CheckDigit {
            icd: icd.to_owned(),
            detail: format!(
                "the last two digits must be 97 - ({base} mod 97) = {expected:02}, found {check}"
            ),
        })
    }
}

/// GS1 Global Location Numbers (ICD 0088): 13 digits, GS1 mod-10 check digit.
pub(super) fn gln(icd: &str, id: &str) -> Result<(), IdErrorKind> {
    if !all_digits(id, 13) {
        return Err(bad_format(icd, "a GLN of 13 digits (e.g. 5790000435968)"));
    }
    let (body, check) = id.split_at(12);
    // GS1: weights 3 and 1 alternate starting with 3 at the digit next to the check digit.
    let sum: u64 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u64::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    let expected = (10 - sum % 10) % 10;
    let found = number(check);
    if expected == found {
        Ok(())
    } else {
        Err(IdErrorKind::CheckDigit {
            icd: icd.to_owned(),
            detail: format!("the GS1 mod-10 check digit of {body} is {expected}, found {check}"),
        })
    }
}

/// Norwegian organisation numbers (ICD 0192): 9 digits, mod-11 check digit with weights
/// 3, 2, 7, 6, 5, 4, 3, 2.
pub(super) fn norwegian_org(icd: &str, id: &str) -> Result<(), IdErrorKind> {
    const WEIGHTS: [u64; 8] = [3, 2, 7, 6, 5, 4, 3, 2];
    if !all_digits(id, 9) {
        return Err(bad_format(
            icd,
            "a Norwegian organisation number of 9 digits (e.g. 745707327)",
        ));
    }
    let (body, check) = id.split_at(8);
    let sum: u64 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u64::from(b - b'0') * w)
        .sum();
    let found = number(check);
    let detail = match (11 - sum % 11) % 11 {
        10 => format!(
            "no check digit fits {body} (its mod-11 remainder is 1), so the number cannot be valid"
        ),
        expected if expected == found => return Ok(()),
        expected => format!("the mod-11 check digit of {body} is {expected}, found {check}"),
    };
    Err(IdErrorKind::CheckDigit {
        icd: icd.to_owned(),
        detail,
    })
}

fn bad_format(icd: &str, expected: &'static str) -> IdErrorKind {
    IdErrorKind::InvalidFormat {
        icd: icd.to_owned(),
        expected,
    }
}

fn all_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

/// The value of a string of at most 19 ASCII digits (callers check that first).
fn number(digits: &str) -> u64 {
    digits.bytes().fold(0, |n, b| n * 10 + u64::from(b - b'0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<(), IdErrorKind>) -> &'static str {
        r.map_or_else(|k| k.code(), |()| "ok")
    }

    #[test]
    fn belgian_enterprise_numbers() {
        // 97 - (1234567 mod 97 = 48) = 49
        assert_eq!(code(belgian_enterprise("0208", "0123456749")), "ok");
        // SNCB/NMBS, a real enterprise: 97 - (2032013 mod 97 = 57) = 40
        assert_eq!(code(belgian_enterprise("0208", "0203201340")), "ok");
        // first eight divisible by 97: the check is 97, not 00
        assert_eq!(code(belgian_enterprise("0208", "0000009797")), "ok");
        assert_eq!(
            code(belgian_enterprise("0208", "0000009700")),
            "id.check_digit"
        );
        // 97 - (10000000 mod 97 = 76) = 21
        assert_eq!(code(belgian_enterprise("0208", "1000000021")), "ok");

        let err = belgian_enterprise("0208", "0123456750").unwrap_err();
        assert_eq!(err.code(), "id.check_digit");
        assert!(err.to_string().contains("= 49, found 50"), "{err}");

        for bad in [
            "012345674",
            "01234567490",
            "0123.456.749",
            "2123456749",
            "BE0123456749",
            "",
        ] {
            assert_eq!(
                code(belgian_enterprise("0208", bad)),
                "id.invalid_format",
                "{bad}"
            );
        }
    }

    #[test]
    fn belgian_vat_numbers() {
        assert_eq!(code(belgian_vat("9925", "BE0123456749")), "ok");
        assert_eq!(code(belgian_vat("9925", "be0123456749")), "ok");
        assert_eq!(code(belgian_vat("9925", "Be0203201340")), "ok");
        assert_eq!(code(belgian_vat("9925", "BE0123456748")), "id.check_digit");
        assert_eq!(code(belgian_vat("9925", "0123456749")), "id.invalid_format");
        assert_eq!(
            code(belgian_vat("9925", "NL0123456749")),
            "id.invalid_format"
        );
        assert_eq!(code(belgian_vat("9925", "BE")), "id.invalid_format");
        assert_eq!(code(belgian_vat("9925", "B")), "id.invalid_format");
        // A multi-byte character where the prefix ends must not panic.
        assert_eq!(
            code(belgian_vat("9925", "Bé0123456749")),
            "id.invalid_format"
        );
    }

    #[test]
    fn glns() {
        // Example from the Peppol code list.
        assert_eq!(code(gln("0088", "1548079098355")), "ok");
        assert_eq!(code(gln("0088", "5790000435968")), "ok");
        assert_eq!(code(gln("0088", "0000000000000")), "ok");
        let err = gln("0088", "1548079098356").unwrap_err();
        assert!(err.to_string().contains("is 5, found 6"), "{err}");
        assert_eq!(code(gln("0088", "154807909835")), "id.invalid_format");
        assert_eq!(code(gln("0088", "123abc")), "id.invalid_format");
    }

    #[test]
    fn norwegian_organisation_numbers() {
        // Examples from the Peppol code list and the vefa samples.
        for ok in ["745707327", "991825827", "923829644"] {
            assert_eq!(code(norwegian_org("0192", ok)), "ok", "{ok}");
        }
        let err = norwegian_org("0192", "745707328").unwrap_err();
        assert!(err.to_string().contains("is 7, found 8"), "{err}");
        // remainder 0 gives check digit 0 (not 11)
        assert_eq!(code(norwegian_org("0192", "000000000")), "ok");
        // 10000000x: sum 3, 11 - 3 = 8
        assert_eq!(code(norwegian_org("0192", "100000008")), "ok");
        // 00000005x: sum 5*2 = 10, 11 - 10 = 1
        assert_eq!(code(norwegian_org("0192", "000000051")), "ok");
        // 40000000x: sum 12, remainder 1: no valid check digit exists
        let err = norwegian_org("0192", "400000000").unwrap_err();
        assert!(err.to_string().contains("no check digit fits"), "{err}");
        assert_eq!(code(norwegian_org("0192", "99182582")), "id.invalid_format");
        assert_eq!(
            code(norwegian_org("0192", "NO991825827")),
            "id.invalid_format"
        );
    }
}
