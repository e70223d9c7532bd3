//! Readers for `smp:ServiceMetadata` and `smp:SignedServiceMetadata`.

use crate::error::XmlError;
use crate::model::service_metadata::{
    Endpoint, Process, Redirect, ServiceInformation, ServiceMetadata,
};
use crate::ns;
use crate::read::dom::{self, Element};
use crate::read::fields;
use crate::read::options::{OutputBudget, ParseOptions};
use crate::read::walk::{self, Children};
use crate::write;
use crate::write::service_metadata::{METADATA_DECLS, write_metadata_element};

/// Parses an unsigned `ServiceMetadata` document (as sent in a PUT).
///
/// The [`ParseOptions`] limits apply, including the size of the document
/// [`write_service_metadata`](crate::write_service_metadata) renders from the result.
pub fn parse_service_metadata(
    xml: &[u8],
    opts: &ParseOptions,
) -> Result<ServiceMetadata, XmlError> {
    let root = dom::parse_document(xml, opts)?;
    fields::expect_root(&root, ns::SMP, "ServiceMetadata")?;
    let mut budget = OutputBudget::new(opts, xml.len());
    let metadata = service_metadata(&root, "/ServiceMetadata", opts, &mut budget)?;
    check_size(&metadata, &budget)?;
    Ok(metadata)
}

/// Parses a `SignedServiceMetadata` document. The signature must be present but is NOT
/// checked here: use a [`crate::SignatureVerifier`] on the same bytes for that. The
/// [`ParseOptions`] limits apply as in [`parse_service_metadata`].
pub fn parse_signed_service_metadata(
    xml: &[u8],
    opts: &ParseOptions,
) -> Result<ServiceMetadata, XmlError> {
    let root = dom::parse_document(xml, opts)?;
    fields::expect_root(&root, ns::SMP, "SignedServiceMetadata")?;
    let mut budget = OutputBudget::new(opts, xml.len());
    let mut c = Children::of(&root, "/SignedServiceMetadata")?;
    let sm = c.required(ns::SMP, "ServiceMetadata")?;
    let metadata = service_metadata(sm, &c.child_path("ServiceMetadata"), opts, &mut budget)?;
    if c.optional(ns::DS, "Signature").is_none() {
        return Err(XmlError::DsigMissing {
            detail: "no ds:Signature after ServiceMetadata in /SignedServiceMetadata".to_owned(),
        });
    }
    c.finish("nothing after ds:Signature")?;
    check_size(&metadata, &budget)?;
    Ok(metadata)
}

/// The unsigned document rendered from `metadata` must fit in the output limit.
fn check_size(metadata: &ServiceMetadata, budget: &OutputBudget) -> Result<(), XmlError> {
    write::check_size(budget, |w| {
        write_metadata_element(w, metadata, &METADATA_DECLS);
    })
}

fn service_metadata(
    el: &Element,
    path: &str,
    opts: &ParseOptions,
    budget: &mut OutputBudget,
) -> Result<ServiceMetadata, XmlError> {
    let mut c = Children::of(el, path)?;
    let result = if let Some(si) = c.optional(ns::SMP, "ServiceInformation") {
        ServiceMetadata::Information(service_information(
            si,
            &c.child_path("ServiceInformation"),
            opts,
            budget,
        )?)
    } else if let Some(r) = c.optional(ns::SMP, "Redirect") {
        ServiceMetadata::Redirect(redirect(r, &c.child_path("Redirect"), budget)?)
    } else {
        return Err(match c.rest().first() {
            Some(found) => XmlError::UnexpectedElement {
                path: path.to_owned(),
                found: found.display_name(),
                expected: "ServiceInformation or Redirect".to_owned(),
            },
            None => XmlError::MissingElement {
                path: path.to_owned(),
                expected: "element ServiceInformation or Redirect".to_owned(),
            },
        });
    };
    c.finish("nothing after ServiceInformation/Redirect")?;
    Ok(result)
}

fn service_information(
    el: &Element,
    path: &str,
    opts: &ParseOptions,
    budget: &mut OutputBudget,
) -> Result<ServiceInformation, XmlError> {
    let mut c = Children::of(el, path)?;
    let pid = c.required(ns::IDS, "ParticipantIdentifier")?;
    let participant = fields::participant(
        pid,
        &c.child_path("ParticipantIdentifier"),
        opts.participants,
    )?;
    let did = c.required(ns::IDS, "DocumentIdentifier")?;
    let document_type = fields::document_type(did, &c.child_path("DocumentIdentifier"))?;
    let list = c.required(ns::SMP, "ProcessList")?;
    let list_path = c.child_path("ProcessList");
    let mut lc = Children::of(list, &list_path)?;
    let first = lc.required(ns::SMP, "Process")?;
    let mut processes = Vec::new();
    for (i, p) in std::iter::once(first)
        .chain(lc.many(ns::SMP, "Process"))
        .enumerate()
    {
        processes.push(process(
            p,
            &format!("{list_path}/Process[{}]", i + 1),
            budget,
        )?);
    }
    lc.finish("Process")?;
    let extension = fields::extension(&mut c, ns::SMP, budget)?;
    c.finish("nothing after Extension")?;
    Ok(ServiceInformation {
        participant,
        document_type,
        processes,
        extension,
    })
}

