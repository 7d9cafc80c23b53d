//! `diameter bench --target HOST:PORT`: a network load generator. Opens `--connections`
//! client nodes to the target, keeps `--inflight` requests outstanding on each, and
//! reports throughput, Result-Codes and latency percentiles.
//!
//! With `--rate N` requests are sent on a fixed schedule (request `i` at `i / N`
//! seconds) and a request sent late, because the answers lag, has its latency counted
//! from its scheduled time, not from when it could go: a stalled server shows in the
//! percentiles instead of slowing the load down (no coordinated omission). `--tls`
//! dials `aaas://` peers.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use diameter::app::Application;
use diameter::dict::Dictionary;
use diameter::message::{from_json, Avp, Message};
use diameter::node::{Error, Node, NodeConfig, PeerConfig};
use diameter::peer::base::{self, avp};
use diameter::peer::AppId;
use diameter::transport::tls::{self, TlsConfig};
use diameter::wire::{CommandFlags, Value};
use hdrhistogram::Histogram;

/// Options of the network load generator.
#[derive(clap::Args, Debug, Clone)]
pub struct LoadArgs {
    /// Send requests to a Diameter server at HOST:PORT instead of timing the codec;
    /// FILE, when given, is the request template (JSON form or hex).
    #[arg(long, value_name = "HOST:PORT")]
    pub target: Option<String>,
    /// Connections (each its own client node and Origin-Host).
    #[arg(long, default_value_t = 1)]
    pub connections: usize,
    /// Requests kept outstanding per connection.
    #[arg(long, default_value_t = 64)]
    pub inflight: usize,
    /// Seconds to run.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Total requests per second on a fixed schedule; a request sent late has its
    /// latency counted from its scheduled time (0: as fast as answers come).
    #[arg(long, default_value_t = 0)]
    pub rate: u64,
    /// Connect with TLS (`aaas://`), verifying the server against --ca.
    #[arg(long, requires = "ca")]
    pub tls: bool,
    /// PEM file of the CA certificates that verify the server (with --tls).
    #[arg(long, value_name = "FILE")]
    pub ca: Option<std::path::PathBuf>,
    /// PEM certificate chain presented to the server (mutual TLS), with --key.
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<std::path::PathBuf>,
    /// PEM private key of --cert.
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<std::path::PathBuf>,
    /// Name the server's certificate must carry (default: the host part of --target).
    #[arg(long, value_name = "NAME")]
    pub tls_server_name: Option<String>,
    /// Origin-Host of the client; with several connections, connection N uses
    /// `<N>.<origin-host>` (the server must know these peers).
    #[arg(long, default_value = "bench.client")]
    pub origin_host: String,
    /// The target's DiameterIdentity.
    #[arg(long, default_value = "ocs.gy")]
    pub target_host: String,
    /// Realm of both sides.
    #[arg(long, default_value = "testrealm.local")]
    pub realm: String,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 5.0)]
    pub timeout: f64,
    /// Worker threads of the client (the server needs CPU too on a shared machine).
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Default)]
struct Tally {
    answers: AtomicU64,
    errors: AtomicU64,
}

struct Outcome {
    histogram: Histogram<u64>,
    result_codes: BTreeMap<String, u64>,
    errors: BTreeMap<String, u64>,
}

/// Run the load test; `template` is the raw input (may be empty for the default CCR).
pub fn run(dict: Dictionary, args: &LoadArgs, template: Option<Vec<u8>>) -> anyhow::Result<()> {
    let Some(target) = &args.target else {
        bail!("--target is required");
    };
    let addr = std::net::ToSocketAddrs::to_socket_addrs(target.as_str())
        .with_context(|| format!("resolving {target}"))?
        .next()
        .with_context(|| format!("{target} resolves to no address"))?;
    let template = match template {
        Some(bytes) => Some(parse_template(&dict, &bytes)?),
        None => None,
    };
    let tls = args.tls.then(|| tls_config(args)).transpose()?;
    let rt = if args.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(args.threads)
            .enable_all()
            .build()?
    };
    rt.block_on(drive(Arc::new(dict), args, addr, template, tls))
}

