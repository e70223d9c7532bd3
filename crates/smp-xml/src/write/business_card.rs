//! Writer for the Peppol Directory business card.

use crate::model::business_card::BusinessCard;
use crate::ns;
use crate::write::canonical::CanonicalWriter;
use crate::write::document;

/// Serialises a business card in the 2018-06-21 schema (default namespace, as the Peppol
/// Directory writes it).
pub fn write_business_card(bc: &BusinessCard) -> Vec<u8> {
    let mut w = CanonicalWriter::new();
    write_card_element(&mut w, bc);
    document(w)
}

pub(crate) fn write_card_element(w: &mut CanonicalWriter, bc: &BusinessCard) {
    w.start("BusinessCard", &[("", ns::BC)], &[]);
    w.leaf(
        "ParticipantIdentifier",
        &[("scheme", bc.participant.scheme())],
        bc.participant.value(),
    );
    for e in &bc.entities {
        let attrs: Vec<(&str, &str)> = e
            .registration_date
            .as_deref()
            .map(|d| ("registrationDate", d))
            .into_iter()
            .collect();
        w.start("BusinessEntity", &[], &attrs);
        for n in &e.names {
            let attrs: Vec<(&str, &str)> = n
                .language
                .as_deref()
                .map(|l| ("language", l))
                .into_iter()
                .collect();
            w.leaf("Name", &attrs, &n.name);
        }
        w.leaf("CountryCode", &[], &e.country_code);
        if let Some(g) = &e.geographical_information {
            w.leaf("GeographicalInformation", &[], g);
        }
        for id in &e.identifiers {
            w.leaf("Identifier", &[("scheme", id.scheme.as_str())], &id.value);
        }
        for site in &e.websites {
            w.leaf("WebsiteURI", &[], site);
        }
        for c in &e.contacts {
            w.start("Contact", &[], &[]);
            for (qname, v) in [
                ("Type", &c.contact_type),
                ("Name", &c.name),
                ("PhoneNumber", &c.phone_number),
                ("Email", &c.email),
            ] {
                if let Some(v) = v {
                    w.leaf(qname, &[], v);
                }
            }
            w.end("Contact");
        }
        if let Some(a) = &e.additional_information {
            w.leaf("AdditionalInformation", &[], a);
        }
        w.end("BusinessEntity");
    }
    w.end("BusinessCard");
}
