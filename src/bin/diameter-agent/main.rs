//! `diameter-agent`: the CGRateS-compatible Diameter agent.
//!
//! `diameter-agent --config PATH` loads a CGRateS JSON configuration (a file, or a folder
//! whose files are merged), the built-in dictionaries plus `dictionaries_path`, listens on
//! the configured addresses and answers requests through the request processors until
//! SIGINT or SIGTERM, when it sends DPR to its peers and stops. Without `--config` it runs
//! the SMS example (`examples/agent/sms.json`). `diameter-agent check --config PATH`
//! validates a configuration and exits 0, or 1 with the file, JSON path and reason.
//!
//! Logs go to standard error, filtered by `RUST_LOG` (default `info`); the `*log` and
//! `*dryrun` dumps of the processors are at info level, message dumps of the node on the
//! `diameter::peer::msg` target at debug level.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use diameter_agent::{load_dictionary, Backend, Config, MemoryBackend, ServerOptions};

/// The configuration used without `--config`.
const DEFAULT_CONFIG: &str = include_str!("../../../examples/agent/sms.json");

#[derive(Parser)]
#[command(
    name = "diameter-agent",
    version,
    about = "CGRateS-compatible Diameter agent"
)]
struct Cli {
    /// Configuration file, or folder of `*.json` files merged in name order (default: the
    /// SMS example configuration).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// The charging backend the SessionS calls go to.
    #[arg(long, value_enum, default_value_t = BackendKind::Memory)]
    backend: BackendKind,
    /// Diameter identity of a client allowed to connect (repeatable): the Origin-Host of its
    /// CER. Other hosts get 3010 DIAMETER_UNKNOWN_PEER.
    #[arg(long = "peer", value_name = "HOST")]
    peers: Vec<String>,
    /// Listen on ADDR instead of the configured listeners (repeatable).
    #[arg(long = "listen", value_name = "ADDR")]
    listen: Vec<SocketAddr>,
    /// Hand requests to the processors without checking them against the dictionary
    /// grammar first (as CGRateS does; by default a request missing a required AVP gets
    /// 5005 with Failed-AVP).
    #[arg(long)]
    no_validation: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a configuration (with its dictionaries) and exit.
    Check,
}

/// Where the SessionS calls go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum BackendKind {
    /// In memory: every call succeeds, granting 5 minutes (for trials and load tests).
    Memory,
}

/// `sessions_conns` entries the in-process backends serve.
const INTERNAL_CONNS: [&str; 2] = ["*internal", "*birpc_internal"];

fn load_config(cli: &Cli) -> anyhow::Result<Config> {
    let config = match &cli.config {
        Some(path) => Config::load(path)?,
        None => Config::from_str("<built-in sms.json>", DEFAULT_CONFIG)?,
    };
    Ok(config)
}

fn check(cli: &Cli) -> ExitCode {
    let Some(path) = &cli.config else {
        eprintln!("error: check needs --config PATH");
        return ExitCode::FAILURE;
    };
    match diameter_agent::check_path(path) {
        Ok(config) => {
            for w in &config.warnings {
                eprintln!("warning: {w}");
            }
            println!(
                "{}: OK ({} request processors)",
                path.display(),
                config.agent.request_processors.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn run<B: Backend>(cli: &Cli, config: Config, backend: B) -> anyhow::Result<()> {
    let dict = Arc::new(load_dictionary(&config)?);
    let options = ServerOptions {
        listen: (!cli.listen.is_empty()).then(|| cli.listen.clone()),
        peers: cli.peers.clone(),
        timers: None,
        skip_validation: cli.no_validation,
    };
    diameter_agent::serve(&config, dict, backend, options, shutdown_signal()).await?;
    Ok(())
}

/// The backend `kind`, checked against `sessions_conns`.
fn memory_backend(config: &Config) -> MemoryBackend {
    for conn in &config.agent.sessions_conns {
        if !INTERNAL_CONNS.contains(&conn.as_str()) {
            tracing::warn!("<DiameterAgent> sessions_conns <{conn}>: only the in-process backend is available, SessionS calls go to it");
        }
    }
    let backend = MemoryBackend::new();
    // A long-running agent keeps no record of the calls.
    backend.set_recording(false);
    backend
}

fn serve(cli: &Cli) -> anyhow::Result<()> {
    let config = load_config(cli)?;
    for w in &config.warnings {
        tracing::warn!("<DiameterAgent> {w}");
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    match cli.backend {
        BackendKind::Memory => {
            let backend = memory_backend(&config);
            rt.block_on(run(cli, config, backend))
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Check) = cli.command {
        return check(&cli);
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match serve(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