/// The client side of TLS: --ca, and --cert/--key for mutual TLS.
fn tls_config(args: &LoadArgs) -> anyhow::Result<TlsConfig> {
    let ca = args.ca.as_ref().context("--tls needs --ca")?;
    let mut builder = TlsConfig::builder().trust(tls::read_certificates(ca)?);
    if let (Some(cert), Some(key)) = (&args.cert, &args.key) {
        builder =
            builder.client_certificate(tls::read_certificates(cert)?, tls::read_private_key(key)?);
    }
    Ok(builder.build()?)
}

fn parse_template(dict: &Dictionary, bytes: &[u8]) -> anyhow::Result<Message> {
    let text = std::str::from_utf8(bytes).unwrap_or("").trim_start();
    if text.starts_with('{') {
        let doc: serde_json::Value = serde_json::from_str(text).context("template JSON")?;
        return from_json(dict, &doc).context("template JSON");
    }
    let raw = crate::input::message_bytes(bytes)?;
    Message::decode(raw.into()).context("decoding the template")
}

/// The default request: a CCR EVENT for one SMS.
fn default_ccr(origin_host: &str, realm: &str) -> Message {
    let mut m = Message::new(272, 4, CommandFlags::REQUEST | CommandFlags::PROXIABLE);
    let id = |code, s: &str| Avp::new(code, 0, true, &Value::DiameterIdentity(s.into()));
    let u32v = |code, v: u32| Avp::new(code, 0, true, &Value::Unsigned32(v));
    m.push(Avp::new(
        avp::SESSION_ID,
        0,
        true,
        &Value::Utf8String(String::new()),
    ));
    m.push(id(avp::ORIGIN_HOST, origin_host));
    m.push(id(avp::ORIGIN_REALM, realm));
    m.push(id(avp::DESTINATION_REALM, realm));
    m.push(u32v(avp::AUTH_APPLICATION_ID, 4));
    m.push(Avp::new(
        461,
        0,
        true,
        &Value::Utf8String("32274@3gpp.org".into()),
    ));
    m.push(Avp::new(416, 0, true, &Value::Enumerated(4)));
    m.push(u32v(415, 1));
    m.push(Avp::new(1, 0, true, &Value::Utf8String("diameter".into())));
    m
}

async fn connect(
    dict: Arc<Dictionary>,
    args: &LoadArgs,
    addr: std::net::SocketAddr,
    index: usize,
    app_id: u32,
    tls: Option<TlsConfig>,
) -> anyhow::Result<(Node, Application)> {
    let host = if args.connections == 1 {
        args.origin_host.clone()
    } else {
        format!("{index}.{}", args.origin_host)
    };
    let mut config = NodeConfig::new(&host, &args.realm);
    config.max_pending = args.inflight.max(1) * 2;
    config.validate_requests = false;
    let scheme = if tls.is_some() { "aaas" } else { "aaa" };
    config.tls = tls;
    let node = Node::with_dictionary(config, dict);
    let target = args.target.as_deref().unwrap_or_default();
    let server_name = match &args.tls_server_name {
        Some(name) => name.clone(),
        None => target
            .rsplit_once(':')
            .map_or(target, |(host, _)| host)
            .trim_matches(['[', ']'])
            .to_string(),
    };
    let peer = node.add_peer(
        PeerConfig::new(
            &format!("{scheme}://{}:{}", args.target_host, addr.port()),
            &args.realm,
        )?
        .ip_addresses([addr.ip().to_string()])?
        .tls_server_name(&server_name)
        .persistent(true),
    )?;
    let app = node.add_application(AppId::auth(app_id), &[peer])?;
    node.start().await?;
    if let Err(e) = app.wait_for_ready(Duration::from_secs(10)).await {
        let why = node
            .statistics()
            .first()
            .and_then(|s| s.last_connect_error.clone())
            .map_or(String::new(), |e| format!(" (last connect error: {e})"));
        bail!("connection {index} ({host}) to {addr}: {e}{why}");
    }
    Ok((node, app))
}

