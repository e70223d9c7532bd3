//! `ferry migrate …`: participant migrations against the configured database and SML.
//!
//! The commands record and step migrations themselves; the SML registrations that watched
//! migrations end in are carried out by the running `ferry serve` (its SML worker), as for
//! `ferry participants add`. In `emulator` mode the SML is the one inside `ferry serve`.

use std::io::IsTerminal as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use party_config::{
    Actor, BadRow, BulkCsv, BulkView, DomainError, Handover, MigrationFilter, MigrationStatus,
    MigrationView, NewInboundMigration, parse_bulk_csv,
};
use peppol_id::ParticipantId;
use serde::Serialize;
use smp_core::{CapabilitySpec, SmlRegistry};

use crate::cli::{MigrateBulkArgs, MigrateCommand, MigrateStatusArgs, MigrationCapabilityArgs};
use crate::error::CliError;
use ferry_config::Config;

/// Due migrations one pass of `bulk` steps (as many as the server's worker would).
const STEP_LIMIT: usize = 500;
/// How often `bulk` steps and redraws while waiting.
const POLL: Duration = Duration::from_millis(200);

pub(crate) fn run(config: &Config, command: MigrateCommand, json: bool) -> Result<(), CliError> {
    // Reading migrations (and a stored key) needs neither the SML nor its certificates.
    if let MigrateCommand::Status(_) | MigrateCommand::RevealKey { .. } = &command {
        let domain = super::open_domain(config, &super::offline_public_url(config))?;
        let actor = domain.core().users().unchecked_local_admin()?;
        return match &command {
            MigrateCommand::Status(args) => status(&domain, &actor, args, json),
            MigrateCommand::RevealKey { id } => {
                let key = domain.migrations().reveal_key(&actor, id)?;
                if json {
                    print_json(&key)
                } else {
                    println!("migration: {}", key.migration_id);
                    println!("participant: {}", key.participant);
                    println!("key: {}", key.migration_key);
                    Ok(())
                }
            }
            _ => Ok(()),
        };
    }
    // Watching (also in retries and bulk requests) asks the SML's DNS who holds a participant.
    let sml: Arc<dyn SmlRegistry> = match &command {
        MigrateCommand::Watch(_) | MigrateCommand::Retry { .. } | MigrateCommand::Bulk(_) => {
            super::sml_setup::connect_with_dns(config)?
        }
        _ => super::sml_setup::connect(config)?,
    };
    let domain = super::open_domain_with(config, &super::offline_public_url(config), Some(sml))?;
    let actor = domain.core().users().unchecked_local_admin()?;
    match command {
        MigrateCommand::Out { participant } => {
            let view = domain
                .migrations()
                .prepare_outbound(&actor, &ParticipantId::parse(&participant)?)?;
            show(&view, json)
        }
        MigrateCommand::In(args) => {
            let request = NewInboundMigration {
                participant: args.participant,
                migration_key: Some(args.key),
                capabilities: capabilities(args.capability),
                auto_register: None,
                business_card: None,
            };
            finished(domain.migrations().create_inbound(&actor, &request)?, json)
        }
        MigrateCommand::Watch(args) => {
            let request = NewInboundMigration {
                participant: args.participant,
                migration_key: None,
                capabilities: capabilities(args.capability),
                auto_register: Some(!args.no_auto_register),
                business_card: None,
            };
            finished(domain.migrations().create_inbound(&actor, &request)?, json)
        }
        MigrateCommand::Cancel { id } => {
            show(&domain.migrations().cancel_migration(&actor, &id)?, json)
        }
        MigrateCommand::Retry { id } => {
            finished(domain.migrations().retry_migration(&actor, &id)?, json)
        }
        MigrateCommand::Bulk(args) => bulk(&domain, &actor, args, json),
        // Answered above, without the SML.
        MigrateCommand::Status(_) | MigrateCommand::RevealKey { .. } => Ok(()),
    }
}

fn capabilities(args: MigrationCapabilityArgs) -> Vec<CapabilitySpec> {
    match (args.document_type, args.process, args.endpoint_profile) {
        (Some(document_type), Some(process), Some(profile)) => vec![CapabilitySpec {
            document_type,
            process,
            endpoint: None,
            endpoint_profile: Some(profile),
        }],
        _ => Vec::new(),
    }
}

