//! `sml-emulator`: a local Peppol SML (SOAP over mutual TLS + authoritative NAPTR DNS).
#![forbid(unsafe_code)]

use std::{net::SocketAddr, path::PathBuf, process::ExitCode};

use clap::Parser;
use sml_emulator::{DEFAULT_LIST_PAGE_SIZE, Emulator, EmulatorConfig};

/// Runs a local Peppol SML until interrupted (Ctrl-C / SIGTERM).
#[derive(Debug, Parser)]
#[command(name = "sml-emulator", version)]
struct Args {
    /// https address of the SOAP services (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    soap_bind: SocketAddr,
    /// DNS address, UDP and TCP on the same port (port 0: any port free for both).
    #[arg(long, default_value = "127.0.0.1:0")]
    dns_bind: SocketAddr,
    /// Zone the DNS server is authoritative for.
    #[arg(long, default_value = "sml.ferry.test.")]
    zone: String,
    /// PEM server certificate of the SOAP listener.
    #[arg(long, default_value = "certs-test/sml/sml.crt.pem")]
    tls_certificate: PathBuf,
    /// PEM private key of the SOAP listener.
    #[arg(long, default_value = "certs-test/sml/sml.key.pem")]
    tls_key: PathBuf,
    /// PEM certificates that client certificates must chain to.
    #[arg(long, default_value = "certs-test/root/root-ca.crt.pem")]
    client_ca: PathBuf,
    /// SQLite state file (`:memory:` for a throwaway emulator).
    #[arg(long, default_value = "sml-emulator.sqlite")]
    database: PathBuf,
    /// Participants per List page.
    #[arg(long, default_value_t = DEFAULT_LIST_PAGE_SIZE)]
    list_page_size: usize,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let config = EmulatorConfig {
        soap_bind: args.soap_bind,
        dns_bind: args.dns_bind,
        zone: args.zone,
        tls_certificate: args.tls_certificate,
        tls_key: args.tls_key,
        client_ca: args.client_ca,
        database: args.database,
        list_page_size: args.list_page_size,
    };
    let emulator = match Emulator::start(config) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("sml-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "sml-emulator soap={} dns={} admin={}",
        emulator.soap_base_url(),
        emulator.dns_addr(),
        emulator.admin_url()
    );
    let waited = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map(|rt| rt.block_on(wait_for_signal()));
    emulator.shutdown();
    match waited {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sml-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        if let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_flag() {
        let args = Args::try_parse_from([
            "sml-emulator",
            "--soap-bind",
            "127.0.0.1:8443",
            "--dns-bind",
            "127.0.0.1:5353",
            "--zone",
            "z.test.",
            "--database",
            ":memory:",
            "--list-page-size",
            "7",
        ])
        .unwrap();
        assert_eq!(args.soap_bind.port(), 8443);
        assert_eq!(args.list_page_size, 7);
        assert_eq!(args.zone, "z.test.");
    }
}