async fn drive(
    dict: Arc<Dictionary>,
    args: &LoadArgs,
    addr: std::net::SocketAddr,
    template: Option<Message>,
    tls: Option<TlsConfig>,
) -> anyhow::Result<()> {
    let app_id = template.as_ref().map_or(4, |t| t.header.application_id);
    let mut clients = Vec::new();
    for i in 0..args.connections.max(1) {
        clients.push(connect(dict.clone(), args, addr, i, app_id, tls.clone()).await?);
    }
    let tally = Arc::new(Tally::default());
    let outcome = Arc::new(Mutex::new(Outcome {
        histogram: Histogram::new_with_bounds(1, 60_000_000, 3)?,
        result_codes: BTreeMap::new(),
        errors: BTreeMap::new(),
    }));
    let started = Instant::now();
    let until = started + Duration::from_secs_f64(args.duration);
    let timeout = Duration::from_secs_f64(args.timeout);
    let schedule = (args.rate > 0).then(|| Schedule::start(args.rate, until));
    let mut tasks = Vec::new();
    for (node, app) in &clients {
        let mut base_msg = template
            .clone()
            .unwrap_or_else(|| default_ccr(node.origin_host(), node.realm()));
        base_msg.header.end_to_end = 0;
        for _ in 0..args.inflight.max(1) {
            let (node, app, tally, outcome) =
                (node.clone(), app.clone(), tally.clone(), outcome.clone());
            let template = base_msg.clone();
            let schedule = schedule.clone();
            tasks.push(tokio::spawn(async move {
                worker(
                    node, app, template, until, timeout, schedule, tally, outcome,
                )
                .await
            }));
        }
    }
    let progress = {
        let tally = tally.clone();
        tokio::spawn(async move {
            let mut last = 0;
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let now = tally.answers.load(Ordering::Relaxed);
                eprint!(
                    "\r{:>5.1} s  {now} answers  {}/s  {} errors   ",
                    started.elapsed().as_secs_f64(),
                    now - last,
                    tally.errors.load(Ordering::Relaxed)
                );
                last = now;
            }
        })
    };
    for t in tasks {
        t.await?;
    }
    progress.abort();
    eprintln!();
    let elapsed = started.elapsed().as_secs_f64();
    for (node, _) in &clients {
        node.stop(Duration::from_secs(2)).await;
    }
    let outcome = outcome.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
    report(
        args,
        &outcome,
        tally.answers.load(Ordering::Relaxed),
        elapsed,
    );
    Ok(())
}

/// The fixed-rate schedule shared by the workers: request `i` is due at
/// `start + i * interval`, and the workers take the requests in order.
struct Schedule {
    start: Instant,
    interval: Duration,
    next: AtomicU64,
    until: Instant,
}

impl Schedule {
    /// A schedule of `rate` requests per second from now until `until`.
    fn start(rate: u64, until: Instant) -> Arc<Schedule> {
        Arc::new(Schedule {
            start: Instant::now(),
            interval: Duration::from_secs_f64(1.0 / rate as f64),
            next: AtomicU64::new(0),
            until,
        })
    }

    /// Wait for the next request's due time; `None` when the run is over. The time its
    /// latency counts from: the due time when the request is late (the worker was
    /// waiting for answers: the server's delay), else when the timer fired (the
    /// runtime's timer rounds up to the millisecond, which is not the server's doing).
    async fn next(&self) -> Option<Instant> {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        let due = self.start + self.interval.mul_f64(i as f64);
        if due >= self.until {
            return None;
        }
        if due <= Instant::now() {
            return Some(due);
        }
        tokio::time::sleep_until(due.into()).await;
        Some(Instant::now())
    }
}

