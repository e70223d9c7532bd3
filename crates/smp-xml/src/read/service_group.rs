//! Reader for `smp:ServiceGroup`.

use crate::error::XmlError;
use crate::model::service_group::ServiceGroup;
use crate::ns;
use crate::read::dom;
use crate::read::fields;
use crate::read::options::{OutputBudget, ParseOptions};
use crate::read::walk::Children;
use crate::write;
use crate::write::service_group::write_group_element;

/// Parses a `ServiceGroup` document (as sent in a PUT or returned by an SMP).
///
/// The [`ParseOptions`] limits apply, including the size of the document
/// [`write_service_group`](crate::write_service_group) renders from the result.
pub fn parse_service_group(xml: &[u8], opts: &ParseOptions) -> Result<ServiceGroup, XmlError> {
    let root = dom::parse_document(xml, opts)?;
    let mut budget = OutputBudget::new(opts, xml.len());
    fields::expect_root(&root, ns::SMP, "ServiceGroup")?;
    let mut c = Children::of(&root, "/ServiceGroup")?;
    let pid = c.required(ns::IDS, "ParticipantIdentifier")?;
    let participant = fields::participant(
        pid,
        &c.child_path("ParticipantIdentifier"),
        opts.participants,
    )?;
    let coll = c.required(ns::SMP, "ServiceMetadataReferenceCollection")?;
    let coll_path = c.child_path("ServiceMetadataReferenceCollection");
    let mut refs = Children::of(coll, &coll_path)?;
    let mut references = Vec::new();
    for (i, r) in refs
        .many(ns::SMP, "ServiceMetadataReference")
        .into_iter()
        .enumerate()
    {
        let path = format!("{coll_path}/ServiceMetadataReference[{}]", i + 1);
        if let Some(child) = r.child_elements().next() {
            return Err(XmlError::UnexpectedElement {
                path,
                found: child.display_name(),
                expected: "no content".to_owned(),
            });
        }
        references.push(crate::read::walk::required_attr(r, "href", &path)?);
    }
    refs.finish("ServiceMetadataReference")?;
    let extension = fields::extension(&mut c, ns::SMP, &mut budget)?;
    c.finish("nothing after Extension")?;
    let group = ServiceGroup {
        participant,
        references,
        extension,
    };
    write::check_size(&budget, |w| write_group_element(w, &group))?;
    Ok(group)
}
