//! Peppol identifiers, following the Peppol Policy for use of Identifiers 4.4.0: parse and
//! validate them, compare them the way Peppol does, percent-encode them for SMP URLs, and
//! compute the SML DNS name of a participant.
//!
//! | type | example | case |
//! |---|---|---|
//! | [`ParticipantId`] | `iso6523-actorid-upis::0208:0123456749` | insensitive |
//! | [`DocumentTypeId`] | `busdox-docid-qns::urn:oasis:…:Invoice-2::Invoice##…::2.1` | sensitive |
//! | [`ProcessId`] | `cenbii-procid-ubl::urn:fdc:peppol.eu:2017:poacc:billing:01:1.0` | sensitive |
//! | [`TransportProfile`] | `peppol-transport-as4-v2_0` | sensitive |
//!
//! A value of these types has passed validation: participant values carry an ICD from the
//! Peppol code list (see [`icd`]) and, for the ICDs that have them, correct check digits.
//! Every error is an [`IdError`] that keeps the rejected input and says how to fix it, with a
//! stable [`code`](IdError::code).
//!
//! What this crate deliberately does not do: no I/O of any kind (no DNS lookups, no HTTP;
//! [`sml_dns_name`] only computes the name to look up), no XML, no serde. It does not check
//! that a document type or process is in the Peppol code lists, because SMPs legitimately
//! publish new and private ones.
//!
//! # Example
//!
//! ```
//! use peppol_id::{DocumentTypeId, ParticipantId};
//!
//! // Clients send encoded, half-encoded or raw identifiers in any case.
//! let p = ParticipantId::from_path_segment("iso6523-actorid-upis%3a%3a0208%3A0123456749")?;
//! let q = ParticipantId::parse("ISO6523-ACTORID-UPIS::0208:0123456749")?;
//! assert_eq!(p, q);
//! assert_eq!(q.key(), "iso6523-actorid-upis::0208:0123456749");
//! assert_eq!(q.to_string(), "ISO6523-ACTORID-UPIS::0208:0123456749");
//! assert_eq!(p.path_segment(), "iso6523-actorid-upis%3A%3A0208%3A0123456749");
//! assert!(p.sml_dns_name("participant.sml.test.tech.peppol.org.").ends_with(
//!     ".iso6523-actorid-upis.participant.sml.test.tech.peppol.org."
//! ));
//!
//! // A typo in the check digits is refused, with the expected value in the message.
//! let err = ParticipantId::parse("iso6523-actorid-upis::0208:0123456750").unwrap_err();
//! assert_eq!(err.code(), "id.check_digit");
//! assert!(err.to_string().contains("= 49, found 50"));
//!
//! // Document types are case-sensitive; a missing scheme in a URL means busdox-docid-qns.
//! let d = DocumentTypeId::from_path_segment("urn%3Aoasis%3Anames%3Aspecification%3Aubl%3Aschema%3Axsd%3AInvoice-2%3A%3AInvoice%23%23urn%3Acen.eu%3Aen16931%3A2017%23compliant%23urn%3Afdc%3Apeppol.eu%3A2017%3Apoacc%3Abilling%3A3.0%3A%3A2.1")?;
//! assert_eq!(d.scheme(), "busdox-docid-qns");
//! assert!(d.value().ends_with("billing:3.0::2.1"));
//! # Ok::<(), peppol_id::IdError>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Tests may unwrap (house rule); the workspace lint is there for library code.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod document_type;
mod error;
pub mod icd;
mod participant;
mod percent_encoding;
mod process;
mod sml_dns;
mod syntax;
mod transport_profile;

// `icd` is the one public module: its functions are named for the namespace (`icd::check`,
// `icd::lookup`) and would be ambiguous at the crate root.
pub use crate::{
    document_type::DocumentTypeId,
    error::{IdError, IdErrorKind},
    participant::ParticipantId,
    percent_encoding::{percent_decode_segment, percent_encode_segment},
    process::ProcessId,
    sml_dns::sml_dns_name,
    transport_profile::TransportProfile,
};
