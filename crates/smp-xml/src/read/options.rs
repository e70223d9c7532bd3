//! Limits and rules applied while parsing.

/// How participant identifiers in a document are judged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ParticipantRules {
    /// The Policy for use of Identifiers in full (ICD list, check digits): for documents
    /// that register something here.
    #[default]
    Policy,
    /// Only the scheme and the value syntax
    /// ([`ParticipantId::as_published`](peppol_id::ParticipantId::as_published)): for
    /// documents read from other SMPs, which still publish registrations older than the
    /// ICD rules.
    AsPublished,
}

/// Limits and rules for the parsers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptions {
    /// Inputs longer than this many bytes are refused with `xml.too_large` before parsing.
    pub max_bytes: usize,
    /// How participant identifiers are checked.
    pub participants: ParticipantRules,
}

impl ParseOptions {
    /// The defaults, reading participant identifiers as published (see
    /// [`ParticipantRules::AsPublished`]).
    pub fn as_published() -> Self {
        Self {
            participants: ParticipantRules::AsPublished,
            ..Self::default()
        }
    }
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self {
            max_bytes: 4 * 1024 * 1024,
            participants: ParticipantRules::Policy,
        }
    }
}
