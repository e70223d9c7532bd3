//! Reading SOAP 1.1 requests of the three SML services into [`Operation`]s.

use crate::xml_tree::{self, Element};

pub(crate) const SOAP_ENV_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub(crate) const LOCATOR_NS: &str = "http://busdox.org/serviceMetadata/locator/1.0/";
pub(crate) const IDS_NS: &str = "http://busdox.org/transport/identifiers/1.0/";
pub(crate) const BDMSL_NS: &str = "ec:services:wsdl:BDMSL:data:1.0";

const SMP_ACTION: &str = "http://busdox.org/serviceMetadata/ManageServiceMetadataService/1.0/:";
// The nine spaces are what the deployed SML expects (see PEPPOL-FACTS.md).
const PARTICIPANT_ACTION: &str =
    "http://busdox.org/serviceMetadata/ManageBusinessIdentifierService/1.0/         :";
const BDMSL_ACTION: &str = "ec:services:wsdl:BDMSL:1.0:";

/// The three SOAP endpoints, by URL path segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    ManageServiceMetadata,
    ManageParticipantIdentifier,
    Bdmsl,
}

impl Service {
    pub(crate) fn from_path(segment: &str) -> Option<Self> {
        match segment {
            "manageservicemetadata" => Some(Self::ManageServiceMetadata),
            "manageparticipantidentifier" => Some(Self::ManageParticipantIdentifier),
            "bdmslservice" => Some(Self::Bdmsl),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Participant {
    pub(crate) scheme: String,
    pub(crate) value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    pub(crate) logical_address: String,
    pub(crate) physical_address: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Operation {
    SmpCreate {
        smp_id: String,
        endpoint: Endpoint,
    },
    SmpRead {
        smp_id: String,
    },
    SmpUpdate {
        smp_id: String,
        endpoint: Endpoint,
    },
    SmpDelete {
        smp_id: String,
    },
    ParticipantCreate {
        smp_id: String,
        participant: Participant,
    },
    ParticipantDelete {
        smp_id: String,
        participant: Participant,
    },
    CreateList {
        smp_id: Option<String>,
        participants: Vec<Participant>,
    },
    DeleteList {
        smp_id: Option<String>,
        participants: Vec<Participant>,
    },
    List {
        smp_id: String,
        next_page: Option<String>,
    },
    PrepareToMigrate {
        smp_id: String,
        participant: Participant,
        key: String,
    },
    Migrate {
        smp_id: String,
        participant: Participant,
        key: String,
    },
    PrepareChangeCertificate {
        certificate_pem: String,
        migration_date: Option<String>,
    },
    BdmslCreateParticipant {
        smp_id: String,
        participant: Participant,
        service_name: String,
    },
    IsAlive,
    Exists {
        smp_id: String,
        participant: Participant,
    },
}

impl Operation {
    /// True for operations that change state (the ones `drop_after_commit` is about).
    pub(crate) fn is_write(&self) -> bool {
        !matches!(
            self,
            Self::SmpRead { .. } | Self::List { .. } | Self::IsAlive | Self::Exists { .. }
        )
    }
}

/// Parses one request sent to `service` with the given `SOAPAction` header (quotes allowed).
pub(crate) fn parse(
    service: Service,
    soap_action: Option<&str>,
    body: &str,
) -> Result<Operation, String> {
    let envelope = xml_tree::parse(body)?;
    if !envelope.is(SOAP_ENV_NS, "Envelope") {
        return Err(format!(
            "the root element must be the SOAP 1.1 Envelope ({SOAP_ENV_NS}), found {{{}}}{}",
            envelope.ns, envelope.local
        ));
    }
    let body_element = envelope
        .children
        .iter()
        .find(|c| c.is(SOAP_ENV_NS, "Body"))
        .ok_or("the SOAP Envelope has no Body")?;
    let [payload] = body_element.children.as_slice() else {
        return Err(format!(
            "the SOAP Body must hold exactly one element, found {}",
            body_element.children.len()
        ));
    };
    let (action, operation) = operation(service, payload)?;
    let sent = soap_action.map(|a| a.trim().trim_matches('"'));
    if sent != Some(action.as_str()) {
        return Err(format!(
            "SOAPAction {sent:?} does not match the operation of {{{}}}{}; expected \"{action}\"",
            payload.ns, payload.local
        ));
    }
    Ok(operation)
}

fn operation(service: Service, p: &Element) -> Result<(String, Operation), String> {
    let action = |base: &str, name: &str| format!("{base}{name}");
    let op = match (service, p.ns.as_str(), p.local.as_str()) {
        (
            Service::ManageServiceMetadata,
            LOCATOR_NS,
            name @ ("CreateServiceMetadataPublisherService"
            | "ReadServiceMetadataPublisherService"
            | "UpdateServiceMetadataPublisherService"),
        ) => {
            let mut c = Children::new(p);
            let endpoint = c.one(LOCATOR_NS, "PublisherEndpoint")?;
            let smp_id = text(c.one(LOCATOR_NS, "ServiceMetadataPublisherID")?);
            c.end()?;
            let mut e = Children::new(endpoint);
            let endpoint = Endpoint {
                logical_address: text(e.one(LOCATOR_NS, "LogicalAddress")?),
                physical_address: text(e.one(LOCATOR_NS, "PhysicalAddress")?),
            };
            e.end()?;
            match name {
                "CreateServiceMetadataPublisherService" => (
                    action(SMP_ACTION, "createIn"),
                    Operation::SmpCreate { smp_id, endpoint },
                ),
                "ReadServiceMetadataPublisherService" => {
                    (action(SMP_ACTION, "readIn"), Operation::SmpRead { smp_id })
                }
                _ => (
                    action(SMP_ACTION, "updateIn"),
                    Operation::SmpUpdate { smp_id, endpoint },
                ),
            }
        }
        (Service::ManageServiceMetadata, LOCATOR_NS, "ServiceMetadataPublisherID") => {
            leaf_only(p)?;
            (
                action(SMP_ACTION, "deleteIn"),
                Operation::SmpDelete { smp_id: text(p) },
            )
        }
        (
            Service::ManageParticipantIdentifier,
            LOCATOR_NS,
            name @ ("CreateParticipantIdentifier" | "DeleteParticipantIdentifier"),
        ) => {
            let mut c = Children::new(p);
            let smp_id = text(c.one(LOCATOR_NS, "ServiceMetadataPublisherID")?);
            let participant = participant(c.one(IDS_NS, "ParticipantIdentifier")?)?;
            c.end()?;
            if name == "CreateParticipantIdentifier" {
                (
                    action(PARTICIPANT_ACTION, "createIn"),
                    Operation::ParticipantCreate {
                        smp_id,
                        participant,
                    },
                )
            } else {
                (
                    action(PARTICIPANT_ACTION, "deleteIn"),
                    Operation::ParticipantDelete {
                        smp_id,
                        participant,
                    },
                )
            }
        }
        (
            Service::ManageParticipantIdentifier,
            LOCATOR_NS,
            name @ ("CreateList" | "DeleteList"),
        ) => {
            let mut c = Children::new(p);
            let participants = c
                .many(IDS_NS, "ParticipantIdentifier")
                .into_iter()
                .map(participant)
                .collect::<Result<Vec<_>, _>>()?;
            let smp_id = c
                .optional(LOCATOR_NS, "ServiceMetadataPublisherID")
                .map(text);
            // NextPageIdentifier is part of the shared page type but means nothing here.
            let _ = c.optional(LOCATOR_NS, "NextPageIdentifier");
            c.end()?;
            if name == "CreateList" {
                (
                    action(PARTICIPANT_ACTION, "createListIn"),
                    Operation::CreateList {
                        smp_id,
                        participants,
                    },
                )
            } else {
                (
                    action(PARTICIPANT_ACTION, "deleteListIn"),
                    Operation::DeleteList {
                        smp_id,
                        participants,
                    },
                )
            }
        }
        (Service::ManageParticipantIdentifier, LOCATOR_NS, "PageRequest") => {
            let mut c = Children::new(p);
            let smp_id = text(c.one(LOCATOR_NS, "ServiceMetadataPublisherID")?);
            let next_page = c.optional(LOCATOR_NS, "NextPageIdentifier").map(text);
            c.end()?;
            (
                action(PARTICIPANT_ACTION, "listIn"),
                Operation::List { smp_id, next_page },
            )
        }
        (
            Service::ManageParticipantIdentifier,
            LOCATOR_NS,
            name @ ("PrepareMigrationRecord" | "CompleteMigrationRecord"),
        ) => {
            let mut c = Children::new(p);
            let smp_id = text(c.one(LOCATOR_NS, "ServiceMetadataPublisherID")?);
            let participant = participant(c.one(IDS_NS, "ParticipantIdentifier")?)?;
            // The key is compared verbatim: no trimming.
            let key = c.one(LOCATOR_NS, "MigrationKey")?.text.clone();
            c.end()?;
            if name == "PrepareMigrationRecord" {
                (
                    action(PARTICIPANT_ACTION, "prepareMigrateIn"),
                    Operation::PrepareToMigrate {
                        smp_id,
                        participant,
                        key,
                    },
                )
            } else {
                (
                    action(PARTICIPANT_ACTION, "migrateIn"),
                    Operation::Migrate {
                        smp_id,
                        participant,
                        key,
                    },
                )
            }
        }
        (Service::Bdmsl, BDMSL_NS, "PrepareChangeCertificate") => {
            let mut c = Children::new(p);
            let certificate_pem = c
                .one(BDMSL_NS, "newCertificatePublicKey")?
                .text
                .trim()
                .to_owned();
            let migration_date = c.optional(BDMSL_NS, "migrationDate").map(text);
            c.end()?;
            (
                action(BDMSL_ACTION, "prepareChangeCertificateIn"),
                Operation::PrepareChangeCertificate {
                    certificate_pem,
                    migration_date,
                },
            )
        }
        (Service::Bdmsl, BDMSL_NS, "SMPAdvancedServiceForParticipantService") => {
            let mut c = Children::new(p);
            let inner = c.one(BDMSL_NS, "CreateParticipantIdentifier")?;
            let service_name = text(c.one(BDMSL_NS, "serviceName")?);
            c.end()?;
            let mut i = Children::new(inner);
            let smp_id = text(i.one(LOCATOR_NS, "ServiceMetadataPublisherID")?);
            let participant = participant(i.one(IDS_NS, "ParticipantIdentifier")?)?;
            i.end()?;
            (
                action(BDMSL_ACTION, "createParticipantIdentifierIn"),
                Operation::BdmslCreateParticipant {
                    smp_id,
                    participant,
                    service_name,
                },
            )
        }
        (Service::Bdmsl, BDMSL_NS, "IsAlive") => {
            Children::new(p).end()?;
            (action(BDMSL_ACTION, "isAliveIn"), Operation::IsAlive)
        }
        (Service::Bdmsl, BDMSL_NS, "ExistsParticipant") => {
            let mut c = Children::new(p);
            let participant = participant(c.one(IDS_NS, "ParticipantIdentifier")?)?;
            let smp_id = text(c.one(LOCATOR_NS, "ServiceMetadataPublisherID")?);
            c.end()?;
            (
                action(BDMSL_ACTION, "existsParticipantIdentifierIn"),
                Operation::Exists {
                    smp_id,
                    participant,
                },
            )
        }
        _ => {
            return Err(format!(
                "this service has no operation for the element {{{}}}{}",
                p.ns, p.local
            ));
        }
    };
    Ok(op)
}

fn text(e: &Element) -> String {
    e.text.trim().to_owned()
}

fn leaf_only(e: &Element) -> Result<(), String> {
    match e.children.first() {
        Some(c) => Err(format!("unexpected element {{{}}}{}", c.ns, c.local)),
        None => Ok(()),
    }
}

fn participant(e: &Element) -> Result<Participant, String> {
    leaf_only(e)?;
    let scheme = e
        .attr("scheme")
        .ok_or("ParticipantIdentifier has no scheme attribute")?
        .trim()
        .to_owned();
    Ok(Participant {
        scheme,
        value: text(e),
    })
}

/// Walks an element's children in schema order (sequence semantics: order matters,
/// nothing unexpected allowed).
struct Children<'a> {
    parent: &'a Element,
    pos: usize,
}

impl<'a> Children<'a> {
    fn new(parent: &'a Element) -> Self {
        Self { parent, pos: 0 }
    }

    fn peek_is(&self, ns: &str, local: &str) -> bool {
        self.parent
            .children
            .get(self.pos)
            .is_some_and(|c| c.is(ns, local))
    }

    fn optional(&mut self, ns: &str, local: &str) -> Option<&'a Element> {
        if self.peek_is(ns, local) {
            let e = self.parent.children.get(self.pos);
            self.pos += 1;
            e
        } else {
            None
        }
    }

    fn one(&mut self, ns: &str, local: &str) -> Result<&'a Element, String> {
        self.optional(ns, local).ok_or_else(|| {
            let found = match self.parent.children.get(self.pos) {
                Some(c) => format!("{{{}}}{}", c.ns, c.local),
                None => "nothing".to_owned(),
            };
            format!(
                "{} must contain {{{ns}}}{local} here, found {found}",
                self.parent.local
            )
        })
    }

    fn many(&mut self, ns: &str, local: &str) -> Vec<&'a Element> {
        let mut out = Vec::new();
        while let Some(e) = self.optional(ns, local) {
            out.push(e);
        }
        out
    }

