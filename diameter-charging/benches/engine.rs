//! Charging requests per second with durable commits (WAL, `synchronous=FULL`, group
//! commit): ProcessMessage, and sessions (initiate + update + terminate = 3 requests).
//!
//! `cargo bench -p diameter-charging --bench engine`; criterion's `thrpt` is requests per
//! second and `time` the wall time per request at that rate. The parameter is how many
//! rounds are in flight at once (an agent's concurrent Diameter requests), submitted
//! without blocking as an async agent does; with 1 every request waits for its own flush
//! to the disk, which is the cost of one durable commit.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use diameter_charging::{parse_json, CgrEvent, Engine, EngineConfig, Handle, Reply, Request, Sync};

static NEXT: AtomicU64 = AtomicU64::new(0);

const SETUP: &str = r#"{
  "accounts": [{"account": "bench", "balances": {"*monetary": 1000000000, "*sms": 0}}],
  "tariffs": [
    {"id": "SMS", "tor": "*sms", "category": "sms", "rate": 0.01},
    {"id": "VOICE", "tor": "*voice", "category": "call", "connect_fee": 0.05,
     "rate": 0.6, "rate_unit": "60s", "rate_increment": "1s"}
  ]
}"#;

fn open(dir: &std::path::Path, sync: Sync) -> Engine {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let engine = Engine::open(
        dir.join("bench.db"),
        EngineConfig {
            sync,
            ..EngineConfig::default()
        },
    )
    .unwrap();
    engine
        .load(parse_json(std::path::Path::new("bench.json"), SETUP, "cgrates.org").unwrap())
        .unwrap();
    engine
}

fn event(tor: &str, category: &str) -> CgrEvent {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    CgrEvent::new([
        ("ToR", tor),
        ("OriginID", &format!("bench-{n}")),
        ("OriginHost", "bench"),
        ("RequestType", "*prepaid"),
        ("Account", "bench"),
        ("Destination", "+4930123"),
        ("Category", category),
    ])
}

fn with(mut ev: CgrEvent, name: &str, value: &str) -> CgrEvent {
    ev.event.insert(name.into(), value.into());
    ev
}

/// Complete `iters` rounds with `window` rounds in flight, submitted the way an async
/// agent does ([`Handle::submit`], no thread per request); the elapsed wall time.
fn run_window(engine: &Engine, window: u64, iters: u64, round: Round) -> Duration {
    let (done_tx, done_rx) = mpsc::channel();
    let rounds = Arc::new(Rounds {
        to_start: AtomicI64::new(iters as i64),
        to_finish: AtomicI64::new(iters as i64),
        finished: Mutex::new(Some(done_tx)),
    });
    let start = Instant::now();
    for _ in 0..window.min(iters) {
        start_round(engine.handle(), rounds.clone(), round);
    }
    done_rx.recv().unwrap();
    start.elapsed()
}

/// Rounds of one measurement.
struct Rounds {
    to_start: AtomicI64,
    to_finish: AtomicI64,
    /// Told when the last round finished.
    finished: Mutex<Option<mpsc::Sender<()>>>,
}

impl Rounds {
    fn finish_one(&self) {
        if self.to_finish.fetch_sub(1, Ordering::Relaxed) == 1 {
            if let Some(tx) = self.finished.lock().unwrap().take() {
                let _ = tx.send(());
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Round {
    /// One ProcessMessage.
    Message,
    /// Initiate, update, terminate of one session.
    Session,
}

/// Start one round if the budget allows; when it ends, report it and start the next.
fn start_round(handle: Handle, rounds: Arc<Rounds>, round: Round) {
    if rounds.to_start.fetch_sub(1, Ordering::Relaxed) <= 0 {
        return;
    }
    let next = move |h: Handle| {
        rounds.finish_one();
        start_round(h, rounds, round);
    };
    match round {
        Round::Message => {
            let sms = with(event("*sms", "sms"), "Usage", "1");
            let h = handle.clone();
            handle.submit(Request::Message(sms), move |reply| {
                assert_eq!(reply.unwrap(), Reply::MaxUsage(1));
                next(h);
            });
        }
        Round::Session => {
            let call = event("*voice", "call");
            let update = with(with(call.clone(), "LastUsed", "60s"), "Usage", "60s");
            let terminate = with(call.clone(), "LastUsed", "20s");
            let h = handle.clone();
            handle.submit(
                Request::Initiate(with(call, "Usage", "60s")),
                move |reply| {
                    assert_eq!(reply.unwrap(), Reply::MaxUsage(60_000_000_000));
                    let h2 = h.clone();
                    h.submit(Request::Update(update), move |reply| {
                        assert_eq!(reply.unwrap(), Reply::MaxUsage(60_000_000_000));
                        let h3 = h2.clone();
                        h2.submit(Request::Terminate(terminate), move |reply| {
                            assert_eq!(reply.unwrap(), Reply::Ok);
                            next(h3);
                        });
                    });
                },
            );
        }
    }
}

fn bench(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("diameter-charging-bench-{}", std::process::id()));
    for (sync, label) in [(Sync::Full, "durable"), (Sync::Normal, "os_buffered")] {
        let engine = open(&dir, sync);
        let mut group = c.benchmark_group(format!("charging_{label}"));
        group.measurement_time(Duration::from_secs(5));
        group.sample_size(20);
        let windows: &[u64] = if sync == Sync::Full {
            &[1, 64, 256]
        } else {
            &[64]
        };
        for &window in windows {
            group.throughput(Throughput::Elements(1));
            group.bench_with_input(
                BenchmarkId::new("process_message", window),
                &window,
                |b, &w| b.iter_custom(|iters| run_window(&engine, w, iters, Round::Message)),
            );
            group.throughput(Throughput::Elements(3));
            group.bench_with_input(
                BenchmarkId::new("initiate_update_terminate", window),
                &window,
                |b, &w| b.iter_custom(|iters| run_window(&engine, w, iters, Round::Session)),
            );
        }
        group.finish();
        drop(engine);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench);
criterion_main!(benches);
