//! `ferry parked import FILE`: bulk-load a domain dump of parked participants
//! (CSV: identifier, name, country) against the configured database, registering them in
//! the SML 100 at a time with CreateList.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use party_config::{
    BadRow, ParkedBatch, ParkedBatchSummary, ParkedCsv, ParkedImportSpec, count_lines,
};
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
    let total = count_lines(open(&args.file)?).map_err(|e| read_error(&args.file, &e))?;
    let spec = ParkedImportSpec {
        endpoint_profile: args.endpoint_profile.clone(),
        document_type: args.document_type.clone(),
        process: args.process.clone(),
        started_at: now_ms(),
    };
    let bar = if json {
        ProgressBar::hidden()
    } else {
        ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr())
    };
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} lines  {per_sec}  eta {eta}  {msg}")
    {
        bar.set_style(style);
    }
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
    let mut bad_rows = Vec::new();
    let (sender, receiver) = mpsc::sync_channel::<ParkedBatch>(workers * 2);
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
                    let import = domain.parked_import();
                    match import.import_parked_batch(&actor, &spec, &batch.participants) {
                        Ok(done) => {
                            let mut total = summary
                                .lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner);
                            total.add(done);
                            bar.inc(batch.lines as u64);
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
        let read = read_batches(&args.file, args.batch_size, &bar, &mut bad_rows, |batch| {
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
        let json_error = |e: serde_json::Error| CliError::Startup(format!("json output: {e}"));
        let mut value = serde_json::to_value(&summary).map_err(json_error)?;
        value["markedInactive"] = inactive.into();
        value["badRows"] = serde_json::to_value(&bad_rows).map_err(json_error)?;
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
        super::migrate::print_bad_rows(&bad_rows, &args.file);
    }
    Ok(())
}

/// Hands the dump on in batches (`send` false: stop); lines that are not rows go to `bad_rows`.
fn read_batches(
    path: &Path,
    batch_size: usize,
    bar: &ProgressBar,
    bad_rows: &mut Vec<BadRow>,
    mut send: impl FnMut(ParkedBatch) -> bool,
) -> Result<(), CliError> {
    for batch in ParkedCsv::new(open(path)?, batch_size) {
        let mut batch = batch.map_err(|e| read_error(path, &e))?;
        bad_rows.append(&mut batch.bad_rows);
        if batch.participants.is_empty() {
            bar.inc(batch.lines as u64);
        } else if !send(batch) {
            break;
        }
    }
    Ok(())
}

fn open(path: &Path) -> Result<BufReader<File>, CliError> {
    File::open(path)
        .map(BufReader::new)
        .map_err(|e| read_error(path, &e))
}

fn read_error(path: &Path, e: &dyn std::fmt::Display) -> CliError {
    CliError::Startup(format!("{}: {e}", path.display()))
}

fn now_ms() -> i64 {
    let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    i64::try_from(nanos / 1_000_000).unwrap_or(i64::MAX)
}
