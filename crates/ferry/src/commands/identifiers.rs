//! `ferry identifiers migrate-scheme`: move every participant from one ICD to another
//! (e.g. 9956 → 0208) against the configured database. SML registrations and deletions are
//! queued as jobs, which the running `ferry serve` works off.

use party_config::{SchemeMigrationReport, SchemeMigrationRequest};

use crate::cli::{IdentifiersCommand, MigrateSchemeArgs};
use crate::error::CliError;
use ferry_config::Config;

const DAY_MS: i64 = 86_400_000;

pub(crate) fn run(
    config: &Config,
    command: IdentifiersCommand,
    json: bool,
) -> Result<(), CliError> {
    let domain = super::open_domain(config, &super::offline_public_url(config))?;
    let actor = domain.core().users().unchecked_local_admin()?;
    match command {
        IdentifiersCommand::MigrateScheme(args) => {
            if args.report {
                let report = domain
                    .scheme_migration()
                    .scheme_migration_report(&actor, &args.from, &args.to)?;
                return print(json, &report, || print_report(&report));
            }
            let days = args
                .overlap_days
                .unwrap_or(config.identifiers.scheme_overlap_days);
            let run = domain
                .scheme_migration()
                .migrate_scheme(&actor, &request(&args, days))?;
            print(json, &run, || {
                let verb = if run.dry_run { "would be" } else { "were" };
                println!(
                    "{} participant(s) {verb} registered under {}; {} old identifier(s) {verb} removed; {} in overlap ({days} day(s)); {} rejected",
                    run.registered,
                    args.to,
                    run.old_removed,
                    run.in_overlap,
                    run.rejected.len()
                );
                for r in &run.rejected {
                    println!("rejected\t{}\t{}\t{}", r.participant, r.code, r.message);
                }
            })
        }
    }
}

fn request(args: &MigrateSchemeArgs, overlap_days: u32) -> SchemeMigrationRequest {
    SchemeMigrationRequest {
        from_icd: args.from.clone(),
        to_icd: args.to.clone(),
        overlap_ms: i64::from(overlap_days).saturating_mul(DAY_MS),
        dry_run: args.dry_run,
    }
}

fn print_report(r: &SchemeMigrationReport) {
    let done = |ok: bool| if ok { "done" } else { "open" };
    println!(
        "scheme migration {} -> {} (started {})",
        r.from_icd,
        r.to_icd,
        r.started_at.as_deref().unwrap_or("-")
    );
    println!(
        "1. no new registrations under {}: {} ({} since the start)",
        r.from_icd,
        done(r.no_new_under_old()),
        r.new_under_old_since_start
    );
    println!(
        "2. migrated: {:.1}% ({} of {}; {} not migrated)",
        r.migrated_percent,
        r.migrated,
        r.migrated + r.not_migrated,
        r.not_migrated
    );
    println!(
        "3. {} gone: {} ({} remaining, {} removed)",
        r.from_icd,
        done(r.old_scheme_gone()),
        r.old_remaining,
        r.old_removed
    );
}

fn print<T: serde::Serialize>(json: bool, value: &T, text: impl FnOnce()) -> Result<(), CliError> {
    if json {
        let out = serde_json::to_string_pretty(value)
            .map_err(|e| CliError::Startup(format!("json output: {e}")))?;
        println!("{out}");
    } else {
        text();
    }
    Ok(())
}