fn process(el: &Element, path: &str, budget: &mut OutputBudget) -> Result<Process, XmlError> {
    let mut c = Children::of(el, path)?;
    let pid = c.required(ns::IDS, "ProcessIdentifier")?;
    let process = fields::process(pid, &c.child_path("ProcessIdentifier"))?;
    let list = c.required(ns::SMP, "ServiceEndpointList")?;
    let list_path = c.child_path("ServiceEndpointList");
    let mut lc = Children::of(list, &list_path)?;
    let first = lc.required(ns::SMP, "Endpoint")?;
    let mut endpoints = Vec::new();
    for (i, e) in std::iter::once(first)
        .chain(lc.many(ns::SMP, "Endpoint"))
        .enumerate()
    {
        endpoints.push(endpoint(
            e,
            &format!("{list_path}/Endpoint[{}]", i + 1),
            budget,
        )?);
    }
    lc.finish("Endpoint")?;
    let extension = fields::extension(&mut c, ns::SMP, budget)?;
    c.finish("nothing after Extension")?;
    Ok(Process {
        process,
        endpoints,
        extension,
    })
}

fn optional_text(c: &mut Children<'_>, local: &str) -> Result<Option<(String, String)>, XmlError> {
    let Some(el) = c.optional(ns::SMP, local) else {
        return Ok(None);
    };
    let path = c.child_path(local);
    Ok(Some((walk::text_of(el, &path)?, path)))
}

fn endpoint(el: &Element, path: &str, budget: &mut OutputBudget) -> Result<Endpoint, XmlError> {
    let transport_profile = walk::required_attr(el, "transportProfile", path)?;
    let mut c = Children::of(el, path)?;
    let epr = c.required(ns::WSA, "EndpointReference")?;
    let address = endpoint_reference(epr, &c.child_path("EndpointReference"))?;

    let rbls = c.required(ns::SMP, "RequireBusinessLevelSignature")?;
    let rbls_path = c.child_path("RequireBusinessLevelSignature");
    let require_business_level_signature =
        walk::parse_bool(&walk::text_of(rbls, &rbls_path)?, &rbls_path)?;
    let minimum_authentication_level =
        optional_text(&mut c, "MinimumAuthenticationLevel")?.map(|(t, _)| t);
    let date = |c: &mut Children<'_>, local: &str| -> Result<Option<String>, XmlError> {
        match optional_text(c, local)? {
            Some((text, p)) => {
                walk::check_date_time(&text, &p)?;
                Ok(Some(text))
            }
            None => Ok(None),
        }
    };
    let service_activation_date = date(&mut c, "ServiceActivationDate")?;
    let service_expiration_date = date(&mut c, "ServiceExpirationDate")?;
    let cert = c.required(ns::SMP, "Certificate")?;
    let certificate = fields::certificate(cert, &c.child_path("Certificate"))?;
    let desc = c.required(ns::SMP, "ServiceDescription")?;
    let service_description = walk::text_of(desc, &c.child_path("ServiceDescription"))?;
    let tcu = c.required(ns::SMP, "TechnicalContactUrl")?;
    let technical_contact_url = walk::required_text(tcu, &c.child_path("TechnicalContactUrl"))?;
    let technical_information_url =
        optional_text(&mut c, "TechnicalInformationUrl")?.map(|(t, _)| t);
    let extension = fields::extension(&mut c, ns::SMP, budget)?;
    c.finish("nothing after Extension")?;
    Ok(Endpoint {
        transport_profile,
        address,
        require_business_level_signature,
        minimum_authentication_level,
        service_activation_date,
        service_expiration_date,
        certificate,
        service_description,
        technical_contact_url,
        technical_information_url,
        extension,
    })
}

/// `wsa:EndpointReference`: the Address is kept; ReferenceParameters, Metadata and foreign
/// elements are allowed by WS-Addressing and ignored.
fn endpoint_reference(el: &Element, path: &str) -> Result<String, XmlError> {
    let mut c = Children::of(el, path)?;
    let addr = c.required(ns::WSA, "Address")?;
    let address = walk::required_text(addr, &c.child_path("Address"))?;
    c.optional(ns::WSA, "ReferenceParameters");
    c.optional(ns::WSA, "Metadata");
    if let Some(bad) = c.rest().into_iter().find(|e| e.ns() == ns::WSA) {
        return Err(XmlError::UnexpectedElement {
            path: path.to_owned(),
            found: bad.display_name(),
            expected: "Address, ReferenceParameters, Metadata, then non-WS-Addressing elements"
                .to_owned(),
        });
    }
    Ok(address)
}

fn redirect(el: &Element, path: &str, budget: &mut OutputBudget) -> Result<Redirect, XmlError> {
    let href = walk::required_attr(el, "href", path)?;
    let mut c = Children::of(el, path)?;
    let uid = c.required(ns::SMP, "CertificateUID")?;
    let certificate_uid = walk::required_text(uid, &c.child_path("CertificateUID"))?;
    let extension = fields::extension(&mut c, ns::SMP, budget)?;
    c.finish("nothing after Extension")?;
    Ok(Redirect {
        href,
        certificate_uid,
        extension,
    })
}
