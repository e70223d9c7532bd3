//! Who serves a participant now: its current SMP's published endpoint, best effort.

use peppol_id::ParticipantId;
use smp_client::{FetchPolicy, SmpClient, certificate_common_name};

use super::CurrentAccessPoint;

/// Reads the first endpoint the participant publishes at `smp_url` (through `smp-client`,
/// under `policy`) and returns it with the seat id from its certificate (CN). Any failure
/// gives None, logged: this is information for the operator, not a condition of the
/// migration.
pub(crate) fn current_ap(
    smp_url: &str,
    participant: &ParticipantId,
    policy: &FetchPolicy,
) -> Option<CurrentAccessPoint> {
    let endpoint =
        SmpClient::new(policy, None).and_then(|client| client.first_endpoint(smp_url, participant));
    match endpoint {
        Ok(Some(endpoint)) => Some(CurrentAccessPoint {
            seat_id: certificate_common_name(&endpoint.certificate),
            endpoint_url: endpoint.address,
        }),
        Ok(None) => None,
        Err(e) => {
            tracing::info!(
                participant = %participant,
                smp_url,
                code = e.code(),
                "current access point not read: {e}"
            );
            None
        }
    }
}
