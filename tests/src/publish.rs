use crate::{
    ferry_process::{ADMIN_TOKEN, FerryProcess},
    fixtures::{
        DOCTYPE, PARTICIPANT, ap_cert_b64, metadata_path, participant_path, phoss_service_group,
        phoss_service_metadata,
    },
};

/// PUTs the phoss ServiceGroup and ServiceMetadata samples (with the valid AP certificate) as
/// the admin and asserts both answer 200. Panics when the spec files are missing.
pub fn publish_phoss_sample(ferry: &FerryProcess) {
    let group = phoss_service_group();
    let metadata = phoss_service_metadata(&ap_cert_b64());
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
}
