//! `diameter bench --target HOST:PORT`: a network load generator. Opens `--connections`
//! client nodes to the target, keeps `--inflight` requests outstanding on each, and
//! reports throughput, Result-Codes and latency percentiles.

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
    /// Total requests per second to aim at (0: as fast as answers come).
    #[arg(long, default_value_t = 0)]
    pub rate: u64,
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
    rt.block_on(drive(Arc::new(dict), args, addr, template))
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
) -> anyhow::Result<(Node, Application)> {
    let host = if args.connections == 1 {
        args.origin_host.clone()
    } else {
        format!("{index}.{}", args.origin_host)
    };
    let mut config = NodeConfig::new(&host, &args.realm);
    config.max_pending = args.inflight.max(1) * 2;
    config.validate_requests = false;
    let node = Node::with_dictionary(config, dict);
    let peer = node.add_peer(
        PeerConfig::new(
            &format!("aaa://{}:{}", args.target_host, addr.port()),
            &args.realm,
        )?
        .ip_addresses([addr.ip().to_string()])?
        .persistent(true),
    )?;
    let app = node.add_application(AppId::auth(app_id), &[peer])?;
    node.start().await?;
    app.wait_for_ready(Duration::from_secs(10))
        .await
        .with_context(|| format!("connection {index} ({host}) to {addr}"))?;
    Ok((node, app))
}

async fn drive(
    dict: Arc<Dictionary>,
    args: &LoadArgs,
    addr: std::net::SocketAddr,
    template: Option<Message>,
) -> anyhow::Result<()> {
    let app_id = template.as_ref().map_or(4, |t| t.header.application_id);
    let mut clients = Vec::new();
    for i in 0..args.connections.max(1) {
        clients.push(connect(dict.clone(), args, addr, i, app_id).await?);
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
    let workers = clients.len() * args.inflight.max(1);
    let pace = (args.rate > 0).then(|| Duration::from_secs_f64(workers as f64 / args.rate as f64));
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
            tasks.push(tokio::spawn(async move {
                worker(node, app, template, until, timeout, pace, tally, outcome).await
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

#[allow(clippy::too_many_arguments)]
async fn worker(
    node: Node,
    app: Application,
    template: Message,
    until: Instant,
    timeout: Duration,
    pace: Option<Duration>,
    tally: Arc<Tally>,
    outcome: Arc<Mutex<Outcome>>,
) {
    let mut histogram = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("bounds");
    let mut codes: BTreeMap<String, u64> = BTreeMap::new();
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    let mut next = tokio::time::Instant::now();
    while Instant::now() < until {
        if let Some(p) = pace {
            tokio::time::sleep_until(next).await;
            next += p;
        }
        let mut req = template.clone();
        if let Some(s) = req.avps.iter_mut().find(|a| a.is(avp::SESSION_ID, 0)) {
            *s = Avp::new(
                avp::SESSION_ID,
                0,
                true,
                &Value::Utf8String(node.next_session_id()),
            );
        }
        let sent = Instant::now();
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
        "target {}: {} connection(s) x {} in flight, {elapsed:.1} s",
        args.target.as_deref().unwrap_or(""),
        args.connections,
        args.inflight
    );
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
