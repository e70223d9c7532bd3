//! `ferry lookup`: Peppol discovery as a sender does it.

use crate::cli::LookupArgs;
use crate::config::Config;
use crate::error::CliError;

pub(crate) fn run(_config: &Config, _args: &LookupArgs, _json: bool) -> Result<(), CliError> {
    Err(CliError::Startup("ferry lookup is being written".into()))
}
