//! The rules and their check against a participant's stored services.

use peppol_id::DocumentTypeId;
use smp_store::{DbConnection, services};

use crate::DomainError;

const BIS3_INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1";
const BIS3_CREDIT_NOTE: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1";
const DOCTYPE_SCHEME: &str = "busdox-docid-qns";

/// The legacy document types Peppol retired in favour of BIS Billing 3.0, with the BIS 3
/// document type a sender should use instead (legacy, BIS 3).
const DEFAULT_LEGACY: [(&str, &str); 4] = [
    // PEPPOL BIS 4A invoice (v2.0).
    (
        "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:www.cenbii.eu:transaction:biitrns010:ver2.0:extended:urn:www.peppol.eu:bis:peppol4a:ver2.0::2.1",
        BIS3_INVOICE,
    ),
    // PEPPOL BIS 5A / Peppol BIS Billing 2.0 invoice.
    (
        "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:www.cenbii.eu:transaction:biitrns010:ver2.0:extended:urn:www.peppol.eu:bis:peppol5a:ver2.0::2.1",
        BIS3_INVOICE,
    ),
    // PEPPOL BIS 5A / Peppol BIS Billing 2.0 credit note.
    (
        "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote##urn:www.cenbii.eu:transaction:biitrns014:ver2.0:extended:urn:www.cenbii.eu:profile:biixx:ver2.0:extended:urn:www.peppol.eu:bis:peppol5a:ver2.0::2.1",
        BIS3_CREDIT_NOTE,
    ),
    // Peppol BIS Billing 2.0 (EN 16931 CIUS before BIS 3 was final) invoice.
    (
        "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:www.cenbii.eu:transaction:biitrns010:ver2.0:extended:urn:www.peppol.eu:bis:peppol5a:ver2.0:extended:urn:www.difi.no:ehf:faktura:ver2.0::2.1",
        BIS3_INVOICE,
    ),
];

/// Which rule refused a registration; part of the error code (`policy.<rule>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyRule {
    /// The document type is on the operator's refused list.
    RefusedDocumentType,
    /// A legacy document type was registered before its BIS 3 equivalent.
    RequireBis3BeforeLegacy,
}

impl PolicyRule {
    /// The rule's name as in the configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RefusedDocumentType => "refused_document_types",
            Self::RequireBis3BeforeLegacy => "require_bis3_before_legacy",
        }
    }

    /// The stable error code, `policy.<rule>`.
    pub fn code(self) -> &'static str {
        match self {
            Self::RefusedDocumentType => "policy.refused_document_types",
            Self::RequireBis3BeforeLegacy => "policy.require_bis3_before_legacy",
        }
    }
}

/// A legacy document type and the BIS 3 document type that must be registered first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyEquivalent {
    /// The retired document type.
    pub legacy: DocumentTypeId,
    /// Its replacement.
    pub bis3: DocumentTypeId,
}

/// Operator rules on which services may be registered.
///
/// The default refuses nothing: `require_bis3_before_legacy` is off (turning it on by
/// default would break existing registrations of legacy document types on upgrade), but the
/// table of legacy → BIS 3 pairs is filled in so turning it on is one setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationPolicy {
    /// Refuse a legacy document type unless its BIS 3 equivalent is already registered.
    pub require_bis3_before_legacy: bool,
    /// Legacy → BIS 3 pairs used by `require_bis3_before_legacy`.
    pub legacy_equivalents: Vec<LegacyEquivalent>,
    /// Document types that may not be registered at all.
    pub refused_document_types: Vec<DocumentTypeId>,
}

impl Default for RegistrationPolicy {
    fn default() -> Self {
        Self {
            require_bis3_before_legacy: false,
            legacy_equivalents: Self::default_legacy_equivalents(),
            refused_document_types: Vec::new(),
        }
    }
}

impl RegistrationPolicy {
    /// The built-in legacy → BIS 3 pairs (Peppol BIS 4A/5A and BIS Billing 2.0 UBL
    /// invoices and credit notes → BIS Billing 3.0).
    pub fn default_legacy_equivalents() -> Vec<LegacyEquivalent> {
        DEFAULT_LEGACY
            .iter()
            .filter_map(|(legacy, bis3)| {
                Some(LegacyEquivalent {
                    legacy: DocumentTypeId::new(DOCTYPE_SCHEME, legacy).ok()?,
                    bis3: DocumentTypeId::new(DOCTYPE_SCHEME, bis3).ok()?,
                })
            })
            .collect()
    }

    /// Refuses adding (or replacing) `doctype` for the participant if a rule forbids it,
    /// judged against the services stored so far in this transaction.
    pub(crate) fn check(
        &self,
        conn: &mut DbConnection,
        participant_id: i64,
        doctype: &DocumentTypeId,
    ) -> Result<(), DomainError> {
        if self.refused_document_types.contains(doctype) {
            return Err(DomainError::PolicyViolation {
                rule: PolicyRule::RefusedDocumentType,
                detail: format!("document type {doctype} is refused by this SMP's policy"),
            });
        }
        if !self.require_bis3_before_legacy {
            return Ok(());
        }
        for pair in self
            .legacy_equivalents
            .iter()
            .filter(|p| p.legacy == *doctype)
        {
            let bis3 = &pair.bis3;
            if services::get(conn, participant_id, bis3.scheme(), bis3.value())?.is_none() {
                return Err(DomainError::PolicyViolation {
                    rule: PolicyRule::RequireBis3BeforeLegacy,
                    detail: format!(
                        "document type {doctype} is a legacy type: register its BIS 3 equivalent {bis3} first"
                    ),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_pair_parses() {
        assert_eq!(
            RegistrationPolicy::default_legacy_equivalents().len(),
            DEFAULT_LEGACY.len()
        );
    }

    #[test]
    fn rule_names_match_the_config_keys() {
        assert_eq!(
            PolicyRule::RequireBis3BeforeLegacy.as_str(),
            "require_bis3_before_legacy"
        );
        assert_eq!(
            PolicyRule::RefusedDocumentType.as_str(),
            "refused_document_types"
        );
    }
}