#[allow(clippy::too_many_arguments)]
async fn worker(
    node: Node,
    app: Application,
    template: Message,
    until: Instant,
    timeout: Duration,
    schedule: Option<Arc<Schedule>>,
    tally: Arc<Tally>,
    outcome: Arc<Mutex<Outcome>>,
) {
    let mut histogram = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("bounds");
    let mut codes: BTreeMap<String, u64> = BTreeMap::new();
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    loop {
        // Latency counts from the scheduled time at a fixed rate, from now otherwise.
        let sent = match &schedule {
            Some(s) => match s.next().await {
                Some(due) => due,
                None => break,
            },
            None => match Instant::now() {
                now if now >= until => break,
                now => now,
            },
        };
        let mut req = template.clone();
        if let Some(s) = req.avps.iter_mut().find(|a| a.is(avp::SESSION_ID, 0)) {
            *s = Avp::new(
                avp::SESSION_ID,
                0,
                true,
                &Value::Utf8String(node.next_session_id()),
            );
        }
        match app.send_request(req, timeout).await {
            Ok(answer) => {
                let us = sent.elapsed().as_micros() as u64;
                let _ = histogram.record(us.max(1));
                let code = base::result_code(&answer).map_or("none".into(), |c| c.to_string());
                *codes.entry(code).or_default() += 1;
                tally.answers.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                let kind = match e {
                    Error::Timeout(_) => "timeout",
                    Error::NotRoutable { .. } => "not routable",
                    Error::TooManyPending(_) => "too many pending",
                    Error::Disconnected(_) => "disconnected",
                    _ => "other",
                };
                *errors.entry(kind.to_string()).or_default() += 1;
                tally.errors.fetch_add(1, Ordering::Relaxed);
                if !matches!(e, Error::Timeout(_)) {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }
    }
    if let Ok(mut o) = outcome.lock() {
        let _ = o.histogram.add(&histogram);
        for (k, v) in codes {
            *o.result_codes.entry(k).or_default() += v;
        }
        for (k, v) in errors {
            *o.errors.entry(k).or_default() += v;
        }
    }
}

fn report(args: &LoadArgs, o: &Outcome, answers: u64, elapsed: f64) {
    let h = &o.histogram;
    let ms = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    let rate = answers as f64 / elapsed;
    if args.json {
        let doc = serde_json::json!({
            "target": args.target,
            "connections": args.connections,
            "inflight": args.inflight,
            "rate": args.rate,
            "tls": args.tls,
            "duration_s": elapsed,
            "answers": answers,
            "answers_per_s": rate,
            "result_codes": o.result_codes,
            "errors": o.errors,
            "latency_ms": {
                "p50": ms(0.5), "p90": ms(0.9), "p99": ms(0.99), "p99.9": ms(0.999),
                "max": h.max() as f64 / 1000.0, "mean": h.mean() / 1000.0,
            },
        });
        println!("{doc}");
        return;
    }
    println!(
        "target {}{}: {} connection(s) x {} in flight, {elapsed:.1} s",
        args.target.as_deref().unwrap_or(""),
        if args.tls { " (TLS)" } else { "" },
        args.connections,
        args.inflight
    );
    if args.rate > 0 {
        println!(
            "fixed rate {}/s; a late request's latency counts from its scheduled time",
            args.rate
        );
    }
    println!("answers: {answers} ({rate:.0}/s)");
    let codes: Vec<String> = o
        .result_codes
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    println!("result codes: {}", codes.join(", "));
    if !o.errors.is_empty() {
        let errs: Vec<String> = o.errors.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        println!("errors: {}", errs.join(", "));
    }
    println!(
        "latency ms: p50 {:.3}, p90 {:.3}, p99 {:.3}, p99.9 {:.3}, max {:.3}",
        ms(0.5),
        ms(0.9),
        ms(0.99),
        ms(0.999),
        h.max() as f64 / 1000.0
    );
}
