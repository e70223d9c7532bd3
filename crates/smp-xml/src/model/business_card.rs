//! Peppol Directory business card (schema 2018-06-21, "v3").

use peppol_id::ParticipantId;

/// A participant's business card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusinessCard {
    /// The participant (service group) the card describes.
    pub participant: ParticipantId,
    /// Zero or more entities reachable through the participant.
    pub entities: Vec<BusinessEntity>,
}

/// One business entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusinessEntity {
    /// At least one name in a valid card.
    pub names: Vec<Name>,
    /// ISO 3166 two-letter country code.
    pub country_code: String,
    /// Address or region.
    pub geographical_information: Option<String>,
    /// Additional identifiers (VAT number, ...).
    pub identifiers: Vec<EntityIdentifier>,
    /// Website URIs.
    pub websites: Vec<String>,
    /// Contact points.
    pub contacts: Vec<Contact>,
    /// Free text.
    pub additional_information: Option<String>,
    /// `@registrationDate`, `xs:date` lexical form (validated, kept as written).
    pub registration_date: Option<String>,
}

/// A (possibly language-tagged) entity name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    /// The non-empty name.
    pub name: String,
    /// ISO 639-1 two-letter language code.
    pub language: Option<String>,
}

/// A free-form identifier of a business entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntityIdentifier {
    /// The scheme (free text for non-Peppol identifiers).
    pub scheme: String,
    /// The value.
    pub value: String,
}

/// A business contact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    /// Contact type.
    pub contact_type: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Phone number.
    pub phone_number: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
}
