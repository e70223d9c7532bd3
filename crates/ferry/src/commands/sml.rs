//! `ferry sml …`: this SMP's entry at the SML, certificate rollover, reconciliation.

use sml_client::SmpEntry;

use crate::cli::{SmlCommand, SmpEntryArgs};
use crate::error::CliError;
use ferry_config::Config;

pub(crate) fn run(config: &Config, command: SmlCommand, json: bool) -> Result<(), CliError> {
    let sml = super::sml_setup::connect(config)?;
    let client = sml.client();
    let fail = |e: sml_client::SmlError| CliError::Sml(super::sml_setup::describe(&e), e.code());
    match command {
        SmlCommand::RegisterSmp(args) => {
            let entry = entry(config, &args);
            client.create_smp(&entry).map_err(fail)?;
            print(
                json,
                &entry_json(&entry),
                &format!("registered SMP {} at the SML", entry.smp_id),
            );
        }
        SmlCommand::UpdateSmp(args) => {
            let entry = entry(config, &args);
            client.update_smp(&entry).map_err(fail)?;
            print(
                json,
                &entry_json(&entry),
                &format!("updated SMP {} at the SML", entry.smp_id),
            );
        }
        SmlCommand::ShowSmp => {
            let entry = client.read_smp(sml.smp_id()).map_err(fail)?;
            let text = format!(
                "SMP {}\n  logical address: {}\n  physical address: {}",
                entry.smp_id, entry.logical_address, entry.physical_address
            );
            print(json, &entry_json(&entry), &text);
        }
        SmlCommand::PrepareChangeCertificate {
            certificate,
            migration_date,
        } => {
            let bytes = std::fs::read(&certificate)
                .map_err(|e| CliError::Startup(format!("{}: {e}", certificate.display())))?;
            client
                .prepare_change_certificate(&bytes, migration_date.as_deref())
                .map_err(fail)?;
            print(
                json,
                &serde_json::json!({"prepared": true, "migrationDate": migration_date}),
                "the SML will accept the new certificate for this SMP from the migration date on",
            );
        }
        SmlCommand::Reconcile { repair } => {
            let domain = super::open_domain(config, &super::offline_public_url(config))?;
            let report = domain
                .core()
                .sml_sync()
                .reconcile_sml(sml.as_ref(), repair)?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            } else {
                println!("{report}");
            }
            if !repair && !report.is_clean() {
                return Err(CliError::Drift(report.differences()));
            }
        }
    }
    Ok(())
}

fn entry(config: &Config, args: &SmpEntryArgs) -> SmpEntry {
    SmpEntry {
        smp_id: config.sml.smp_id.clone(),
        logical_address: args
            .logical_address
            .clone()
            .unwrap_or_else(|| super::offline_public_url(config)),
        physical_address: args
            .physical_address
            .clone()
            .unwrap_or_else(|| config.sml.physical_address.clone()),
    }
}

fn entry_json(e: &SmpEntry) -> serde_json::Value {
    serde_json::json!({"smpId": e.smp_id, "logicalAddress": e.logical_address, "physicalAddress": e.physical_address})
}

fn print(json: bool, value: &serde_json::Value, text: &str) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_default()
        );
    } else {
        println!("{text}");
    }
}
