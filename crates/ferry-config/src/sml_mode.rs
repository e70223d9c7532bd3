//! Which SML Ferry registers with: the one switch every SML-related decision reads.

use serde::{Deserialize, Serialize};

/// `sml.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmlMode {
    /// The in-process emulator (the default): loopback SOAP and DNS, plain-http SMPs.
    Emulator,
    /// The Peppol test SML.
    Test,
    /// The Peppol production SML.
    Production,
    /// Another SML: `sml.url` and `sml.dns_zone`.
    Custom,
    /// No SML: nothing is registered, migrations are unavailable.
    Off,
}

impl SmlMode {
    /// Whether an SML is configured at all.
    pub fn is_on(self) -> bool {
        self != Self::Off
    }

    /// Whether this is a real Peppol network, where the repository's public secrets and
    /// test PKI must never be used.
    pub fn is_peppol_network(self) -> bool {
        matches!(self, Self::Test | Self::Production)
    }

    /// Whether SMPs may be reached over plain http (`sml.allow_http` can add it for
    /// local custom setups).
    pub fn allows_http(self) -> bool {
        self == Self::Emulator
    }
}