/// Shows a migration and turns `failed` into exit code 1 with its code.
fn finished(view: MigrationView, json: bool) -> Result<(), CliError> {
    show(&view, json)?;
    if view.status == MigrationStatus::Failed {
        return Err(CliError::MigrationFailed {
            id: view.id,
            code: view.error_code.unwrap_or_else(|| "sml.error".into()),
            message: view.error_message.unwrap_or_default(),
        });
    }
    Ok(())
}

fn status(
    domain: &Handover,
    actor: &Actor,
    args: &MigrateStatusArgs,
    json: bool,
) -> Result<(), CliError> {
    if let Some(id) = &args.id {
        return show(&domain.migrations().migration(actor, id)?, json);
    }
    let page = domain.migrations().list_migrations(
        actor,
        &MigrationFilter {
            status: args.status,
            direction: args.direction,
            limit: Some(args.limit),
            ..MigrationFilter::default()
        },
    )?;
    if json {
        return print_json(&page);
    }
    println!("ID\tDIRECTION\tSTATUS\tPARTICIPANT\tUPDATED\tERROR");
    for m in &page.items {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            m.id,
            m.direction,
            m.status,
            m.participant,
            m.updated_at,
            m.error_code.as_deref().unwrap_or("-")
        );
    }
    println!("{} of {} migrations", page.items.len(), page.total);
    Ok(())
}

fn show(view: &MigrationView, json: bool) -> Result<(), CliError> {
    if json {
        return print_json(view);
    }
    println!("migration: {}", view.id);
    println!("participant: {}", view.participant);
    println!("direction: {}", view.direction);
    println!("status: {}", view.status);
    if let Some(key) = &view.migration_key {
        println!("key: {key}");
    }
    // Only a watch that is still waiting acts on it.
    if view.status == MigrationStatus::PendingDeregistration {
        println!(
            "auto-register: {}",
            if view.auto_register { "yes" } else { "no" }
        );
    }
    if let Some(smp) = &view.current_smp {
        println!("current SMP: {smp}");
    }
    if let Some(ap) = &view.current_ap {
        println!(
            "current access point: {} ({})",
            ap.endpoint_url,
            ap.seat_id.as_deref().unwrap_or("seat unknown")
        );
    }
    if let Some(code) = &view.error_code {
        println!(
            "error: {} [{code}]",
            view.error_message.as_deref().unwrap_or("")
        );
    }
    if let Some(bulk) = &view.bulk_id {
        println!("bulk: {bulk}");
    }
    println!("created: {}\nupdated: {}", view.created_at, view.updated_at);
    println!("history:");
    for h in &view.history {
        match &h.note {
            Some(note) => println!("  {}  {}  ({note})", h.at, h.status),
            None => println!("  {}  {}", h.at, h.status),
        }
    }
    if !view.next_steps.is_empty() {
        println!("next steps:");
        for step in &view.next_steps {
            println!("  - {step}");
        }
    }
    Ok(())
}

/// A failed migration of a bulk request, for the summary.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct FailedItem {
    participant: String,
    migration_id: String,
    error_code: Option<String>,
    error_message: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct BulkSummary<'a> {
    bulk: &'a BulkView,
    failed: &'a [FailedItem],
    bad_rows: &'a [BadRow],
}

fn bulk(
    domain: &Handover,
    actor: &Actor,
    args: MigrateBulkArgs,
    json: bool,
) -> Result<(), CliError> {
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| CliError::Startup(format!("{}: {e}", args.file.display())))?;
    let source = args.file.display().to_string();
    let BulkCsv { items, bad_rows } =
        parse_bulk_csv(&text, &source, &capabilities(args.capability))?;
    if items.is_empty() {
        print_bad_rows(&bad_rows, &args.file);
        return Err(DomainError::invalid(&source, "no usable rows").into());
    }
    let created = domain.migrations().create_bulk(actor, &items)?;
    let rejected = created.rejected.clone();
    let view = if args.no_wait {
        created
    } else {
        let show_bar = !json && std::io::stdout().is_terminal();
        let mut done = wait(domain, actor, &created, show_bar)?;
        done.rejected = rejected;
        done
    };
    let failed = if view.failed > 0 {
        failed_items(domain, actor, &view.id)?
    } else {
        Vec::new()
    };
    if json {
        print_json(&BulkSummary {
            bulk: &view,
            failed: &failed,
            bad_rows: &bad_rows,
        })?;
    } else {
        print_summary(&view, &failed, &bad_rows, &args.file, args.no_wait);
    }
    if view.failed > 0 {
        return Err(CliError::BulkFailed {
            bulk_id: view.id,
            failed: view.failed,
            total: view.total,
        });
    }
    Ok(())
}

