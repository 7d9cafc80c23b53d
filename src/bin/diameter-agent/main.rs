//! `diameter-agent`: the CGRateS-compatible Diameter agent.
//!
//! `diameter-agent --config PATH` loads a CGRateS JSON configuration (a file, or a folder
//! whose files are merged), the built-in dictionaries plus `dictionaries_path`, listens on
//! the configured addresses and answers requests through the request processors until
//! SIGINT or SIGTERM, when it sends DPR to its peers and stops. Without `--config` it runs
//! the SMS example (`examples/agent/sms.json`). `diameter-agent check --config PATH`
//! validates a configuration and exits 0, or 1 with the file, JSON path and reason.
//!
//! The SessionS calls go where `diameter_agent.sessions_conns` says: to remote CGRateS
//! engines over JSON-RPC when it names `rpc_conns` connections (`*localhost`,
//! `*bijson_localhost` or configured ones; `--backend cgrates`), else to the embedded
//! charging engine (`*internal`; `--backend internal`), on the SQLite database named by
//! `--db`, else by `charging.db_path` in the configuration, else `diameter-agent.db` in the
//! working directory. `--backend` overrides the choice. `diameter-agent accounts load FILE...` stores accounts and tariffs (JSON or
//! CSV), `diameter-agent accounts show [ACCOUNT]` prints balances and `diameter-agent cdrs`
//! the stored CDRs, newest first; they may run while the agent does.
//!
//! The running agent listens on a local admin socket: `--admin PATH`, else `admin.socket`
//! in the configuration, else the charging database's path with the extension `.sock`
//! (`diameter-agent.sock` by default). `diameter-agent sessions list` prints the sessions
//! (those whose requests are kept for ASR/RAR, and the embedded engine's open ones) and
//! `diameter-agent sessions disconnect ORIGIN_ID [--cause TEXT]` ends one: the agent sends
//! the client an ASR (with `asr_template` set and `forced_disconnect` `*asr`).
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
use diameter_agent::charging::ChargingSettings;
use diameter_agent::control::ControlSlot;
use diameter_agent::diameter_charging::{CdrFilter, Engine, Store};
use diameter_agent::{
    load_dictionary, Backend, CgratesBackend, ChargingBackend, Config, MemoryBackend, ServerOptions,
};

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
    /// The charging backend the SessionS calls go to (default: `cgrates` when
    /// `sessions_conns` names an `rpc_conns` connection, else `internal`).
    #[arg(long, value_enum)]
    backend: Option<BackendKind>,
    /// Database of the embedded charging engine (default: `charging.db_path` of the
    /// configuration, else `diameter-agent.db` in the working directory).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Admin socket of the running agent (default: `admin.socket` of the configuration,
    /// else the database path with the extension `.sock`).
    #[arg(long, global = true, value_name = "PATH")]
    admin: Option<PathBuf>,
    /// Diameter identity of a client allowed to connect (repeatable): the Origin-Host of its
    /// CER. Once one is given, other hosts get 3010 DIAMETER_UNKNOWN_PEER; without any, every
    /// host may connect.
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
    /// Accounts and tariffs of the embedded charging engine.
    #[command(subcommand)]
    Accounts(AccountsCommand),
    /// Print the stored CDRs, newest first.
    Cdrs {
        /// Only this tenant.
        #[arg(long)]
        tenant: Option<String>,
        /// Only this account.
        #[arg(long)]
        account: Option<String>,
        /// At most this many (0: all).
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// One JSON object per line, with CGRateS field names.
        #[arg(long)]
        json: bool,
    },
    /// Sessions of the running agent (through its admin socket).
    #[command(subcommand)]
    Sessions(SessionsCommand),
}

#[derive(Subcommand)]
enum SessionsCommand {
    /// Print the sessions, one per line.
    List,
    /// End a session: the client gets an ASR.
    Disconnect {
        /// The session's OriginID (its Session-Id).
        origin_id: String,
        /// The DisconnectCause.
        #[arg(long, default_value = diameter_agent::admin::DEFAULT_CAUSE)]
        cause: String,
    },
}

