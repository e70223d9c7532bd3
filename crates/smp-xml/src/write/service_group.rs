//! Writer for `smp:ServiceGroup`.

use crate::model::service_group::ServiceGroup;
use crate::ns;
use crate::write::XML_DECLARATION;
use crate::write::canonical::CanonicalWriter;
use crate::write::service_metadata::{write_extension, write_identifier};

/// Serialises a service group (`smp:` and `id:` prefixes, declared on the root).
pub fn write_service_group(sg: &ServiceGroup) -> Vec<u8> {
    let mut w = CanonicalWriter::new();
    w.start(
        "smp:ServiceGroup",
        &[("smp", ns::SMP), ("id", ns::IDS)],
        &[],
    );
    write_identifier(
        &mut w,
        "id:ParticipantIdentifier",
        sg.participant.scheme(),
        sg.participant.value(),
    );
    w.start("smp:ServiceMetadataReferenceCollection", &[], &[]);
    for href in &sg.references {
        w.start("smp:ServiceMetadataReference", &[], &[("href", href)]);
        w.end("smp:ServiceMetadataReference");
    }
    w.end("smp:ServiceMetadataReferenceCollection");
    write_extension(&mut w, sg.extension.as_ref());
    w.end("smp:ServiceGroup");
    let mut out = String::from(XML_DECLARATION);
    out.push_str(&w.finish());
    out.into_bytes()
}
