//! `smp:ServiceGroup`.

use peppol_id::ParticipantId;

use crate::model::extension::Extension;

/// A participant's service group: the list of its service metadata URLs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceGroup {
    /// The participant.
    pub participant: ParticipantId,
    /// `ServiceMetadataReference/@href` values, in document order (may be empty).
    pub references: Vec<String>,
    /// Optional extension.
    pub extension: Option<Extension>,
}
