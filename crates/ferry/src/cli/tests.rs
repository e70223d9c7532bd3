use super::*;
use clap::CommandFactory;

#[test]
fn definition_is_consistent() {
    Cli::command().debug_assert();
}

#[test]
fn parses_each_subcommand() {
    let parse = |args: &[&str]| Cli::try_parse_from(args).map(|c| c.command);
    assert!(matches!(parse(&["ferry", "serve"]), Ok(Command::Serve)));
    assert!(matches!(
        parse(&["ferry", "--json", "participants", "list"]),
        Ok(Command::Participants(ParticipantsCommand::List { .. }))
    ));
    assert!(matches!(
        parse(&["ferry", "participants", "show", "x::y"]),
        Ok(Command::Participants(ParticipantsCommand::Show { .. }))
    ));
    assert!(matches!(
        parse(&["ferry", "participants", "rm", "x::y"]),
        Ok(Command::Participants(ParticipantsCommand::Rm { .. }))
    ));
    assert!(parse(&["ferry", "participants", "add", "p", "--document-type", "d"]).is_err());
    assert!(parse(&["ferry", "--config", "x.toml", "serve"]).is_ok());
    assert!(matches!(
        parse(&["ferry", "sml", "reconcile", "--repair"]),
        Ok(Command::Sml(SmlCommand::Reconcile { repair: true }))
    ));
    assert!(matches!(
        parse(&["ferry", "sml", "show-smp"]),
        Ok(Command::Sml(SmlCommand::ShowSmp))
    ));
    assert!(matches!(
        parse(&["ferry", "lookup", "p", "d", "--dns-server", "127.0.0.1:53"]),
        Ok(Command::Lookup(_))
    ));
}

#[test]
fn lookup_defaults_the_participant_and_document_type_schemes() {
    let lookup = |args: &[&str]| match Cli::try_parse_from(args).map(|c| c.command) {
        Ok(Command::Lookup(args)) => args,
        other => panic!("not a lookup: {other:?}"),
    };
    let bare = lookup(&["ferry", "lookup", "0208:0677424046"]);
    assert_eq!(bare.participant, "iso6523-actorid-upis::0208:0677424046");
    assert_eq!(bare.document_type, None);
    let full = lookup(&["ferry", "lookup", "iso6523-actorid-upis::0208:0677424046"]);
    assert_eq!(full.participant, "iso6523-actorid-upis::0208:0677424046");
    let doc = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1";
    let with_doc = lookup(&["ferry", "lookup", "0208:0677424046", doc]);
    assert_eq!(
        with_doc.document_type.as_deref(),
        Some(format!("busdox-docid-qns::{doc}").as_str())
    );
    let scheme_given = format!("busdox-docid-qns::{doc}");
    let explicit = lookup(&["ferry", "lookup", "0208:0677424046", &scheme_given]);
    assert_eq!(explicit.document_type, Some(scheme_given));
}

#[test]
fn parses_migrate_subcommands() {
    let parse = |args: &[&str]| Cli::try_parse_from(args).map(|c| c.command);
    assert!(matches!(
        parse(&["ferry", "migrate", "out", "x::y"]),
        Ok(Command::Migrate(MigrateCommand::Out { participant })) if participant == "x::y"
    ));
    let Ok(Command::Migrate(MigrateCommand::In(args))) = parse(&[
        "ferry",
        "migrate",
        "in",
        "x::y",
        "--key",
        "K",
        "--endpoint-profile",
        "ap",
        "--document-type",
        "d::1",
        "--process",
        "p::1",
    ]) else {
        panic!("migrate in with a capability");
    };
    assert_eq!(args.key, "K");
    assert_eq!(args.capability.endpoint_profile.as_deref(), Some("ap"));
    // The key is required, and a capability is all three flags or none.
    assert!(parse(&["ferry", "migrate", "in", "x::y"]).is_err());
    assert!(
        parse(&[
            "ferry",
            "migrate",
            "in",
            "x::y",
            "--key",
            "K",
            "--document-type",
            "d"
        ])
        .is_err()
    );
    assert!(matches!(
        parse(&["ferry", "migrate", "watch", "x::y", "--no-auto-register"]),
        Ok(Command::Migrate(MigrateCommand::Watch(MigrateWatchArgs {
            no_auto_register: true,
            ..
        })))
    ));
    assert!(matches!(
        parse(&["ferry", "migrate", "status"]),
        Ok(Command::Migrate(MigrateCommand::Status(
            MigrateStatusArgs {
                id: None,
                limit: 50,
                ..
            }
        )))
    ));
    assert!(matches!(
        parse(&[
            "ferry",
            "migrate",
            "status",
            "--status",
            "failed",
            "--direction",
            "inbound"
        ]),
        Ok(Command::Migrate(MigrateCommand::Status(
            MigrateStatusArgs {
                status: Some(_),
                direction: Some(_),
                ..
            }
        )))
    ));
    assert!(parse(&["ferry", "migrate", "status", "--status", "bogus"]).is_err());
    assert!(parse(&["ferry", "migrate", "status", "--direction", "sideways"]).is_err());
    assert!(parse(&["ferry", "migrate", "status", "mig_x", "--status", "failed"]).is_err());
    assert!(matches!(
        parse(&["ferry", "migrate", "cancel", "mig_x"]),
        Ok(Command::Migrate(MigrateCommand::Cancel { id })) if id == "mig_x"
    ));
    assert!(matches!(
        parse(&["ferry", "migrate", "retry", "mig_x"]),
        Ok(Command::Migrate(MigrateCommand::Retry { id })) if id == "mig_x"
    ));
    assert!(matches!(
        parse(&["ferry", "migrate", "reveal-key", "mig_x"]),
        Ok(Command::Migrate(MigrateCommand::RevealKey { id })) if id == "mig_x"
    ));
    assert!(matches!(
        parse(&["ferry", "--json", "migrate", "bulk", "f.csv", "--no-wait"]),
        Ok(Command::Migrate(MigrateCommand::Bulk(MigrateBulkArgs {
            no_wait: true,
            ..
        })))
    ));
    assert!(parse(&["ferry", "migrate", "bulk"]).is_err());
}