#[derive(Subcommand)]
enum AccountsCommand {
    /// Store the accounts and tariffs of JSON or CSV files (balances are set, tariffs added
    /// or replaced).
    Load {
        /// Files to load, in order.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Print accounts with their balances (all, or one).
    Show {
        /// Only this account.
        account: Option<String>,
        /// Only this tenant.
        #[arg(long)]
        tenant: Option<String>,
    },
}

/// Where the SessionS calls go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum BackendKind {
    /// The remote CGRateS engines of `sessions_conns`, over JSON-RPC.
    Cgrates,
    /// The embedded charging engine on SQLite (accounts, tariffs, sessions, CDRs).
    Internal,
    /// In memory: every call succeeds, granting 5 minutes, nothing is charged (for trials
    /// and load tests).
    Memory,
}

/// How the configuration is named in messages.
fn config_name(cli: &Cli) -> String {
    match &cli.config {
        Some(path) => path.display().to_string(),
        None => "<built-in sms.json>".to_string(),
    }
}

fn load_config(cli: &Cli) -> anyhow::Result<Config> {
    let config = match &cli.config {
        Some(path) => Config::load(path)?,
        None => Config::from_str(&config_name(cli), DEFAULT_CONFIG)?,
    };
    Ok(config)
}

/// The embedded engine's settings, with `--db` over the configured database.
fn charging_settings(cli: &Cli, config: &Config) -> anyhow::Result<ChargingSettings> {
    let mut settings = ChargingSettings::from_config(config, &config_name(cli))?;
    if let Some(db) = &cli.db {
        settings.db_path = db.clone();
    }
    Ok(settings)
}

/// Open the engine (creating the database if needed).
fn open_engine(settings: ChargingSettings) -> anyhow::Result<Engine> {
    let path = settings.db_path.clone();
    Engine::open(&path, settings.engine)
        .with_context(|| format!("opening the charging database {}", path.display()))
}

/// Open the database for reading.
fn open_store(cli: &Cli) -> anyhow::Result<Store> {
    let settings = charging_settings(cli, &load_config(cli)?)?;
    Ok(Store::open(&settings.db_path)?)
}

fn accounts(cli: &Cli, command: &AccountsCommand) -> anyhow::Result<()> {
    match command {
        AccountsCommand::Load { files } => {
            let engine = open_engine(charging_settings(cli, &load_config(cli)?)?)?;
            for file in files {
                let summary = engine.load_file(file)?;
                println!(
                    "{}: {} accounts ({} balances), {} tariffs",
                    file.display(),
                    summary.accounts,
                    summary.balances,
                    summary.tariffs
                );
            }
        }
        AccountsCommand::Show { account, tenant } => {
            let accounts = open_store(cli)?.accounts(tenant.as_deref(), account.as_deref())?;
            if let (Some(account), true) = (account, accounts.is_empty()) {
                anyhow::bail!("no account {account}");
            }
            for account in accounts {
                println!("{account}");
            }
        }
    }
    Ok(())
}

