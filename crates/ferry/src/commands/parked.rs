//! `ferry parked import FILE`: bulk-load a domain dump of parked participants
//! (CSV: identifier, name, country) against the configured database, registering them in
//! the SML 100 at a time with CreateList.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use party_config::{PARKED_BATCH_LIMIT, ParkedBatchSummary, ParkedImportSpec, ParkedParticipant};
use smp_core::SmlRegistry;

use crate::cli::{ParkedCommand, ParkedImportArgs};
use crate::error::CliError;
use ferry_config::Config;

pub(crate) fn run(config: &Config, command: ParkedCommand, json: bool) -> Result<(), CliError> {
    match command {
        ParkedCommand::Import(args) => import(config, &args, json),
    }
}

fn import(config: &Config, args: &ParkedImportArgs, json: bool) -> Result<(), CliError> {
    let sml: Option<std::sync::Arc<dyn SmlRegistry>> = if !config.sml.mode.is_on() {
        None
    } else {
        Some(super::sml_setup::connect(config)?)
    };
    let domain = super::open_domain_with(config, &super::offline_public_url(config), sml)?;
    let actor = domain.core().users().unchecked_local_admin()?;
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
    let workers = match args.workers {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    };
    // The reader hands batches to the workers through a short queue, so memory stays
    // bounded whatever the file size; the first error stops everything.
    let summary = Mutex::new(ParkedBatchSummary::default());
    let failure: Mutex<Option<CliError>> = Mutex::new(None);
    let stop = AtomicBool::new(false);
    // The tables grow from whatever they held to many times that: refresh the planner's
    // statistics each time this import has doubled what it created.
    let next_analyze = AtomicUsize::new(1000);
    let (sender, receiver) = mpsc::sync_channel::<Vec<ParkedParticipant>>(workers * 2);
    let receiver = Mutex::new(receiver);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let next = receiver
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .recv();
                    let Ok(batch) = next else { return };
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    match domain.parked_import().import_parked_batch(&actor, &spec, &batch) {
                        Ok(done) => {
                            let mut total = summary
                                .lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner);
                            total.add(done);
                            bar.inc(batch.len() as u64);
                            bar.set_message(format!("{} created", total.created));
                            let created = total.created;
                            drop(total);
                            if created >= next_analyze.load(Ordering::Relaxed) {
                                next_analyze.store(created * 2, Ordering::Relaxed);
                                // Only a hint to the planner: a failure is not the import's.
                                if let Err(e) = domain.parked_import().refresh_statistics(&actor) {
                                    tracing::warn!(error = %e, "could not refresh the planner statistics");
                                }
                            }
                        }
                        Err(e) => {
                            stop.store(true, Ordering::Relaxed);
                            failure
                                .lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner)
                                .get_or_insert(e.into());
                            return;
                        }
                    }
                }
            });
        }
        let read = read_batches(&args.file, batch_size, &bar, |batch| {
            !stop.load(Ordering::Relaxed) && sender.send(batch).is_ok()
        });
        drop(sender);
        if let Err(e) = read {
            stop.store(true, Ordering::Relaxed);
            failure
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .get_or_insert(e);
        }
    });
    if let Some(e) = failure
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
    {
        bar.abandon();
        return Err(e);
    }
    let summary = summary
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    bar.finish_and_clear();
    let inactive = domain
        .parked_import()
        .finish_parked_import(&actor, spec.started_at)?;
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

/// Reads the CSV dump and hands it on in batches; `send` returns false to stop early.
/// Blank lines and a header line (`identifier,…`) are skipped.
fn read_batches(
    path: &Path,
    batch_size: usize,
    bar: &ProgressBar,
    mut send: impl FnMut(Vec<ParkedParticipant>) -> bool,
) -> Result<(), CliError> {
    let mut batch = Vec::with_capacity(batch_size);
    for (index, line) in BufReader::new(open(path)?).lines().enumerate() {
        let line = line.map_err(|e| read_error(path, &e))?;
        let fields = csv_fields(&line);
        if fields.iter().all(|f| f.trim().is_empty())
            || (index == 0 && fields[0].trim().eq_ignore_ascii_case("identifier"))
        {
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
            let full = std::mem::replace(&mut batch, Vec::with_capacity(batch_size));
            if !send(full) {
                return Ok(());
            }
        }
    }
    if !batch.is_empty() {
        send(batch);
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
