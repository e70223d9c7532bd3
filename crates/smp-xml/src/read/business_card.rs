//! Reader for the Peppol Directory business card (2018-06-21 schema).

use crate::error::XmlError;
use crate::model::business_card::{BusinessCard, BusinessEntity, Contact, EntityIdentifier, Name};
use crate::ns;
use crate::read::dom::{self, Element};
use crate::read::fields;
use crate::read::options::{OutputBudget, ParseOptions};
use crate::read::walk::{self, Children};
use crate::write;
use crate::write::business_card::write_card_element;

/// Parses a Peppol Directory `BusinessCard` document.
///
/// The [`ParseOptions`] limits apply, including the size of the document
/// [`write_business_card`](crate::write_business_card) renders from the result.
pub fn parse_business_card(xml: &[u8], opts: &ParseOptions) -> Result<BusinessCard, XmlError> {
    let root = dom::parse_document(xml, opts)?;
    fields::expect_root(&root, ns::BC, "BusinessCard")?;
    let mut c = Children::of(&root, "/BusinessCard")?;
    let pid = c.required(ns::BC, "ParticipantIdentifier")?;
    let participant = fields::participant(
        pid,
        &c.child_path("ParticipantIdentifier"),
        opts.participants,
    )?;
    let mut entities = Vec::new();
    for (i, e) in c.many(ns::BC, "BusinessEntity").into_iter().enumerate() {
        entities.push(entity(
            e,
            &format!("/BusinessCard/BusinessEntity[{}]", i + 1),
        )?);
    }
    c.finish("BusinessEntity")?;
    let card = BusinessCard {
        participant,
        entities,
    };
    let budget = OutputBudget::new(opts, xml.len());
    write::check_size(&budget, |w| write_card_element(w, &card))?;
    Ok(card)
}

fn two_letters(text: String, path: &str, expected: &'static str) -> Result<String, XmlError> {
    if text.chars().count() == 2 {
        Ok(text)
    } else {
        Err(XmlError::invalid_value(path, expected, &text))
    }
}

fn optional_text(c: &mut Children<'_>, local: &str) -> Result<Option<String>, XmlError> {
    match c.optional(ns::BC, local) {
        Some(el) => Ok(Some(walk::text_of(el, &c.child_path(local))?)),
        None => Ok(None),
    }
}

fn entity(el: &Element, path: &str) -> Result<BusinessEntity, XmlError> {
    let registration_date = match el.attr("registrationDate") {
        Some(d) => {
            let d = d.trim().to_owned();
            walk::check_date(&d, &format!("{path}/@registrationDate"))?;
            Some(d)
        }
        None => None,
    };
    let mut c = Children::of(el, path)?;
    let first = c.required(ns::BC, "Name")?;
    let mut names = Vec::new();
    for (i, n) in std::iter::once(first)
        .chain(c.many(ns::BC, "Name"))
        .enumerate()
    {
        let npath = format!("{path}/Name[{}]", i + 1);
        let language = match n.attr("language") {
            Some(l) => Some(two_letters(
                l.trim().to_owned(),
                &format!("{npath}/@language"),
                "a two-letter ISO 639-1 language code",
            )?),
            None => None,
        };
        names.push(Name {
            name: walk::required_text(n, &npath)?,
            language,
        });
    }
    let cc = c.required(ns::BC, "CountryCode")?;
    let cc_path = c.child_path("CountryCode");
    let country_code = two_letters(
        walk::text_of(cc, &cc_path)?,
        &cc_path,
        "a two-letter ISO 3166 country code",
    )?;
    let geographical_information = optional_text(&mut c, "GeographicalInformation")?;
    let mut identifiers = Vec::new();
    for (i, id) in c.many(ns::BC, "Identifier").into_iter().enumerate() {
        let ipath = format!("{path}/Identifier[{}]", i + 1);
        let scheme = id.attr("scheme").ok_or_else(|| XmlError::MissingElement {
            path: ipath.clone(),
            expected: "attribute scheme".to_owned(),
        })?;
        identifiers.push(EntityIdentifier {
            scheme: scheme.trim().to_owned(),
            value: walk::text_of(id, &ipath)?,
        });
    }
    let mut websites = Vec::new();
    for (i, w) in c.many(ns::BC, "WebsiteURI").into_iter().enumerate() {
        websites.push(walk::text_of(w, &format!("{path}/WebsiteURI[{}]", i + 1))?);
    }
    let mut contacts = Vec::new();
    for (i, ct) in c.many(ns::BC, "Contact").into_iter().enumerate() {
        let cpath = format!("{path}/Contact[{}]", i + 1);
        let mut cc = Children::of(ct, &cpath)?;
        let contact = Contact {
            contact_type: optional_text(&mut cc, "Type")?,
            name: optional_text(&mut cc, "Name")?,
            phone_number: optional_text(&mut cc, "PhoneNumber")?,
            email: optional_text(&mut cc, "Email")?,
        };
        cc.finish("Type, Name, PhoneNumber, Email in this order")?;
        contacts.push(contact);
    }
    let additional_information = optional_text(&mut c, "AdditionalInformation")?;
    c.finish("the BusinessEntity elements in schema order")?;
    Ok(BusinessEntity {
        names,
        country_code,
        geographical_information,
        identifiers,
        websites,
        contacts,
        additional_information,
        registration_date,
    })
}