/// Steps due migrations and follows the bulk request until none of it is in progress.
fn wait(
    domain: &Handover,
    actor: &Actor,
    created: &BulkView,
    show_bar: bool,
) -> Result<BulkView, CliError> {
    let len = u64::try_from(created.total).unwrap_or(0);
    let bar = if show_bar {
        ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stdout())
    } else {
        ProgressBar::hidden()
    };
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} done  {msg}  [{elapsed}]")
    {
        bar.set_style(style);
    }
    let result = loop {
        if let Err(e) = domain.migrations().run_migrations(STEP_LIMIT) {
            break Err(e.into());
        }
        let view = match domain.migrations().bulk(actor, &created.id) {
            Ok(view) => view,
            Err(e) => break Err(e.into()),
        };
        bar.set_position(u64::try_from(view.completed + view.failed).unwrap_or(0));
        bar.set_message(format!(
            "{} in progress, {} failed",
            view.in_progress, view.failed
        ));
        if view.in_progress <= 0 {
            break Ok(view);
        }
        std::thread::sleep(POLL);
    };
    bar.finish_and_clear();
    result
}

fn failed_items(
    domain: &Handover,
    actor: &Actor,
    bulk_id: &str,
) -> Result<Vec<FailedItem>, CliError> {
    let mut items = Vec::new();
    loop {
        let page = domain.migrations().list_migrations(
            actor,
            &MigrationFilter {
                status: Some(MigrationStatus::Failed),
                bulk_id: Some(bulk_id.to_owned()),
                offset: Some(i64::try_from(items.len()).unwrap_or(i64::MAX)),
                limit: Some(1000),
                ..MigrationFilter::default()
            },
        )?;
        let got = page.items.len();
        items.extend(page.items.into_iter().map(|m| FailedItem {
            participant: m.participant,
            migration_id: m.id,
            error_code: m.error_code,
            error_message: m.error_message,
        }));
        if got == 0 || i64::try_from(items.len()).unwrap_or(i64::MAX) >= page.total {
            return Ok(items);
        }
    }
}

fn print_summary(
    view: &BulkView,
    failed: &[FailedItem],
    bad_rows: &[BadRow],
    file: &Path,
    no_wait: bool,
) {
    println!(
        "bulk {}: {} total, {} completed, {} failed, {} cancelled, {} in progress",
        view.id, view.total, view.completed, view.failed, view.cancelled, view.in_progress
    );
    if no_wait && view.in_progress > 0 {
        println!(
            "follow it with `ferry migrate status` (the running `ferry serve` carries the migrations out)"
        );
    }
    if !failed.is_empty() {
        println!("failed:");
        for f in failed {
            println!(
                "  {}  {}  [{}] {}",
                f.participant,
                f.migration_id,
                f.error_code.as_deref().unwrap_or("-"),
                f.error_message.as_deref().unwrap_or("")
            );
        }
    }
    if !view.rejected.is_empty() {
        println!("rejected (not started):");
        for r in &view.rejected {
            println!("  {}  [{}] {}", r.participant, r.code, r.message);
        }
    }
    print_bad_rows(bad_rows, file);
}

/// The rows of an import file that were skipped, by line.
pub(crate) fn print_bad_rows(bad_rows: &[BadRow], file: &Path) {
    if !bad_rows.is_empty() {
        println!("skipped rows of {}:", file.display());
        for b in bad_rows {
            println!("  line {}: {}", b.line, b.reason);
        }
    }
}

fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| CliError::Startup(e.to_string()))?;
    println!("{text}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_capability_needs_all_three_flags() {
        let all = MigrationCapabilityArgs {
            endpoint_profile: Some("ap".into()),
            document_type: Some("d::1".into()),
            process: Some("p::1".into()),
        };
        let caps = capabilities(all);
        assert_eq!(caps.len(), 1);
        assert_eq!(caps[0].endpoint_profile.as_deref(), Some("ap"));
        assert!(caps[0].endpoint.is_none());
        let none = MigrationCapabilityArgs {
            endpoint_profile: None,
            document_type: None,
            process: None,
        };
        assert!(capabilities(none).is_empty());
    }
}
