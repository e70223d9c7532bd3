use peppol_id::ParticipantId;
use smp_core::ListParams;
use smp_xml::ServiceGroup;

use crate::publication::with_endpoint;
use crate::support::{PARTICIPANT, each_backend};

#[test]
fn users_change_only_their_own_participants() {
    each_backend(|env| {
        let r = &env.registry;
        let alice = env.user("alice");
        let bob = env.user("bob");
        r.participants()
            .create_participant(
                &alice,
                &with_endpoint(PARTICIPANT, "https://ap.example.org/as4"),
            )
            .unwrap();
        let pid = ParticipantId::parse(PARTICIPANT).unwrap();

        assert_eq!(
            r.participants()
                .delete_participant(&bob, &pid)
                .unwrap_err()
                .code(),
            "auth.forbidden"
        );
        let group = ServiceGroup {
            participant: pid.clone(),
            references: vec![],
            extension: None,
        };
        assert_eq!(
            r.participants()
                .put_service_group(&bob, &pid, &group, true)
                .unwrap_err()
                .code(),
            "auth.forbidden"
        );
        assert_eq!(
            r.participants()
                .list_participants(&bob, &ListParams::default())
                .unwrap()
                .total,
            0
        );
        assert_eq!(
            r.participants()
                .list_participants(&alice, &ListParams::default())
                .unwrap()
                .total,
            1
        );
        assert_eq!(
            r.participants()
                .list_participants(&env.admin, &ListParams::default())
                .unwrap()
                .total,
            1
        );

        // the admin may change everything
        assert!(
            !r.participants()
                .put_service_group(&env.admin, &pid, &group, true)
                .unwrap()
        );
        r.participants()
            .delete_participant(&env.admin, &pid)
            .unwrap();
    });
}

#[test]
fn only_admins_manage_users_and_tokens() {
    each_backend(|env| {
        let r = &env.registry;
        let alice = env.user("alice");
        assert_eq!(
            r.users().list_users(&alice).unwrap_err().code(),
            "auth.admin_required"
        );
        let token = r
            .users()
            .create_token(
                &env.admin,
                "alice",
                &smp_core::NewToken { name: "ci".into() },
            )
            .unwrap();
        let who = r.users().authenticate_bearer(&token.token).unwrap();
        assert_eq!(who.username(), "alice");
        r.users()
            .delete_token(&env.admin, "alice", token.id)
            .unwrap();
        assert_eq!(
            r.users()
                .authenticate_bearer(&token.token)
                .unwrap_err()
                .code(),
            "auth.invalid"
        );
        assert_eq!(
            r.users()
                .authenticate_basic("alice", "wrong-password")
                .unwrap_err()
                .code(),
            "auth.invalid"
        );
    });
}

#[test]
fn bootstrap_token_is_replaced_when_it_changes() {
    each_backend(|env| {
        let r = &env.registry;
        r.users().bootstrap_admin(Some("first-token")).unwrap();
        assert!(
            r.users()
                .authenticate_bearer("first-token")
                .unwrap()
                .is_admin()
        );
        r.users().bootstrap_admin(Some("second-token")).unwrap();
        assert!(r.users().authenticate_bearer("first-token").is_err());
        assert!(r.users().authenticate_bearer("second-token").is_ok());
    });
}

/// The configured token is the whole truth: starting without one (unset or empty) removes the
/// token a previous start installed, e.g. the public development default.
#[test]
fn bootstrap_token_is_removed_when_it_is_disabled() {
    each_backend(|env| {
        let r = &env.registry;
        for disabled in [None, Some(""), Some("   ")] {
            r.users().bootstrap_admin(Some("first-token")).unwrap();
            assert!(r.users().authenticate_bearer("first-token").is_ok());
            r.users().bootstrap_admin(disabled).unwrap();
            assert_eq!(
                r.users()
                    .authenticate_bearer("first-token")
                    .unwrap_err()
                    .code(),
                "auth.invalid",
                "bootstrap_admin({disabled:?}) left the old token valid"
            );
        }
    });
}

/// CLI commands act as the local administrator; they must not touch the token of a server
/// that runs on the same database.
#[test]
fn the_local_admin_leaves_the_bootstrap_token_alone() {
    each_backend(|env| {
        let r = &env.registry;
        r.users().bootstrap_admin(Some("server-token")).unwrap();
        let admin = r.users().unchecked_local_admin().unwrap();
        assert!(admin.is_admin());
        assert!(
            r.users()
                .authenticate_bearer("server-token")
                .unwrap()
                .is_admin()
        );
    });
}

#[test]
fn search_finds_participants_by_any_part_of_their_identifier() {
    each_backend(|env| {
        let r = &env.registry;
        r.participants()
            .create_participant(
                &env.admin,
                &with_endpoint(PARTICIPANT, "https://ap.example.org/as4"),
            )
            .unwrap();
        for (search, expected) in [("0208", 1), ("0123456", 1), ("ISO6523", 1), ("9999", 0)] {
            let params = ListParams {
                search: Some(search.into()),
                ..ListParams::default()
            };
            assert_eq!(
                r.participants()
                    .list_participants(&env.admin, &params)
                    .unwrap()
                    .total,
                expected,
                "search {search}"
            );
        }
    });
}
