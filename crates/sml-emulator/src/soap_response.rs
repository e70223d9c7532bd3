//! Writing SOAP 1.1 responses in the shapes of `spec/sml/samples/*.response.xml`.

use crate::{
    sml_fault::SmlFault,
    soap_request::{BDMSL_NS, IDS_NS, LOCATOR_NS, Participant, SOAP_ENV_NS},
    xml_tree::escape,
};

/// What a successful operation answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reply {
    /// Operations whose WSDL output has no part: an empty `soap:Body`.
    Empty,
    Smp {
        smp_id: String,
        logical_address: String,
        physical_address: String,
    },
    Page {
        smp_id: String,
        participants: Vec<Participant>,
        next_page: Option<String>,
    },
    Exists {
        smp_id: String,
        participant: Participant,
        exists: bool,
    },
}

fn envelope(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap:Envelope xmlns:soap=\"{SOAP_ENV_NS}\"><soap:Body>{body}</soap:Body></soap:Envelope>"
    )
}

fn participant_xml(prefix: &str, p: &Participant) -> String {
    format!(
        "<{prefix}:ParticipantIdentifier scheme=\"{}\">{}</{prefix}:ParticipantIdentifier>",
        escape(&p.scheme),
        escape(&p.value)
    )
}

pub(crate) fn render_reply(reply: &Reply) -> String {
    match reply {
        Reply::Empty => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap:Envelope xmlns:soap=\"{SOAP_ENV_NS}\"><soap:Body/></soap:Envelope>"
        ),
        Reply::Smp {
            smp_id,
            logical_address,
            physical_address,
        } => envelope(&format!(
            "<ServiceMetadataPublisherService xmlns=\"{LOCATOR_NS}\" xmlns:ns2=\"{IDS_NS}\"><PublisherEndpoint><LogicalAddress>{}</LogicalAddress><PhysicalAddress>{}</PhysicalAddress></PublisherEndpoint><ServiceMetadataPublisherID>{}</ServiceMetadataPublisherID></ServiceMetadataPublisherService>",
            escape(logical_address),
            escape(physical_address),
            escape(smp_id)
        )),
        Reply::Page {
            smp_id,
            participants,
            next_page,
        } => {
            let mut body = format!(
                "<ParticipantIdentifierPage xmlns=\"{LOCATOR_NS}\" xmlns:ns2=\"{IDS_NS}\">"
            );
            for p in participants {
                body.push_str(&participant_xml("ns2", p));
            }
            body.push_str(&format!(
                "<ServiceMetadataPublisherID>{}</ServiceMetadataPublisherID>",
                escape(smp_id)
            ));
            if let Some(next) = next_page {
                body.push_str(&format!(
                    "<NextPageIdentifier>{}</NextPageIdentifier>",
                    escape(next)
                ));
            }
            body.push_str("</ParticipantIdentifierPage>");
            envelope(&body)
        }
        Reply::Exists {
            smp_id,
            participant,
            exists,
        } => envelope(&format!(
            "<ExistsParticipantResponse xmlns=\"{BDMSL_NS}\" xmlns:ids=\"{IDS_NS}\" xmlns:lrs=\"{LOCATOR_NS}\">{}<lrs:ServiceMetadataPublisherID>{}</lrs:ServiceMetadataPublisherID><Exist>{exists}</Exist></ExistsParticipantResponse>",
            participant_xml("ids", participant),
            escape(smp_id)
        )),
    }
}

/// The fault body; `request_id` is the 32-hex-digit id BDMSL appends to `faultstring` only.
pub(crate) fn render_fault(fault: &SmlFault, request_id: &str) -> String {
    let message = escape(&fault.fault_message());
    let element = fault.kind.element();
    envelope(&format!(
        "<soap:Fault><faultcode>soap:Server</faultcode><faultstring>{message} [{request_id}]</faultstring><detail><{element} xmlns:ns2=\"{IDS_NS}\" xmlns=\"{LOCATOR_NS}\"><FaultMessage>{message}</FaultMessage></{element}></detail></soap:Fault>"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{sml_fault::FaultKind, xml_tree};

    #[test]
    fn fault_has_the_sample_shape() {
        let f = SmlFault::new(FaultKind::NotFound, 100, "The SMP 'A<B' doesn't exist.");
        let xml = render_fault(&f, "0123456789ABCDEF0123456789ABCDEF");
        let root = xml_tree::parse(&xml).unwrap();
        let fault = &root.children[0].children[0];
        assert!(fault.is(SOAP_ENV_NS, "Fault"));
        assert_eq!(fault.children[0].text, "soap:Server");
        assert_eq!(
            fault.children[1].text,
            "[ERR-100] The SMP 'A<B' doesn't exist. [0123456789ABCDEF0123456789ABCDEF]"
        );
        let detail = &fault.children[2].children[0];
        assert!(detail.is(LOCATOR_NS, "NotFoundFault"));
        assert_eq!(
            detail.children[0].text,
            "[ERR-100] The SMP 'A<B' doesn't exist."
        );
    }

    #[test]
    fn page_omits_next_on_last_page() {
        let xml = render_reply(&Reply::Page {
            smp_id: "S".into(),
            participants: vec![Participant {
                scheme: "iso6523-actorid-upis".into(),
                value: "0088:1".into(),
            }],
            next_page: None,
        });
        let root = xml_tree::parse(&xml).unwrap();
        let page = &root.children[0].children[0];
        assert_eq!(page.children.len(), 2);
        assert!(page.children[0].is(IDS_NS, "ParticipantIdentifier"));
    }
}
