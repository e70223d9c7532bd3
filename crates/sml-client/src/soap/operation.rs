//! The SML operations, their services and SOAPAction strings.

/// One of the three SML SOAP services, each at its own path under the base URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// ManageServiceMetadataService: the SMP's own entry.
    ManageServiceMetadata,
    /// ManageBusinessIdentifierService: participants and migrations.
    ManageParticipantIdentifier,
    /// BDMSLService: the EC implementation's extensions.
    Bdmsl,
}

impl Service {
    /// The path segment under the base URL, e.g. `manageparticipantidentifier`.
    pub fn path(self) -> &'static str {
        match self {
            Self::ManageServiceMetadata => "manageservicemetadata",
            Self::ManageParticipantIdentifier => "manageparticipantidentifier",
            Self::Bdmsl => "bdmslservice",
        }
    }
}

/// An SML operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// ManageServiceMetadataService Create.
    CreateSmp,
    /// ManageServiceMetadataService Read.
    ReadSmp,
    /// ManageServiceMetadataService Update.
    UpdateSmp,
    /// ManageServiceMetadataService Delete.
    DeleteSmp,
    /// ManageBusinessIdentifierService Create.
    CreateParticipant,
    /// ManageBusinessIdentifierService CreateList.
    CreateParticipants,
    /// ManageBusinessIdentifierService Delete.
    DeleteParticipant,
    /// ManageBusinessIdentifierService DeleteList.
    DeleteParticipants,
    /// ManageBusinessIdentifierService List.
    ListParticipants,
    /// ManageBusinessIdentifierService PrepareToMigrate.
    PrepareToMigrate,
    /// ManageBusinessIdentifierService Migrate.
    Migrate,
    /// BDMSLService IsAlive.
    IsAlive,
    /// BDMSLService ExistsParticipantIdentifier.
    ExistsParticipant,
    /// BDMSLService PrepareChangeCertificate.
    PrepareChangeCertificate,
}

const SMP_ACTION: &str = "http://busdox.org/serviceMetadata/ManageServiceMetadataService/1.0/";
// The nine spaces are in the WSDL (a line break plus indentation normalised into the
// attribute value) and in what the deployed SML expects on the wire.
const PARTICIPANT_ACTION: &str =
    "http://busdox.org/serviceMetadata/ManageBusinessIdentifierService/1.0/         ";

impl Operation {
    /// Every operation, in WSDL order per service.
    pub const ALL: [Self; 14] = [
        Self::CreateSmp,
        Self::ReadSmp,
        Self::UpdateSmp,
        Self::DeleteSmp,
        Self::CreateParticipant,
        Self::CreateParticipants,
        Self::DeleteParticipant,
        Self::DeleteParticipants,
        Self::ListParticipants,
        Self::PrepareToMigrate,
        Self::Migrate,
        Self::IsAlive,
        Self::ExistsParticipant,
        Self::PrepareChangeCertificate,
    ];

    /// The service the operation belongs to.
    pub fn service(self) -> Service {
        match self {
            Self::CreateSmp | Self::ReadSmp | Self::UpdateSmp | Self::DeleteSmp => {
                Service::ManageServiceMetadata
            }
            Self::CreateParticipant
            | Self::CreateParticipants
            | Self::DeleteParticipant
            | Self::DeleteParticipants
            | Self::ListParticipants
            | Self::PrepareToMigrate
            | Self::Migrate => Service::ManageParticipantIdentifier,
            Self::IsAlive | Self::ExistsParticipant | Self::PrepareChangeCertificate => {
                Service::Bdmsl
            }
        }
    }

