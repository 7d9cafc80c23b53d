//! A minimal online charging server: answers every Credit-Control-Request with a
//! Result-Code (2001 by default) and a Granted-Service-Unit.
//!
//! ```text
//! cargo run --release --example ocs_server -- --listen 127.0.0.1:3868 --peer smsgw.gy
//! ```
//!
//! With `--tls-listen ADDR --cert FILE --key FILE` it also accepts Diameter over TLS
//! (RFC 6733 §13); `--ca FILE` then requires client certificates issued by that CA.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use diameter::app::{HandlerError, Request};
use diameter::message::{Avp, Message};
use diameter::node::{Node, NodeConfig, PeerConfig};
use diameter::peer::base::find;
use diameter::peer::AppId;
use diameter::transport::tls::{self, TlsConfig};
use diameter::wire::Value;

const CREDIT_CONTROL: u32 = 4;
const CC_REQUEST_TYPE: u32 = 416;
const CC_REQUEST_NUMBER: u32 = 415;
const GRANTED_SERVICE_UNIT: u32 = 431;
const CC_SERVICE_SPECIFIC_UNITS: u32 = 417;

#[derive(Parser)]
struct Args {
    /// Address to listen on (IPv4 or IPv6).
    #[arg(long, default_value = "127.0.0.1:3868")]
    listen: Vec<SocketAddr>,
    /// Address to listen on with TLS (needs --cert and --key); repeatable.
    #[arg(long, requires_all = ["cert", "key"])]
    tls_listen: Vec<SocketAddr>,
    /// PEM certificate chain of the TLS listeners.
    #[arg(long, value_name = "FILE")]
    cert: Option<PathBuf>,
    /// PEM private key of --cert.
    #[arg(long, value_name = "FILE")]
    key: Option<PathBuf>,
    /// PEM CA certificates: TLS clients must show a certificate they issued.
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,
    /// Our Origin-Host.
    #[arg(long, default_value = "ocs.gy")]
    origin_host: String,
    /// Our realm.
    #[arg(long, default_value = "testrealm.local")]
    realm: String,
    /// The Result-Code of every answer.
    #[arg(long, default_value_t = 2001)]
    result_code: u32,
    /// Client identities accepted (others get 3010 DIAMETER_UNKNOWN_PEER); repeatable.
    #[arg(long = "peer", default_value = "smsgw.gy")]
    peers: Vec<String>,
    /// Requests answered concurrently before 3004 DIAMETER_TOO_BUSY.
    #[arg(long, default_value_t = 100_000)]
    max_concurrent: usize,
    /// Skip the dictionary check of received requests (no 5005/5004/5009 answers).
    #[arg(long)]
    no_validate: bool,
    /// Worker threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Print message dumps.
    #[arg(long)]
    verbose: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = args.threads {
        rt.worker_threads(n);
    }
    rt.enable_all().build()?.block_on(serve(args))
}

async fn serve(args: Args) -> anyhow::Result<()> {
    let filter = if args.verbose {
        "info,diameter::peer::msg=debug"
    } else {
        "warn"
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .init();

    let mut config = NodeConfig::new(&args.origin_host, &args.realm);
    config.listen = args.listen.clone();
    config.validate_requests = !args.no_validate;
    config.tls_listen = args.tls_listen.clone();
    if let (Some(cert), Some(key)) = (&args.cert, &args.key) {
        let mut builder = TlsConfig::builder()
            .certificate(tls::read_certificates(cert)?, tls::read_private_key(key)?);
        if let Some(ca) = &args.ca {
            builder = builder
                .trust(tls::read_certificates(ca)?)
                .require_client_certificate(true);
        }
        config.tls = Some(builder.build()?);
    }
    let node = Node::new(config)?;
    let mut peers = Vec::new();
    for host in &args.peers {
        peers.push(node.add_peer(PeerConfig::new(&format!("aaa://{host}"), &args.realm)?)?);
    }
    let result_code = args.result_code;
    node.add_server(
        AppId::auth(CREDIT_CONTROL),
        &peers,
        move |request: Request| async move { Ok::<_, HandlerError>(answer(&request, result_code)) },
        args.max_concurrent,
    )?;
    node.start().await?;
    for addr in node.local_addrs() {
        println!("listening on {addr}");
    }
    for addr in node.tls_local_addrs() {
        println!("listening on {addr} (TLS)");
    }
    tokio::signal::ctrl_c().await?;
    node.stop(Duration::from_secs(5)).await;
    Ok(())
}

/// The CCA: Session-Id, Result-Code, Origin-Host/Realm, Auth-Application-Id, the
/// request's CC-Request-Type and -Number, and a Granted-Service-Unit of one unit.
fn answer(request: &Request, result_code: u32) -> Message {
    let mut cca = request.answer(result_code);
    for code in [CC_REQUEST_TYPE, CC_REQUEST_NUMBER] {
        if let Some(avp) = find(&request.message, code) {
            cca.push(avp.clone());
        }
    }
    if result_code == 2001 {
        let units = Avp::new(CC_SERVICE_SPECIFIC_UNITS, 0, true, &Value::Unsigned64(1));
        let mut gsu = Avp::new(
            GRANTED_SERVICE_UNIT,
            0,
            true,
            &Value::OctetString(Default::default()),
        );
        gsu.payload = diameter::message::Payload::Group(vec![units]);
        cca.push(gsu);
    }
    cca
}
