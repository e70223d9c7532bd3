//! The `ferry` binary: parse, set up logging, run one command, report.
//!
//! Wiring only: configuration is `ferry-config`, the domain is `smp-core` and
//! `party-config`, HTTP is `smp-server`, reading other SMPs is `smp-client`. Commands
//! build those from the configuration and print results; they must never hold business
//! rules of their own.

mod cli;
mod commands;
mod error;

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::cli::{Cli, Command};
use crate::error::CliError;
use ferry_config::Config;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ferry: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    let mut config = Config::load(cli.config.as_deref())?;
    if let Some(format) = cli.log_format {
        config.log.format = format;
    }
    init_logging(&config);
    for var in Config::unknown_env_vars() {
        tracing::warn!(variable = %var, "unknown FERRY_ variable ignored (use FERRY_SECTION__KEY)");
    }
    match cli.command {
        Command::Serve => commands::serve::run(&config),
        Command::Participants(cmd) => commands::participants::run(&config, cmd, cli.json),
        Command::Sml(cmd) => commands::sml::run(&config, cmd, cli.json),
        Command::Lookup(args) => commands::lookup::run(&config, &args, cli.json),
        Command::Migrate(cmd) => commands::migrate::run(&config, cmd, cli.json),
        Command::Identifiers(cmd) => commands::identifiers::run(&config, cmd, cli.json),
        Command::Parked(cmd) => commands::parked::run(&config, cmd, cli.json),
    }
}

fn init_logging(config: &Config) {
    let filter =
        EnvFilter::try_from_env("FERRY_LOG").unwrap_or_else(|_| EnvFilter::new(&config.log.level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log.format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}
