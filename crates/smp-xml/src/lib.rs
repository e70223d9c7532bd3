//! Peppol SMP 1.x documents (ServiceGroup, ServiceMetadata, SignedServiceMetadata) and
//! Peppol Directory business cards: a typed model, strict readers, canonical writers, and
//! XML signatures.
//!
//! * Readers refuse DOCTYPEs and custom entities, oversize input, wrong namespaces, and
//!   elements out of schema order; every error has a stable [`XmlError::code`].
//! * What a document costs stays proportional to its size: the [`ParseOptions`] limits
//!   (nesting, element and attribute counts, namespace URIs and scope, rendered size, each
//!   with its [`Limit`] code) are checked while reading, and writers declare each
//!   namespace at most once per declaration in the source.
//! * Writers emit schema-valid documents that are already in canonical XML form, which is
//!   what lets [`sign_service_metadata`] sign exactly the bytes it returns (inclusive C14N
//!   1.0, RSA-SHA256, SHA-256, enveloped signature as Peppol SMP 1.4.0 requires).
//! * [`DsigVerifier`] checks other SMPs' signatures cryptographically (SHA-2 only).
//!
//! What this crate deliberately does not do: any I/O (no files, sockets or async), trust
//! decisions about certificates (chain, expiry, revocation: the caller's job with the
//! returned certificate), business rules beyond the schema (e.g. whether the participant
//! in a document matches the URL), and the OASIS BDXR SMP formats.
//!
//! ```
//! use smp_xml::{parse_service_group, write_service_group, ParseOptions};
//!
//! let xml = br#"<smp:ServiceGroup xmlns:smp="http://busdox.org/serviceMetadata/publishing/1.0/"
//!     xmlns:id="http://busdox.org/transport/identifiers/1.0/">
//!   <id:ParticipantIdentifier scheme="iso6523-actorid-upis">0088:5798000000001</id:ParticipantIdentifier>
//!   <smp:ServiceMetadataReferenceCollection/>
//! </smp:ServiceGroup>"#;
//! let sg = parse_service_group(xml, &ParseOptions::default())?;
//! assert!(sg.references.is_empty());
//! let again = parse_service_group(&write_service_group(&sg), &ParseOptions::default())?;
//! assert_eq!(again, sg);
//! # Ok::<(), smp_xml::XmlError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod dsig;
mod error;
mod model;
mod ns;
mod read;
mod write;

pub use crate::read::dom;
pub use crate::{
    dsig::sign::sign_service_metadata,
    dsig::signing_key::SigningKey,
    dsig::verify::{DsigVerifier, Sha1TolerantVerifier, SignatureVerifier, VerifiedSignature},
    error::{Limit, XmlError},
    model::business_card::{BusinessCard, BusinessEntity, Contact, EntityIdentifier, Name},
    model::extension::Extension,
    model::service_group::ServiceGroup,
    model::service_metadata::{Endpoint, Process, Redirect, ServiceInformation, ServiceMetadata},
    read::business_card::parse_business_card,
    read::options::{ParseOptions, ParticipantRules},
    read::service_group::parse_service_group,
    read::service_metadata::{parse_service_metadata, parse_signed_service_metadata},
    write::business_card::write_business_card,
    write::service_group::write_service_group,
    write::service_metadata::write_service_metadata,
};
