//! `ferry participants add|list|show|rm`: local administration against the configured database.

use peppol_id::ParticipantId;
use smp_core::{CapabilitySpec, ListParams, NewParticipant};

use crate::cli::{AddArgs, ParticipantsCommand};
use crate::error::CliError;
use ferry_config::Config;

pub(crate) fn run(
    config: &Config,
    command: ParticipantsCommand,
    json: bool,
) -> Result<(), CliError> {
    let domain = super::open_domain(config, &super::offline_public_url(config))?;
    let actor = domain.core().users().unchecked_local_admin()?;
    match command {
        ParticipantsCommand::Add(args) => {
            let view = domain
                .core()
                .participants()
                .create_participant(&actor, &new_participant(args))?;
            if json {
                print_json(&view)?;
            } else {
                println!(
                    "added {} ({} capabilities)",
                    view.participant,
                    view.capabilities.len()
                );
            }
        }
        ParticipantsCommand::List {
            search,
            offset,
            limit,
        } => {
            let page = domain.core().participants().list_participants(
                &actor,
                &ListParams {
                    search,
                    offset: Some(offset),
                    limit: Some(limit),
                },
            )?;
            if json {
                print_json(&page)?;
            } else {
                for p in &page.items {
                    println!(
                        "{}\t{}\t{}",
                        p.participant,
                        p.owner.as_deref().unwrap_or("-"),
                        p.updated_at
                    );
                }
                println!("{} of {} participants", page.items.len(), page.total);
            }
        }
        ParticipantsCommand::Show { participant } => {
            let view = domain
                .core()
                .participants()
                .participant(&actor, &ParticipantId::parse(&participant)?)?;
            if json {
                print_json(&view)?;
            } else {
                println!(
                    "participant: {}\nowner: {}\ncreated: {}\nupdated: {}\nbusiness card: {}",
                    view.participant,
                    view.owner.as_deref().unwrap_or("-"),
                    view.created_at,
                    view.updated_at,
                    if view.has_business_card { "yes" } else { "no" }
                );
                for c in &view.capabilities {
                    println!(
                        "- {}\n  process: {}\n  endpoint: {} ({})",
                        c.document_type, c.process, c.endpoint.url, c.endpoint.transport_profile
                    );
                }
                for r in &view.redirects {
                    println!("- {} -> redirect {}", r.document_type, r.href);
                }
            }
        }
        ParticipantsCommand::Rm { participant } => {
            let pid = ParticipantId::parse(&participant)?;
            domain
                .core()
                .participants()
                .delete_participant(&actor, &pid)?;
            if json {
                print_json(&serde_json::json!({"deleted": pid.to_string()}))?;
            } else {
                println!("deleted {pid}");
            }
        }
    }
    Ok(())
}

fn new_participant(args: AddArgs) -> NewParticipant {
    let capabilities = match (args.document_type, args.process) {
        (Some(document_type), Some(process)) => vec![CapabilitySpec {
            document_type,
            process,
            endpoint: None,
            endpoint_profile: args.endpoint_profile,
        }],
        _ => Vec::new(),
    };
    NewParticipant {
        participant: args.participant,
        capabilities,
        owner: args.owner,
        create_in_sml: Some(!args.no_sml),
    }
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| CliError::Startup(e.to_string()))?;
    println!("{text}");
    Ok(())
}