fn cdrs(cli: &Cli, filter: &CdrFilter, json: bool) -> anyhow::Result<()> {
    for cdr in open_store(cli)?.cdrs(filter)? {
        if json {
            println!("{}", serde_json::to_string(&cdr)?);
        } else {
            println!("{cdr}");
        }
    }
    Ok(())
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

/// The admin socket path: `--admin`, else `admin.socket`, else next to the database.
fn admin_socket(cli: &Cli, config: &Config) -> anyhow::Result<PathBuf> {
    if let Some(path) = &cli.admin {
        return Ok(path.clone());
    }
    match config.raw.get("admin").and_then(|a| a.get("socket")) {
        Some(serde_json::Value::String(path)) if !path.is_empty() => Ok(PathBuf::from(path)),
        None | Some(serde_json::Value::Null) => Ok(diameter_agent::admin::default_socket(
            &charging_settings(cli, config)?.db_path,
        )),
        Some(other) => anyhow::bail!(
            "{}: admin.socket: expected a string, found {other}",
            config_name(cli)
        ),
    }
}

/// `sessions list` / `sessions disconnect` through the running agent's admin socket.
fn sessions(cli: &Cli, command: &SessionsCommand) -> anyhow::Result<()> {
    use diameter_agent::admin::{call, AdminRequest};
    let path = admin_socket(cli, &load_config(cli)?)?;
    let request = match command {
        SessionsCommand::List => AdminRequest::List,
        SessionsCommand::Disconnect { origin_id, cause } => AdminRequest::Disconnect {
            origin_id: origin_id.clone(),
            cause: Some(cause.clone()),
        },
    };
    let reply = call(&path, &request, std::time::Duration::from_secs(30))?;
    if !reply.ok {
        anyhow::bail!("{}", reply.error.unwrap_or_default());
    }
    match &reply.sessions {
        Some(sessions) if sessions.is_empty() => println!("no active sessions"),
        Some(sessions) => sessions.iter().for_each(|s| println!("{s}")),
        None => {}
    }
    if let Some(message) = reply.message {
        println!("{message}");
    }
    Ok(())
}

/// Serve until SIGINT/SIGTERM, with the admin socket; `charging` is the embedded engine's
/// backend when it serves.
async fn run<B: Backend>(
    cli: &Cli,
    config: Config,
    backend: B,
    charging: Option<ChargingBackend>,
) -> anyhow::Result<()> {
    let dict = Arc::new(load_dictionary(&config)?);
    let options = ServerOptions {
        listen: (!cli.listen.is_empty()).then(|| cli.listen.clone()),
        peers: cli.peers.clone(),
        skip_validation: cli.no_validation,
        ..ServerOptions::default()
    };
    let admin_path = admin_socket(cli, &config)?;
    let server = diameter_agent::Server::start(&config, dict, backend, options).await?;
    let admin = diameter_agent::admin::AdminSocket::bind(
        &admin_path,
        server.session_controller().clone(),
        charging,
    )?;
    tracing::info!("<DiameterAgent> admin socket {}", admin.path().display());
    shutdown_signal().await;
    tracing::info!("<DiameterAgent> stopping: DPR to the connected peers");
    drop(admin);
    server.stop(std::time::Duration::from_secs(5)).await;
    Ok(())
}

fn memory_backend() -> MemoryBackend {
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
    let cgrates = CgratesBackend::from_config(&config, ControlSlot::new())?;
    let kind = match (cli.backend, &cgrates) {
        (Some(kind), _) => kind,
        (None, Some(_)) => BackendKind::Cgrates,
        (None, None) => BackendKind::Internal,
    };
    if kind != BackendKind::Cgrates && cgrates.is_some() {
        tracing::warn!(
            "<DiameterAgent> --backend {kind:?}: sessions_conns {:?} not used",
            config.agent.sessions_conns
        );
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    match kind {
        BackendKind::Cgrates => {
            let backend = cgrates.context(
                "--backend cgrates: diameter_agent.sessions_conns names no rpc_conns connection",
            )?;
            rt.block_on(async {
                // Dial now: on a *birpc_json link the engine can reach the agent from the start.
                let connected = backend.connect().await;
                tracing::info!(
                    "<DiameterAgent> SessionS over JSON-RPC: {connected} connection(s) up"
                );
                run(cli, config, backend, None).await
            })
        }
        BackendKind::Internal => {
            let settings = charging_settings(cli, &config)?;
            tracing::info!(
                "<DiameterAgent> charging database {}",
                settings.db_path.display()
            );
            let backend = ChargingBackend::new(open_engine(settings)?);
            rt.block_on(run(cli, config, backend.clone(), Some(backend)))
        }
        BackendKind::Memory => rt.block_on(run(cli, config, memory_backend(), None)),
    }
}

/// Print `result`'s error and give the exit code.
fn exit_code(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Some(Command::Check) => return check(&cli),
        Some(Command::Accounts(command)) => return exit_code(accounts(&cli, command)),
        Some(Command::Cdrs {
            tenant,
            account,
            limit,
            json,
        }) => {
            let filter = CdrFilter {
                tenant: tenant.clone(),
                account: account.clone(),
                origin_id: None,
                limit: *limit,
            };
            return exit_code(cdrs(&cli, &filter, *json));
        }
        Some(Command::Sessions(command)) => return exit_code(sessions(&cli, command)),
        None => {}
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    exit_code(serve(&cli))
}
