//! `Agent::handle` on the tutorial's SMS CCR with the in-memory backend.
//!
//! `cargo bench -p diameter-agent --bench handle`

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use criterion::{criterion_group, criterion_main, Criterion};
use diameter_agent::{Agent, Config, MemoryBackend};
use diameter_runtime::message::Message;

/// Poll a future that never waits (the in-memory backend answers at once).
fn ready<F: Future>(f: F) -> F::Output {
    const VTABLE: RawWakerVTable = RawWakerVTable::new(
        |_| RawWaker::new(std::ptr::null(), &VTABLE),
        |_| {},
        |_| {},
        |_| {},
    );
    // SAFETY: the vtable functions ignore the data pointer.
    let waker = unsafe { Waker::from_raw(RawWaker::new(std::ptr::null(), &VTABLE)) };
    let mut cx = Context::from_waker(&waker);
    match pin!(f).as_mut().poll(&mut cx) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("the in-memory backend does not wait"),
    }
}

fn bench(c: &mut Criterion) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let config = Config::load(format!("{root}/examples/agent/sms.json")).unwrap();
    let dict = Arc::new(diameter_agent::load_dictionary(&config).unwrap());
    let backend = MemoryBackend::new();
    backend.set_recording(false);
    let agent = Agent::new(&config, dict, backend).unwrap();
    let hex = std::fs::read_to_string(format!("{root}/tests/data/seed_ccr.hex")).unwrap();
    let bytes = bytes::Bytes::from(diameter_runtime::hex::decode(&hex).unwrap());
    let ccr = Message::decode(bytes.clone()).unwrap();
    assert_eq!(
        diameter_agent::result_code(&ready(agent.handle(ccr.clone()))),
        Some(2001)
    );

    c.bench_function("handle seed CCR (sms.json, memory backend)", |b| {
        b.iter(|| ready(agent.handle(ccr.clone())))
    });
    let minimal = Config::from_str(
        "minimal.json",
        r#"{"diameter_agent": {"request_processors": [{"id": "cca", "flags": ["*none"],
            "reply_fields": [{"type": "*template", "value": "*cca"}]}]}}"#,
    )
    .unwrap();
    let minimal = Agent::new(
        &minimal,
        agent.dictionary().clone().into(),
        MemoryBackend::new(),
    )
    .unwrap();
    c.bench_function("handle seed CCR (*none, *cca only)", |b| {
        b.iter(|| ready(minimal.handle(ccr.clone())))
    });
    c.bench_function("decode + handle + encode seed CCR", |b| {
        b.iter(|| ready(agent.handle(Message::decode(bytes.clone()).unwrap())).encode())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
