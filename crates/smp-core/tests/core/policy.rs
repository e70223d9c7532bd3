//! Registration policy: refused document types and BIS 3 before legacy, on every path that
//! adds a service (JSON capabilities at creation, one capability, phoss-style XML).

use peppol_id::{DocumentTypeId, ParticipantId};
use smp_core::{CapabilitySpec, NewParticipant, RegistrationPolicy, service_metadata_key};
use smp_xml::ParseOptions;

use crate::publication::endpoint;
use crate::support::{DOCTYPE, PARTICIPANT, PROCESS, each_backend_with};

const LEGACY: &str = "busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:www.cenbii.eu:transaction:biitrns010:ver2.0:extended:urn:www.peppol.eu:bis:peppol5a:ver2.0::2.1";
const LEGACY_PROCESS: &str = "cenbii-procid-ubl::urn:www.cenbii.eu:profile:bii05:ver2.0";

fn capability(doctype: &str, process: &str) -> CapabilitySpec {
    CapabilitySpec {
        document_type: doctype.into(),
        process: process.into(),
        endpoint: Some(endpoint("https://ap.example.org/as4")),
        endpoint_profile: None,
    }
}

fn participant_with(capabilities: Vec<CapabilitySpec>) -> NewParticipant {
    NewParticipant {
        participant: PARTICIPANT.into(),
        capabilities,
        owner: None,
        create_in_sml: None,
    }
}

fn bis3_first() -> RegistrationPolicy {
    RegistrationPolicy {
        require_bis3_before_legacy: true,
        ..RegistrationPolicy::default()
    }
}

#[test]
fn legacy_without_bis3_is_refused_until_bis3_is_registered() {
    each_backend_with(false, &bis3_first(), |env| {
        let r = &env.registry;
        let pid = ParticipantId::parse(PARTICIPANT).unwrap();
        r.participants()
            .create_participant(&env.admin, &participant_with(Vec::new()))
            .unwrap();

        let err = r
            .participants()
            .add_capability(&env.admin, &pid, &capability(LEGACY, LEGACY_PROCESS))
            .unwrap_err();
        assert_eq!(err.code(), "policy.require_bis3_before_legacy", "{err}");
        assert!(err.to_string().contains("BIS 3"), "{err}");
        assert!(
            r.participants()
                .participant(&env.admin, &pid)
                .unwrap()
                .capabilities
                .is_empty()
        );

        r.participants()
            .add_capability(&env.admin, &pid, &capability(DOCTYPE, PROCESS))
            .unwrap();
        r.participants()
            .add_capability(&env.admin, &pid, &capability(LEGACY, LEGACY_PROCESS))
            .unwrap();
        assert_eq!(
            r.participants()
                .participant(&env.admin, &pid)
                .unwrap()
                .capabilities
                .len(),
            2
        );
    });
}

#[test]
fn creation_checks_capabilities_in_order_and_is_all_or_nothing() {
    each_backend_with(false, &bis3_first(), |env| {
        let r = &env.registry;
        let pid = ParticipantId::parse(PARTICIPANT).unwrap();
        let err = r
            .participants()
            .create_participant(
                &env.admin,
                &participant_with(vec![
                    capability(LEGACY, LEGACY_PROCESS),
                    capability(DOCTYPE, PROCESS),
                ]),
            )
            .unwrap_err();
        assert_eq!(err.code(), "policy.require_bis3_before_legacy");
        assert_eq!(
            r.participants()
                .participant(&env.admin, &pid)
                .unwrap_err()
                .code(),
            "participant.not_found"
        );
        r.participants()
            .create_participant(
                &env.admin,
                &participant_with(vec![
                    capability(DOCTYPE, PROCESS),
                    capability(LEGACY, LEGACY_PROCESS),
                ]),
            )
            .unwrap();
    });
}

#[test]
fn xml_put_of_a_legacy_type_needs_bis3_too() {
    each_backend_with(false, &bis3_first(), |env| {
        let r = &env.registry;
        let pid = ParticipantId::parse(PARTICIPANT).unwrap();
        let legacy = DocumentTypeId::parse(LEGACY).unwrap();
        let bis3 = DocumentTypeId::parse(DOCTYPE).unwrap();
        r.participants()
            .create_participant(
                &env.admin,
                &participant_with(vec![
                    capability(DOCTYPE, PROCESS),
                    capability(LEGACY, LEGACY_PROCESS),
                ]),
            )
            .unwrap();
        let signed = r
            .documents()
            .load(&service_metadata_key(&pid, &legacy))
            .unwrap()
            .unwrap();
        let metadata =
            smp_xml::parse_signed_service_metadata(&signed.content, &ParseOptions::default())
                .unwrap();
        // With BIS 3 in place, replacing the legacy service is fine.
        r.participants()
            .put_service_metadata(&env.admin, &pid, &legacy, &metadata)
            .unwrap();
        r.participants()
            .delete_service_metadata(&env.admin, &pid, &bis3)
            .unwrap();
        let err = r
            .participants()
            .put_service_metadata(&env.admin, &pid, &legacy, &metadata)
            .unwrap_err();
        assert_eq!(err.code(), "policy.require_bis3_before_legacy");
    });
}

#[test]
fn refused_document_types_are_refused_everywhere_and_others_pass() {
    let policy = RegistrationPolicy {
        refused_document_types: vec![DocumentTypeId::parse(LEGACY).unwrap()],
        ..RegistrationPolicy::default()
    };
    each_backend_with(false, &policy, |env| {
        let r = &env.registry;
        let pid = ParticipantId::parse(PARTICIPANT).unwrap();
        r.participants()
            .create_participant(
                &env.admin,
                &participant_with(vec![capability(DOCTYPE, PROCESS)]),
            )
            .unwrap();
        let err = r
            .participants()
            .add_capability(&env.admin, &pid, &capability(LEGACY, LEGACY_PROCESS))
            .unwrap_err();
        assert_eq!(err.code(), "policy.refused_document_types", "{err}");
        // The rule for legacy types is off here: only the refused list applies.
        assert_eq!(
            r.participants()
                .participant(&env.admin, &pid)
                .unwrap()
                .capabilities
                .len(),
            1
        );
    });
}

#[test]
fn the_default_policy_refuses_nothing() {
    each_backend_with(false, &RegistrationPolicy::default(), |env| {
        env.registry
            .participants()
            .create_participant(
                &env.admin,
                &participant_with(vec![capability(LEGACY, LEGACY_PROCESS)]),
            )
            .unwrap();
    });
}
