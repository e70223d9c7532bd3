//! Command-line syntax. Values are only checked for form here; clients and pools are built
//! in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use party_config::{Direction, MigrationStatus};

/// Ferry: a Peppol SMP with native participant migration.
#[derive(Debug, Parser)]
#[command(name = "ferry", version, about)]
pub(crate) struct Cli {
    /// Config file (default: config/ferry.toml if present). FERRY_* variables override it.
    #[arg(long, global = true, value_name = "PATH")]
    pub(crate) config: Option<PathBuf>,
    /// Log format: text or json (overrides log.format).
    #[arg(long, global = true, value_name = "FORMAT")]
    pub(crate) log_format: Option<String>,
    /// Machine-readable output for commands that print data.
    #[arg(long, global = true)]
    pub(crate) json: bool,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run the SMP server.
    Serve,
    /// Manage participants directly in the configured database.
    #[command(subcommand)]
    Participants(ParticipantsCommand),
    /// The SMP entry at the SML, certificate rollover, and reconciliation.
    #[command(subcommand)]
    Sml(SmlCommand),
    /// Peppol discovery of a participant, like a sender does it: SML DNS (NAPTR), then
    /// the SMP's ServiceGroup and signed ServiceMetadata, with signature, chain and expiry checks.
    Lookup(LookupArgs),
    /// Move participants between SMPs with the Peppol migration-key protocol.
    #[command(subcommand)]
    Migrate(MigrateCommand),
    /// Participant identifier maintenance, e.g. moving from one ICD to another.
    #[command(subcommand)]
    Identifiers(IdentifiersCommand),
    /// Parked participants loaded from a registry dump.
    #[command(subcommand)]
    Parked(ParkedCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum ParkedCommand {
    /// Import a CSV dump (identifier,name,country; an `identifier,...` header line is
    /// skipped). Existing participants are skipped, so a rerun resumes; parked participants
    /// the file no longer lists become inactive.
    Import(ParkedImportArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ParkedImportArgs {
    /// The CSV file.
    pub(crate) file: PathBuf,
    /// Endpoint profile every participant's capability uses.
    #[arg(long)]
    pub(crate) endpoint_profile: String,
    /// Document type `scheme::value`.
    #[arg(long)]
    pub(crate) document_type: String,
    /// Process `scheme::value`.
    #[arg(long)]
    pub(crate) process: String,
    /// Participants per transaction and SML CreateList call (1..100).
    #[arg(long, default_value_t = 100)]
    pub(crate) batch_size: usize,
    /// Batches imported side by side (0 = one per core). Each signs its documents before
    /// its transaction, so batches overlap even on SQLite.
    #[arg(long, default_value_t = 0)]
    pub(crate) workers: usize,
}

#[derive(Debug, Subcommand)]
pub(crate) enum IdentifiersCommand {
    /// Register every participant under ICD `--from` again under `--to` with identical
    /// capabilities (local and SML), keep both for the overlap, then remove the old one.
    /// Run it again to continue (and, after the overlap, to remove the old identifiers).
    MigrateScheme(MigrateSchemeArgs),
}

#[derive(Debug, Args)]
pub(crate) struct MigrateSchemeArgs {
    /// The old ICD, e.g. 9956.
    #[arg(long)]
    pub(crate) from: String,
    /// The new ICD, e.g. 0208.
    #[arg(long)]
    pub(crate) to: String,
    /// Show what would happen without changing anything.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Days both identifiers stay registered (default: identifiers.scheme_overlap_days).
    #[arg(long)]
    pub(crate) overlap_days: Option<u32>,
    /// Print the three stages of the migration instead of running it.
    #[arg(long, conflicts_with = "dry_run")]
    pub(crate) report: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SmlCommand {
    /// Register this SMP at the SML (ServiceMetadataPublisherID = sml.smp_id).
    RegisterSmp(SmpEntryArgs),
    /// Change this SMP's addresses at the SML.
    UpdateSmp(SmpEntryArgs),
    /// Show this SMP's entry at the SML.
    ShowSmp,
    /// Announce the next SMP certificate before renewing it (BDMSL PrepareChangeCertificate).
    PrepareChangeCertificate {
        /// The new certificate (PEM or DER).
        certificate: PathBuf,
        /// When it takes over (YYYY-MM-DD); default: as soon as the SML allows.
        #[arg(long)]
        migration_date: Option<String>,
    },
    /// Compare the SML's list of this SMP's participants with the database.
    Reconcile {
        /// Fix every difference (register missing ones, deregister unknown ones, correct states).
        #[arg(long)]
        repair: bool,
    },
}

#[derive(Debug, Args)]
pub(crate) struct SmpEntryArgs {
    /// The SMP's public https URL (LogicalAddress); default: server.public_url.
    #[arg(long)]
    pub(crate) logical_address: Option<String>,
    /// The SMP's IPv4 address (PhysicalAddress); default: sml.physical_address.
    #[arg(long)]
    pub(crate) physical_address: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct LookupArgs {
    /// e.g. iso6523-actorid-upis::0208:0123456749, or just 0208:0123456749
    #[arg(value_parser = participant_with_scheme)]
    pub(crate) participant: String,
    /// A document type `scheme::value` to fetch the signed metadata of (without a scheme:
    /// busdox-docid-qns).
    #[arg(value_parser = document_type_with_scheme)]
    pub(crate) document_type: Option<String>,
    /// Ask this DNS server (`ip:port`) instead of the configured ones.
    #[arg(long, value_name = "IP:PORT")]
    pub(crate) dns_server: Option<String>,
    /// Skip DNS and use this SMP base URL.
    #[arg(long, value_name = "URL")]
    pub(crate) smp_url: Option<String>,
    /// PEM file of the CAs an SMP signing certificate must chain to (default:
    /// certs-test/truststore/smp-roots.pem; in production the Peppol SMP CAs).
    #[arg(long, value_name = "PEM")]
    pub(crate) trust_store: Option<PathBuf>,
}

/// A participant given without `scheme::` (e.g. `0208:0677424046`) is in
/// `iso6523-actorid-upis`, the only participant scheme.
fn participant_with_scheme(s: &str) -> Result<String, String> {
    Ok(if s.contains("::") {
        s.to_owned()
    } else {
        format!("{}::{s}", peppol_id::ParticipantId::SCHEME)
    })
}

/// A document type given without a scheme is in `busdox-docid-qns`. Schemes never contain
/// `:`, so text before the first `::` that does is part of the value (as the SMP reads paths).
fn document_type_with_scheme(s: &str) -> Result<String, String> {
    Ok(match s.split_once("::") {
        Some((scheme, _)) if !scheme.contains(':') => s.to_owned(),
        _ => format!("{}::{s}", peppol_id::DocumentTypeId::BUSDOX_DOCID_QNS),
    })
}

#[derive(Debug, Subcommand)]
pub(crate) enum ParticipantsCommand {
    /// Register a participant, optionally with one capability.
    Add(AddArgs),
    /// List participants.
    List {
        /// Case-insensitive substring of the identifier.
        #[arg(long)]
        search: Option<String>,
        /// Items to skip.
        #[arg(long, default_value_t = 0)]
        offset: i64,
        /// Page size (1..1000).
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Show one participant with its capabilities.
    Show {
        /// e.g. iso6523-actorid-upis::0208:0123456749
        participant: String,
    },
    /// Delete a participant and everything published for it.
    Rm {
        /// e.g. iso6523-actorid-upis::0208:0123456749
        participant: String,
    },
}

#[derive(Debug, Args)]
pub(crate) struct AddArgs {
    /// e.g. iso6523-actorid-upis::0208:0123456749
    pub(crate) participant: String,
    /// Document type `scheme::value` of a first capability.
    #[arg(long, requires_all = ["process", "endpoint_profile"])]
    pub(crate) document_type: Option<String>,
    /// Process `scheme::value` of that capability.
    #[arg(long, requires = "document_type")]
    pub(crate) process: Option<String>,
    /// Endpoint profile name for that capability.
    #[arg(long, requires = "document_type")]
    pub(crate) endpoint_profile: Option<String>,
    /// Owner user name (default: admin).
    #[arg(long)]
    pub(crate) owner: Option<String>,
    /// Register locally only, not in the SML.
    #[arg(long)]
    pub(crate) no_sml: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum MigrateCommand {
    /// Let a participant leave: prepare a migration key at the SML for its new provider.
    Out {
        /// e.g. iso6523-actorid-upis::0208:0123456749
        participant: String,
    },
    /// Take a participant over with the migration key its current provider prepared.
    In(MigrateInArgs),
    /// Take a participant over without a key: wait until its current provider
    /// deregisters it, then register it here.
    Watch(MigrateWatchArgs),
    /// One migration with its history, or a table of migrations.
    Status(MigrateStatusArgs),
    /// Call off an open migration (outbound: migrates the participant back to this SMP).
    Cancel {
        /// The migration id (`mig_…`).
        id: String,
    },
    /// Run a failed inbound migration again.
    Retry {
        /// The migration id (`mig_…`).
        id: String,
    },
    /// Show the key of a prepared outbound migration again (written to the audit log).
    RevealKey {
        /// The migration id (`mig_…`).
        id: String,
    },
    /// Many inbound migrations from a CSV file (header line; columns `participant` and
    /// `migration_key`, an empty key means watch), with progress and a summary.
    Bulk(MigrateBulkArgs),
}

/// What a participant receives here once it arrives: one capability whose endpoint comes
/// from an endpoint profile.
#[derive(Debug, Args)]
pub(crate) struct MigrationCapabilityArgs {
    /// Endpoint profile name of the capability.
    #[arg(long, requires_all = ["document_type", "process"])]
    pub(crate) endpoint_profile: Option<String>,
    /// Document type `scheme::value` of the capability.
    #[arg(long, requires_all = ["endpoint_profile", "process"])]
    pub(crate) document_type: Option<String>,
    /// Process `scheme::value` of the capability.
    #[arg(long, requires_all = ["endpoint_profile", "document_type"])]
    pub(crate) process: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct MigrateInArgs {
    /// e.g. iso6523-actorid-upis::0208:0123456749
    pub(crate) participant: String,
    /// The migration key from the participant's current provider.
    #[arg(long)]
    pub(crate) key: String,
    #[command(flatten)]
    pub(crate) capability: MigrationCapabilityArgs,
}

#[derive(Debug, Args)]
pub(crate) struct MigrateWatchArgs {
    /// e.g. iso6523-actorid-upis::0208:0123456749
    pub(crate) participant: String,
    /// Only report when the old provider lets go; do not register the participant here.
    #[arg(long)]
    pub(crate) no_auto_register: bool,
    #[command(flatten)]
    pub(crate) capability: MigrationCapabilityArgs,
}

/// `--status`: the domain's own list of statuses, so the CLI never keeps a copy.
fn migration_status(text: &str) -> Result<MigrationStatus, String> {
    MigrationStatus::parse(text).ok_or_else(|| {
        let all: Vec<&str> = MigrationStatus::ALL.iter().map(|s| s.as_str()).collect();
        format!("one of {}", all.join(", "))
    })
}

/// `--direction`.
fn direction(text: &str) -> Result<Direction, String> {
    Direction::parse(text).ok_or_else(|| "`inbound` or `outbound`".to_owned())
}

#[derive(Debug, Args)]
pub(crate) struct MigrateStatusArgs {
    /// A migration id (`mig_…`); without one, a table of migrations, newest first.
    pub(crate) id: Option<String>,
    /// Only migrations in this status.
    #[arg(long, conflicts_with = "id", value_parser = migration_status)]
    pub(crate) status: Option<MigrationStatus>,
    /// Only this direction (`inbound` or `outbound`).
    #[arg(long, conflicts_with = "id", value_parser = direction)]
    pub(crate) direction: Option<Direction>,
    /// Rows in the table (1..1000).
    #[arg(long, conflicts_with = "id", default_value_t = 50)]
    pub(crate) limit: i64,
}

#[derive(Debug, Args)]
pub(crate) struct MigrateBulkArgs {
    /// CSV file: a header line, then `participant,migration_key` rows.
    pub(crate) file: PathBuf,
    #[command(flatten)]
    pub(crate) capability: MigrationCapabilityArgs,
    /// Start the migrations and print the bulk id instead of waiting for them.
    #[arg(long)]
    pub(crate) no_wait: bool,
}

#[cfg(test)]
mod tests;
