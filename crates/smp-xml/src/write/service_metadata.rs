//! Writer for `smp:ServiceMetadata`, also used for the signed form.

use crate::model::extension::Extension;
use crate::model::service_metadata::{Endpoint, Redirect, ServiceInformation, ServiceMetadata};
use crate::ns;
use crate::write::canonical::CanonicalWriter;
use crate::write::document;

/// The namespace declarations our roots carry, sorted by prefix.
pub(crate) const METADATA_DECLS: [(&str, &str); 3] =
    [("id", ns::IDS), ("smp", ns::SMP), ("wsa", ns::WSA)];

/// Serialises an unsigned `smp:ServiceMetadata` document.
pub fn write_service_metadata(sm: &ServiceMetadata) -> Vec<u8> {
    let mut w = CanonicalWriter::new();
    write_metadata_element(&mut w, sm, &METADATA_DECLS);
    document(w)
}

/// Writes the `smp:ServiceMetadata` element; `decls` already in scope are not repeated.
pub(crate) fn write_metadata_element(
    w: &mut CanonicalWriter,
    sm: &ServiceMetadata,
    decls: &[(&str, &str)],
) {
    w.start("smp:ServiceMetadata", decls, &[]);
    match sm {
        ServiceMetadata::Information(si) => write_information(w, si),
        ServiceMetadata::Redirect(r) => write_redirect(w, r),
    }
    w.end("smp:ServiceMetadata");
}

pub(crate) fn write_identifier(w: &mut CanonicalWriter, qname: &str, scheme: &str, value: &str) {
    w.leaf(qname, &[("scheme", scheme)], value);
}

pub(crate) fn write_extension(w: &mut CanonicalWriter, ext: Option<&Extension>) {
    if let Some(ext) = ext {
        w.start("smp:Extension", &[], &[]);
        w.element(ext.element());
        w.end("smp:Extension");
    }
}

fn write_information(w: &mut CanonicalWriter, si: &ServiceInformation) {
    w.start("smp:ServiceInformation", &[], &[]);
    write_identifier(
        w,
        "id:ParticipantIdentifier",
        si.participant.scheme(),
        si.participant.value(),
    );
    write_identifier(
        w,
        "id:DocumentIdentifier",
        si.document_type.scheme(),
        si.document_type.value(),
    );
    w.start("smp:ProcessList", &[], &[]);
    for p in &si.processes {
        w.start("smp:Process", &[], &[]);
        write_identifier(
            w,
            "id:ProcessIdentifier",
            p.process.scheme(),
            p.process.value(),
        );
        w.start("smp:ServiceEndpointList", &[], &[]);
        for e in &p.endpoints {
            write_endpoint(w, e);
        }
        w.end("smp:ServiceEndpointList");
        write_extension(w, p.extension.as_ref());
        w.end("smp:Process");
    }
    w.end("smp:ProcessList");
    write_extension(w, si.extension.as_ref());
    w.end("smp:ServiceInformation");
}

fn write_endpoint(w: &mut CanonicalWriter, e: &Endpoint) {
    w.start(
        "smp:Endpoint",
        &[],
        &[("transportProfile", e.transport_profile.as_str())],
    );
    w.start("wsa:EndpointReference", &[], &[]);
    w.leaf("wsa:Address", &[], &e.address);
    w.end("wsa:EndpointReference");
    w.leaf(
        "smp:RequireBusinessLevelSignature",
        &[],
        if e.require_business_level_signature {
            "true"
        } else {
            "false"
        },
    );
    let optional = |w: &mut CanonicalWriter, qname: &str, v: &Option<String>| {
        if let Some(v) = v {
            w.leaf(qname, &[], v);
        }
    };
    optional(
        w,
        "smp:MinimumAuthenticationLevel",
        &e.minimum_authentication_level,
    );
    optional(w, "smp:ServiceActivationDate", &e.service_activation_date);
    optional(w, "smp:ServiceExpirationDate", &e.service_expiration_date);
    w.leaf("smp:Certificate", &[], &e.certificate);
    w.leaf("smp:ServiceDescription", &[], &e.service_description);
    w.leaf("smp:TechnicalContactUrl", &[], &e.technical_contact_url);
    optional(
        w,
        "smp:TechnicalInformationUrl",
        &e.technical_information_url,
    );
    write_extension(w, e.extension.as_ref());
    w.end("smp:Endpoint");
}

fn write_redirect(w: &mut CanonicalWriter, r: &Redirect) {
    w.start("smp:Redirect", &[], &[("href", r.href.as_str())]);
    w.leaf("smp:CertificateUID", &[], &r.certificate_uid);
    write_extension(w, r.extension.as_ref());
    w.end("smp:Redirect");
}
