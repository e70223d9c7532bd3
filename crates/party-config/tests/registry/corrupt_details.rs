//! Corrupt stored migration data is an error everywhere, never a default: a retry of a
//! migration whose details cannot be read must not re-stage its participant without the
//! capabilities it was meant to arrive with.

use peppol_id::ParticipantId;
use smp_store::{MigrationRow, migrations};

use crate::support::each_backend_with_sml;

const PARTICIPANT: &str = "iso6523-actorid-upis::0208:0123456749";

fn failed_inbound(id: &str, status: &str, details: &str) -> MigrationRow {
    let pid = ParticipantId::parse(PARTICIPANT).unwrap();
    MigrationRow {
        id: id.into(),
        direction: "inbound".into(),
        participant_key: pid.key(),
        participant: PARTICIPANT.into(),
        status: status.into(),
        migration_key: Some("11AAbb$$".into()),
        auto_register: true,
        bulk_id: None,
        attempts: 1,
        next_check_at: 0,
        cleanup_at: None,
        error_code: Some("sml.err_111".into()),
        error_message: Some("no migration record".into()),
        details: details.into(),
        created_at: 1,
        updated_at: 1,
    }
}

#[test]
fn corrupt_details_fail_the_retry_and_stage_nothing() {
    each_backend_with_sml(|env| {
        let row = failed_inbound("mig_corrupt", "failed", r#"{"createdBy": "admin", "capab"#);
        env.registry
            .core()
            .store()
            .write(|conn| migrations::insert(conn, &row))
            .unwrap();
        let migrations = env.registry.migrations();

        let shown = migrations.migration(&env.admin, "mig_corrupt").unwrap_err();
        assert_eq!(shown.code(), "internal.corrupt", "{shown}");

        let retried = migrations
            .retry_migration(&env.admin, "mig_corrupt")
            .unwrap_err();
        assert_eq!(retried.code(), "internal.corrupt", "{retried}");
        let pid = ParticipantId::parse(PARTICIPANT).unwrap();
        let staged = env
            .registry
            .core()
            .participants()
            .participant(&env.admin, &pid);
        assert_eq!(
            staged.map(|_| ()).unwrap_err().code(),
            "participant.not_found",
            "nothing may be staged from unreadable details"
        );
        let still = env
            .registry
            .core()
            .store()
            .read(|conn| migrations::get(conn, "mig_corrupt"))
            .unwrap()
            .unwrap();
        assert_eq!(still.status, "failed", "the row is left as it was");
    });
}

#[test]
fn an_unknown_stored_status_is_corrupt_not_ignored() {
    each_backend_with_sml(|env| {
        let row = failed_inbound("mig_odd", "half-done", r#"{"createdBy": "admin"}"#);
        env.registry
            .core()
            .store()
            .write(|conn| migrations::insert(conn, &row))
            .unwrap();
        let migrations = env.registry.migrations();
        let err = migrations.migration(&env.admin, "mig_odd").unwrap_err();
        assert_eq!(err.code(), "internal.corrupt", "{err}");
        let err = migrations
            .check_migration(&env.admin, "mig_odd")
            .unwrap_err();
        assert_eq!(err.code(), "internal.corrupt", "{err}");
    });
}