    /// The WSDL operation name, e.g. `"PrepareToMigrate"` (for logs).
    pub fn wsdl_name(self) -> &'static str {
        match self {
            Self::CreateSmp | Self::CreateParticipant => "Create",
            Self::ReadSmp => "Read",
            Self::UpdateSmp => "Update",
            Self::DeleteSmp | Self::DeleteParticipant => "Delete",
            Self::CreateParticipants => "CreateList",
            Self::DeleteParticipants => "DeleteList",
            Self::ListParticipants => "List",
            Self::PrepareToMigrate => "PrepareToMigrate",
            Self::Migrate => "Migrate",
            Self::IsAlive => "IsAlive",
            Self::ExistsParticipant => "ExistsParticipantIdentifier",
            Self::PrepareChangeCertificate => "PrepareChangeCertificate",
        }
    }

    /// The SOAPAction exactly as in the WSDL binding, without quotes.
    pub fn soap_action(self) -> String {
        let (prefix, suffix) = match self {
            Self::CreateSmp => (SMP_ACTION, ":createIn"),
            Self::ReadSmp => (SMP_ACTION, ":readIn"),
            Self::UpdateSmp => (SMP_ACTION, ":updateIn"),
            Self::DeleteSmp => (SMP_ACTION, ":deleteIn"),
            Self::CreateParticipant => (PARTICIPANT_ACTION, ":createIn"),
            Self::CreateParticipants => (PARTICIPANT_ACTION, ":createListIn"),
            Self::DeleteParticipant => (PARTICIPANT_ACTION, ":deleteIn"),
            Self::DeleteParticipants => (PARTICIPANT_ACTION, ":deleteListIn"),
            Self::ListParticipants => (PARTICIPANT_ACTION, ":listIn"),
            Self::PrepareToMigrate => (PARTICIPANT_ACTION, ":prepareMigrateIn"),
            Self::Migrate => (PARTICIPANT_ACTION, ":migrateIn"),
            Self::IsAlive => ("ec:services:wsdl:BDMSL:1.0:", "isAliveIn"),
            Self::ExistsParticipant => (
                "ec:services:wsdl:BDMSL:1.0:",
                "existsParticipantIdentifierIn",
            ),
            Self::PrepareChangeCertificate => {
                ("ec:services:wsdl:BDMSL:1.0:", "prepareChangeCertificateIn")
            }
        };
        format!("{prefix}{suffix}")
    }

    /// The `SOAPAction` HTTP header value: the action in double quotes (SOAP 1.1 §6.1.1).
    pub fn soap_action_header(self) -> String {
        format!("\"{}\"", self.soap_action())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn participant_actions_have_exactly_nine_spaces() {
        for op in Operation::ALL {
            let action = op.soap_action();
            let spaces = action.matches(' ').count();
            match op.service() {
                Service::ManageParticipantIdentifier => {
                    assert_eq!(spaces, 9, "{op:?}");
                    assert!(action.contains("/1.0/         :"), "{op:?}");
                }
                _ => assert_eq!(spaces, 0, "{op:?}"),
            }
        }
    }

    #[test]
    fn exact_actions() {
        assert_eq!(
            Operation::CreateParticipant.soap_action_header(),
            "\"http://busdox.org/serviceMetadata/ManageBusinessIdentifierService/1.0/         :createIn\""
        );
        assert_eq!(
            Operation::DeleteSmp.soap_action_header(),
            "\"http://busdox.org/serviceMetadata/ManageServiceMetadataService/1.0/:deleteIn\""
        );
        assert_eq!(
            Operation::ExistsParticipant.soap_action_header(),
            "\"ec:services:wsdl:BDMSL:1.0:existsParticipantIdentifierIn\""
        );
    }

    /// Every action in the three WSDLs is produced by exactly one operation.
    #[test]
    fn actions_match_the_wsdls() {
        let dir = crate::test_support::spec_dir();
        let mut in_wsdls = Vec::new();
        for f in [
            "peppol-sml-manage-service-metadata-service-v1.wsdl",
            "peppol-sml-manage-business-identifier-service-v1.wsdl",
            "BDMSLService-1.0-icd130.wsdl",
        ] {
            let text = std::fs::read_to_string(dir.join("sml").join(f)).unwrap();
            for part in text.split("soapAction=\"").skip(1) {
                let action = &part[..part.find('"').unwrap()];
                // CreateParticipantIdentifier (BDMSL) is the superseded create-with-service-name
                // call; the SML's own Create is used instead.
                if action != "ec:services:wsdl:BDMSL:1.0:createParticipantIdentifierIn" {
                    in_wsdls.push(action.to_owned());
                }
            }
        }
        let mut ours: Vec<String> = Operation::ALL.iter().map(|o| o.soap_action()).collect();
        in_wsdls.sort();
        ours.sort();
        assert_eq!(ours, in_wsdls);
    }
}
