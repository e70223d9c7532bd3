//! Writer for `smp:ServiceGroup`.

use crate::model::service_group::ServiceGroup;
use crate::ns;
use crate::write::canonical::CanonicalWriter;
use crate::write::document;
use crate::write::service_metadata::{write_extension, write_identifier};

/// Serialises a service group (`smp:` and `id:` prefixes, declared on the root).
pub fn write_service_group(sg: &ServiceGroup) -> Vec<u8> {
    let mut w = CanonicalWriter::new();
    write_group_element(&mut w, sg);
    document(w)
}

pub(crate) fn write_group_element(w: &mut CanonicalWriter, sg: &ServiceGroup) {
    w.start(
        "smp:ServiceGroup",
        &[("smp", ns::SMP), ("id", ns::IDS)],
        &[],
    );
    write_identifier(
        w,
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
    write_extension(w, sg.extension.as_ref());
    w.end("smp:ServiceGroup");
}
