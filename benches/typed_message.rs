//! Typed messages on the seed CCR: decode into `CreditControlRequest`, encode it, both, and
//! building it from scratch; python-diameter's decode+encode of the same bytes is timed in
//! the same run (when python3 with python-diameter is installed) for comparison.
//!
//! Run with `cargo bench --bench typed_message`.

use std::process::Command as Process;

use bytes::Bytes;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use diameter::commands::credit_control::*;
use diameter::typed::Command;

fn seed_ccr() -> Bytes {
    Bytes::from(diameter::hex::decode(include_str!("../tests/data/seed_ccr.hex")).unwrap())
}

#[path = "../tests/support/typed_seed_ccr.rs"]
mod typed_seed_ccr;

/// The seed CCR built from scratch with the generated types.
fn build() -> CreditControlRequest {
    typed_seed_ccr::seed_ccr()
}

fn python_ns() -> Option<f64> {
    let script = r#"
import pathlib, sys, time
from diameter.message import Message
raw = bytes.fromhex(pathlib.Path(sys.argv[1]).read_text().strip())
assert Message.from_bytes(raw).as_bytes() == raw
n = 5000
start = time.perf_counter_ns()
for _ in range(n):
    Message.from_bytes(raw).as_bytes()
print((time.perf_counter_ns() - start) / n)
"#;
    let hex = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/seed_ccr.hex");
    let out = Process::new("python3")
        .args(["-c", script, hex])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8(out.stdout).ok()?.trim().parse().ok()
}

fn bench(c: &mut Criterion) {
    let bytes = seed_ccr();
    let ccr = CreditControlRequest::decode(bytes.clone()).unwrap();
    assert_eq!(ccr.encode(), bytes);

    let mut group = c.benchmark_group("typed_seed_ccr");
    group.bench_function("decode", |b| {
        b.iter(|| CreditControlRequest::decode(black_box(bytes.clone())).unwrap())
    });
    group.bench_function("encode", |b| b.iter(|| black_box(&ccr).encode()));
    group.bench_function("decode_encode", |b| {
        b.iter(|| {
            CreditControlRequest::decode(black_box(bytes.clone()))
                .unwrap()
                .encode()
        })
    });
    group.bench_function("build_encode", |b| b.iter(|| build().encode()));
    group.finish();

    match python_ns() {
        Some(ns) => println!(
            "python-diameter decode+encode of the seed CCR: {ns:.0} ns/message ({:.0} per second)",
            1e9 / ns
        ),
        None => println!("python-diameter not available: no comparison"),
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
