use peppol_id::ParticipantId;
use smp_core::{CapabilitySpec, ListParams, service_group_key};
use smp_xml::ServiceGroup;

use crate::publication::with_endpoint;
use crate::support::{DOCTYPE, PARTICIPANT, PROCESS, each_backend};

#[test]
fn a_failing_capability_leaves_nothing_behind() {
    each_backend(|env| {
        let r = &env.registry;
        let mut request = with_endpoint(PARTICIPANT, "https://ap.example.org/as4");
        request.capabilities.push(CapabilitySpec {
            document_type: DOCTYPE.into(),
            process: PROCESS.into(),
            endpoint: None,
            endpoint_profile: Some("does-not-exist".into()),
        });
        assert_eq!(
            r.participants()
                .create_participant(&env.admin, &request)
                .unwrap_err()
                .code(),
            "profile.not_found"
        );
        let pid = ParticipantId::parse(PARTICIPANT).unwrap();
        assert!(
            r.documents()
                .load(&service_group_key(&pid))
                .unwrap()
                .is_none()
        );
        assert_eq!(
            r.participants()
                .list_participants(&env.admin, &ListParams::default())
                .unwrap()
                .total,
            0
        );
        assert!(
            r.participants()
                .audit_log(&env.admin, None, 0, 100)
                .unwrap()
                .iter()
                .all(|a| a.action != "participant.create")
        );
    });
}

#[test]
fn a_body_for_another_participant_is_refused() {
    each_backend(|env| {
        let r = &env.registry;
        let url = ParticipantId::parse(PARTICIPANT).unwrap();
        let other = ParticipantId::parse("iso6523-actorid-upis::0088:5798000000001").unwrap();
        let group = ServiceGroup {
            participant: other,
            references: vec![],
            extension: None,
        };
        assert_eq!(
            r.participants()
                .put_service_group(&env.admin, &url, &group, true)
                .unwrap_err()
                .code(),
            "participant.mismatch"
        );
        assert!(
            r.documents()
                .load(&service_group_key(&url))
                .unwrap()
                .is_none()
        );
    });
}

#[test]
fn every_change_is_audited() {
    each_backend(|env| {
        let r = &env.registry;
        r.participants()
            .create_participant(
                &env.admin,
                &with_endpoint(PARTICIPANT, "https://ap.example.org/as4"),
            )
            .unwrap();
        r.participants()
            .delete_participant(&env.admin, &ParticipantId::parse(PARTICIPANT).unwrap())
            .unwrap();
        let actions: Vec<String> = r
            .participants()
            .audit_log(&env.admin, None, 0, 10)
            .unwrap()
            .into_iter()
            .map(|a| a.action)
            .collect();
        assert_eq!(
            actions[..2],
            [
                "participant.delete".to_owned(),
                "participant.create".to_owned()
            ]
        );
    });
}
