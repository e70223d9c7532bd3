//! The SMLs Peppol operates.

/// A Peppol SML deployment: its SOAP base URL and its DNS zone.
///
/// The local emulator has no preset: it listens on a port chosen at start-up, so give its base
/// URL and zone explicitly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SmlPreset {
    /// The production SML (SMK/SML "prod").
    PeppolProduction,
    /// The test SML (SMK), for test certificates.
    PeppolTest,
}

impl SmlPreset {
    /// The SOAP base URL; the services are `{base}/manageservicemetadata`,
    /// `{base}/manageparticipantidentifier` and `{base}/bdmslservice`.
    pub fn base_url(self) -> &'static str {
        match self {
            Self::PeppolProduction => "https://api.sml.prod.tech.peppol.org/edelivery-sml",
            Self::PeppolTest => "https://api.sml.test.tech.peppol.org/edelivery-sml",
        }
    }

    /// The fully-qualified DNS zone participants are published in (NAPTR records).
    pub fn dns_zone(self) -> &'static str {
        match self {
            Self::PeppolProduction => "participant.sml.prod.tech.peppol.org.",
            Self::PeppolTest => "participant.sml.test.tech.peppol.org.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_match_the_peppol_facts() {
        assert_eq!(
            SmlPreset::PeppolTest.base_url(),
            "https://api.sml.test.tech.peppol.org/edelivery-sml"
        );
        assert_eq!(
            SmlPreset::PeppolProduction.dns_zone(),
            "participant.sml.prod.tech.peppol.org."
        );
        for p in [SmlPreset::PeppolProduction, SmlPreset::PeppolTest] {
            assert!(p.base_url().starts_with("https://"));
            assert!(!p.base_url().ends_with('/'));
            assert!(p.dns_zone().ends_with('.'));
        }
    }
}
