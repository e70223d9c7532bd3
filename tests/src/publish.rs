use crate::{
    ferry_process::{ADMIN_TOKEN, FerryProcess},
    fixtures::{
        DOCTYPE, PARTICIPANT, ap_cert_b64, metadata_path, participant_path, phoss_service_group,
        phoss_service_metadata,
    },
};

/// PUTs the phoss ServiceGroup and ServiceMetadata samples (with the valid AP certificate) as
/// the admin and asserts both answer 200. Returns false when the spec dir is missing and
/// skipping is allowed: the caller then returns early.
pub fn publish_phoss_sample(ferry: &FerryProcess) -> bool {
    let (Some(group), Some(metadata)) = (
        phoss_service_group(),
        phoss_service_metadata(&ap_cert_b64()),
    ) else {
        return false;
    };
    ferry
        .put_xml(&participant_path(PARTICIPANT), group, Some(ADMIN_TOKEN))
        .assert_status(200);
    ferry
        .put_xml(
            &metadata_path(PARTICIPANT, DOCTYPE),
            metadata,
            Some(ADMIN_TOKEN),
        )
        .assert_status(200);
    true
}
