//! The dictionary check a receiver makes on every message ([`Validator::validate`]), on the
//! seed CCR and CCA.
//!
//! Run with `cargo bench -p diameter-runtime --bench validate`.

use std::sync::Arc;

use bytes::Bytes;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use diameter_runtime::dict::Dictionary;
use diameter_runtime::message::{Message, Validator};
use diameter_runtime::wire::Limits;

fn seed(hex: &str) -> Message {
    Message::decode(Bytes::from(diameter_runtime::hex::decode(hex).unwrap())).unwrap()
}

fn bench(c: &mut Criterion) {
    let validator = Validator::new(Arc::new(Dictionary::shipped().unwrap()));
    let limits = Limits::default();
    let mut group = c.benchmark_group("validate");
    for (name, hex) in [
        ("seed_ccr", include_str!("../../tests/data/seed_ccr.hex")),
        ("seed_cca", include_str!("../../tests/data/seed_cca.hex")),
    ] {
        let msg = seed(hex);
        validator.validate(&msg, &limits).unwrap();
        group.bench_function(name, |b| {
            b.iter(|| validator.validate(black_box(&msg), &limits).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