    fn end(self) -> Result<(), String> {
        match self.parent.children.get(self.pos) {
            Some(c) => Err(format!(
                "unexpected element {{{}}}{} in {}",
                c.ns, c.local, self.parent.local
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(body: &str) -> String {
        format!(
            r#"<s:Envelope xmlns:s="{SOAP_ENV_NS}"><s:Header/><s:Body>{body}</s:Body></s:Envelope>"#
        )
    }

    #[test]
    fn reads_a_migration_record_and_checks_the_action() {
        let xml = envelope(&format!(
            r#"<l:PrepareMigrationRecord xmlns:l="{LOCATOR_NS}" xmlns:i="{IDS_NS}"><l:ServiceMetadataPublisherID> SMP1 </l:ServiceMetadataPublisherID><i:ParticipantIdentifier scheme="iso6523-actorid-upis">0088:1</i:ParticipantIdentifier><l:MigrationKey>11AAbb$$</l:MigrationKey></l:PrepareMigrationRecord>"#
        ));
        let action = format!("\"{PARTICIPANT_ACTION}prepareMigrateIn\"");
        let op = parse(Service::ManageParticipantIdentifier, Some(&action), &xml).unwrap();
        assert_eq!(
            op,
            Operation::PrepareToMigrate {
                smp_id: "SMP1".into(),
                participant: Participant {
                    scheme: "iso6523-actorid-upis".into(),
                    value: "0088:1".into()
                },
                key: "11AAbb$$".into()
            }
        );
        // One space fewer than the deployed SML's action is refused.
        let wrong = action.replace("         :", "        :");
        assert!(parse(Service::ManageParticipantIdentifier, Some(&wrong), &xml).is_err());
        assert!(parse(Service::ManageParticipantIdentifier, None, &xml).is_err());
        // Same body on the wrong endpoint.
        assert!(parse(Service::ManageServiceMetadata, Some(&action), &xml).is_err());
    }

    #[test]
    fn order_of_children_matters() {
        let xml = envelope(&format!(
            r#"<l:CreateParticipantIdentifier xmlns:l="{LOCATOR_NS}" xmlns:i="{IDS_NS}"><i:ParticipantIdentifier scheme="x">0088:1</i:ParticipantIdentifier><l:ServiceMetadataPublisherID>S</l:ServiceMetadataPublisherID></l:CreateParticipantIdentifier>"#
        ));
        let action = format!("{PARTICIPANT_ACTION}createIn");
        let err = parse(Service::ManageParticipantIdentifier, Some(&action), &xml).unwrap_err();
        assert!(err.contains("ServiceMetadataPublisherID"), "{err}");
    }

    #[test]
    fn refuses_non_soap_and_empty_bodies() {
        assert!(parse(Service::Bdmsl, Some("x"), "<a/>").is_err());
        assert!(parse(Service::Bdmsl, Some("x"), &envelope("")).is_err());
        assert!(parse(Service::Bdmsl, Some("x"), "not xml").is_err());
    }
}
