//! `ferry parked import FILE`: bulk-load a registry dump of parked participants
//! (CSV: identifier, name, country) against the configured database, registering them in
//! the SML 100 at a time with CreateList.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use party_config::{
    PARKED_BATCH_LIMIT, ParkedBatchSummary, ParkedImportSpec, ParkedParticipant, SmlRegistry,
};

use crate::cli::{ParkedCommand, ParkedImportArgs};
use crate::config::Config;
use crate::error::CliError;

pub(crate) fn run(config: &Config, command: ParkedCommand, json: bool) -> Result<(), CliError> {
    match command {
        ParkedCommand::Import(args) => import(config, &args, json),
    }
}

fn import(config: &Config, args: &ParkedImportArgs, json: bool) -> Result<(), CliError> {
    let sml: Option<std::sync::Arc<dyn SmlRegistry>> = if config.sml.mode == "off" {
        None
    } else {
        Some(super::sml_setup::connect(config)?)
    };
    let registry = super::open_registry_with(config, &super::offline_public_url(config), sml)?;
    let actor = registry.unchecked_local_admin()?;
    let total = count_lines(&args.file)?;
    let spec = ParkedImportSpec {
        endpoint_profile: args.endpoint_profile.clone(),
        document_type: args.document_type.clone(),
        process: args.process.clone(),
        started_at: now_ms(),
    };
    let bar = if json {
        ProgressBar::hidden()
    } else {
        ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
    };
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} lines  {per_sec}  eta {eta}  {msg}")
    {
        bar.set_style(style);
    }
    let batch_size = args.batch_size.clamp(1, PARKED_BATCH_LIMIT);
    let mut summary = ParkedBatchSummary::default();
    let mut batch = Vec::with_capacity(batch_size);
    let reader = BufReader::new(open(&args.file)?);
    for (index, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| read_error(&args.file, &e))?;
        let fields = csv_fields(&line);
        if fields.iter().all(|f| f.trim().is_empty()) {
            bar.inc(1);
            continue;
        }
        if index == 0 && fields[0].trim().eq_ignore_ascii_case("identifier") {
            bar.inc(1);
            continue;
        }
        let field = |i: usize| fields.get(i).cloned().unwrap_or_default();
        batch.push(ParkedParticipant {
            participant: field(0),
            name: field(1),
            country: field(2),
        });
        if batch.len() == batch_size {
            summary.add(registry.import_parked_batch(&actor, &spec, &batch)?);
            bar.inc(batch.len() as u64);
            bar.set_message(format!("{} created", summary.created));
            batch.clear();
        }
    }
    if !batch.is_empty() {
        summary.add(registry.import_parked_batch(&actor, &spec, &batch)?);
        bar.inc(batch.len() as u64);
    }
    bar.finish_and_clear();
    let inactive = registry.finish_parked_import(&actor, spec.started_at)?;
    if json {
        let mut value = serde_json::to_value(&summary)
            .map_err(|e| CliError::Startup(format!("json output: {e}")))?;
        value["markedInactive"] = inactive.into();
        println!("{value}");
    } else {
        println!(
            "{} created, {} already there ({} reactivated), {} registered in the SML, {} left to the SML worker, {} marked inactive, {} rejected",
            summary.created,
            summary.existing,
            summary.reactivated,
            summary.sml_registered,
            summary.sml_queued,
            inactive,
            summary.rejected.len()
        );
        if let Some(e) = &summary.sml_error {
            println!("last CreateList failure: {e}");
        }
        for r in &summary.rejected {
            println!("rejected\t{}\t{}\t{}", r.participant, r.code, r.message);
        }
    }
    Ok(())
}

fn open(path: &Path) -> Result<File, CliError> {
    File::open(path).map_err(|e| read_error(path, &e))
}

fn read_error(path: &Path, e: &std::io::Error) -> CliError {
    CliError::Startup(format!("{}: {e}", path.display()))
}

/// Lines in the file, for the progress bar.
fn count_lines(path: &Path) -> Result<u64, CliError> {
    let mut n = 0;
    for line in BufReader::new(open(path)?).split(b'\n') {
        line.map_err(|e| read_error(path, &e))?;
        n += 1;
    }
    Ok(n)
}

/// One CSV record (RFC 4180 quoting; a quoted field may not span lines).
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            (',', false) => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

fn now_ms() -> i64 {
    let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    i64::try_from(nanos / 1_000_000).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::csv_fields;

    #[test]
    fn csv_quoting() {
        assert_eq!(
            csv_fields("iso6523-actorid-upis::0208:0123456749,\"Acme, \"\"Inc\"\"\",BE\r"),
            vec![
                "iso6523-actorid-upis::0208:0123456749",
                "Acme, \"Inc\"",
                "BE"
            ]
        );
        assert_eq!(csv_fields("a,,b"), vec!["a", "", "b"]);
    }
}
