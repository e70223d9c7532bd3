//! Peppol transport profile identifiers (the `transportProfile` of an SMP endpoint).

use std::fmt;
use std::str::FromStr;

use crate::error::IdError;
use crate::syntax::{self, Charset};

/// A validated transport profile identifier, e.g. `peppol-transport-as4-v2_0`.
///
/// Case-sensitive, 1 to 50 characters, no whitespace or control characters. Profiles that are
/// not in the code list are accepted (an SMP may publish private profiles);
/// [`is_active`](Self::is_active) says whether Peppol senders will use it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransportProfile(String);

impl TransportProfile {
    /// Peppol AS4 v2.0, the only active transport profile of the code list (v9.7).
    pub const PEPPOL_AS4_V2: &'static str = "peppol-transport-as4-v2_0";

    /// The longest identifier allowed.
    pub const MAX_LEN: usize = 50;

    /// Validates a transport profile identifier.
    ///
    /// # Errors
    ///
    /// An [`IdError`] for an empty or too long identifier or one with whitespace or control
    /// characters.
    pub fn new(s: &str) -> Result<Self, IdError> {
        syntax::check_value(s, Self::MAX_LEN, Charset::NoWhitespaceOrControl)
            .map_err(|kind| IdError::new(s, kind))?;
        Ok(Self(s.to_owned()))
    }

    /// The profile `peppol-transport-as4-v2_0`.
    pub fn peppol_as4_v2() -> Self {
        Self(Self::PEPPOL_AS4_V2.to_owned())
    }

    /// The identifier.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the Peppol transport profile code list has this profile as active. Only
    /// `peppol-transport-as4-v2_0` is; AS2 and AS4 v1 were removed on 2023-09-06.
    pub fn is_active(&self) -> bool {
        self.0 == Self::PEPPOL_AS4_V2
    }
}

impl fmt::Display for TransportProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for TransportProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TransportProfile").field(&self.0).finish()
    }
}

impl FromStr for TransportProfile {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::IdErrorKind;

    #[test]
    fn as4_v2_is_active() {
        let p = TransportProfile::new("peppol-transport-as4-v2_0").unwrap();
        assert!(p.is_active());
        assert_eq!(p, TransportProfile::peppol_as4_v2());
        assert_eq!(p.as_str(), "peppol-transport-as4-v2_0");
        assert_eq!(p.to_string(), "peppol-transport-as4-v2_0");
    }

    #[test]
    fn removed_and_private_profiles_parse_but_are_not_active() {
        for s in [
            "busdox-transport-as2-ver1p0",
            "peppol-transport-as4-v1_0",
            "PEPPOL-TRANSPORT-AS4-V2_0",
            "x",
        ] {
            assert!(!TransportProfile::new(s).unwrap().is_active(), "{s}");
        }
    }

    #[test]
    fn refuses_bad_values() {
        let kind = |s: &str| TransportProfile::new(s).unwrap_err().kind().clone();
        assert_eq!(kind(""), IdErrorKind::EmptyValue);
        assert_eq!(
            kind(&"a".repeat(51)),
            IdErrorKind::TooLong { max: 50, len: 51 }
        );
        assert!(TransportProfile::new(&"a".repeat(50)).is_ok());
        assert_eq!(
            kind("peppol transport"),
            IdErrorKind::InvalidCharacter {
                ch: ' ',
                position: 6
            }
        );
        assert_eq!(
            kind(" peppol-transport-as4-v2_0").code(),
            "id.invalid_character"
        );
    }
}
