//! The Peppol participant identifier scheme code list, v9.7 (OpenPeppol eDEC code lists,
//! <https://docs.peppol.eu/edelivery/codelists/>), reduced to what validation needs.

use super::{IcdScheme, IcdState};

/// The code list version the table below was taken from.
pub(super) const VERSION: &str = "9.7";

const fn active(icd: &'static str, scheme_id: &'static str) -> IcdScheme {
    IcdScheme {
        icd,
        scheme_id,
        state: IcdState::Active,
        registrable: true,
        removal_date: None,
        replacement: None,
    }
}

const fn deprecated(
    icd: &'static str,
    scheme_id: &'static str,
    removal_date: Option<&'static str>,
    replacement: Option<&'static str>,
) -> IcdScheme {
    IcdScheme {
        icd,
        scheme_id,
        state: IcdState::Deprecated,
        registrable: true,
        removal_date,
        replacement,
    }
}

const fn removed(
    icd: &'static str,
    scheme_id: &'static str,
    removal_date: &'static str,
    replacement: Option<&'static str>,
) -> IcdScheme {
    IcdScheme {
        icd,
        scheme_id,
        state: IcdState::Removed,
        registrable: false,
        removal_date: Some(removal_date),
        replacement,
    }
}

/// Every entry of the code list, sorted by ICD (looked up by binary search).
///
/// Replacements are those the code list names in its usage notes, plus the successors of the
/// Danish, Italian and Finnish schemes removed in 2023/2024, which carry the same numbers.
pub(super) static SCHEMES: &[IcdScheme] = &[
    active("0002", "FR:SIRENE"),
    active("0007", "SE:ORGNR"),
    active("0009", "FR:SIRET"),
    removed("0037", "FI:OVT", "2024-12-31", Some("0216")),
    active("0060", "DUNS"),
    active("0088", "GLN"),
    active("0096", "DK:P"),
    active("0097", "IT:FTI"),
    active("0106", "NL:KVK"),
    active("0130", "EU:NAL"),
    active("0135", "IT:SIA"),
    active("0142", "IT:SECETI"),
    active("0151", "AU:ABN"),
    active("0158", "SK:ICO"),
    active("0183", "CH:UIDB"),
    active("0184", "DK:DIGST"),
    active("0188", "JP:SST"),
    active("0190", "NL:OINO"),
    active("0191", "EE:CC"),
    active("0192", "NO:ORG"),
    deprecated("0193", "UBLBE", Some("2026-07-07"), Some("0208")),
    active("0195", "SG:UEN"),
    active("0196", "IS:KTNR"),
    active("0198", "DK:ERST"),
    active("0199", "LEI"),
    active("0200", "LT:LEC"),
    active("0201", "IT:CUUO"),
    active("0204", "DE:LWID"),
    // Active, but the code list says participants with this ICD cannot be registered.
    IcdScheme {
        registrable: false,
        ..active("0205", "IT:COD")
    },
    active("0208", "BE:EN"),
    active("0209", "GS1"),
    active("0210", "IT:CFI"),
    active("0211", "IT:IVA"),
    removed("0212", "FI:ORG", "2024-12-31", None),
    removed("0213", "FI:VAT", "2024-12-31", None),
    removed("0215", "FI:NSI", "2024-12-31", None),
    active("0216", "FI:OVT2"),
    active("0218", "LV:URN"),
    active("0221", "JP:IIN"),
    active("0225", "FR:CTC"),
    active("0230", "MY:EIF"),
    active("0235", "AE:TIN"),
    active("0240", "LU:MAT"),
    active("0242", "SPIS"),
    active("0244", "NG:TID"),
    active("0245", "SK:DIC"),
    active("0246", "DE:GEBA"),
    active("0248", "OM:VAT"),
    removed("9901", "DK:CPR", "2023-11-30", None),
    removed("9902", "DK:CVR", "2023-11-30", Some("0184")),
    removed("9904", "DK:SE", "2023-11-30", Some("0198")),
    removed("9905", "DK:VANS", "2023-11-30", None),
    removed("9906", "IT:VAT", "2023-05-24", Some("0211")),
    removed("9907", "IT:CF", "2023-05-24", Some("0210")),
    removed("9908", "NO:ORGNR", "2023-05-24", Some("0192")),
    deprecated("9909", "NO:VAT", None, None),
    active("9910", "HU:VAT"),
    deprecated("9912", "EU:VAT", None, None),
    active("9913", "EU:REID"),
    active("9914", "AT:VAT"),
    active("9915", "AT:GOV"),
    deprecated("9916", "AT:CID", None, None),
    deprecated("9917", "IS:KT", None, Some("0196")),
    active("9918", "IBAN"),
    active("9919", "AT:KUR"),
    active("9920", "ES:VAT"),
    removed("9921", "IT:IPA", "2023-11-30", None),
    active("9922", "AD:VAT"),
    active("9923", "AL:VAT"),
    active("9924", "BA:VAT"),
    active("9925", "BE:VAT"),
    active("9926", "BG:VAT"),
    active("9927", "CH:VAT"),
    active("9928", "CY:VAT"),
    active("9929", "CZ:VAT"),
    active("9930", "DE:VAT"),
    active("9931", "EE:VAT"),
    active("9932", "GB:VAT"),
    active("9933", "GR:VAT"),
    active("9934", "HR:VAT"),
    active("9935", "IE:VAT"),
    active("9936", "LI:VAT"),
    active("9937", "LT:VAT"),
    active("9938", "LU:VAT"),
    active("9939", "LV:VAT"),
    active("9940", "MC:VAT"),
    active("9941", "ME:VAT"),
    active("9942", "MK:VAT"),
    active("9943", "MT:VAT"),
    active("9944", "NL:VAT"),
    active("9945", "PL:VAT"),
    active("9946", "PT:VAT"),
    active("9947", "RO:VAT"),
    active("9948", "RS:VAT"),
    active("9949", "SI:VAT"),
    active("9950", "SK:VAT"),
    active("9951", "SM:VAT"),
    active("9952", "TR:VAT"),
    active("9953", "VA:VAT"),
    removed("9954", "NL:OIN", "2026-03-31", Some("0190")),
    removed("9955", "SE:VAT", "2023-07-31", None),
    removed("9956", "BE:CBE", "2023-12-31", Some("0208")),
    active("9957", "FR:VAT"),
    removed("9958", "DE:LID", "2023-07-31", Some("0204")),
    active("9959", "US:EIN"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_unique_four_digits() {
        // Binary search depends on this order.
        assert!(SCHEMES.windows(2).all(|w| w[0].icd < w[1].icd));
        assert!(
            SCHEMES
                .iter()
                .all(|s| s.icd.len() == 4 && s.icd.bytes().all(|b| b.is_ascii_digit()))
        );
    }

    #[test]
    fn same_size_as_the_code_list() {
        // entry-count="105" in the v9.7 file.
        assert_eq!(SCHEMES.len(), 105);
    }

    #[test]
    fn replacements_are_active() {
        for s in SCHEMES {
            if let Some(r) = s.replacement {
                let target = SCHEMES.iter().find(|t| t.icd == r).unwrap();
                assert_eq!(target.state, IcdState::Active, "{} -> {r}", s.icd);
            }
        }
    }
}
