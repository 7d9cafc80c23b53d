//! The dynamic message model on the seed CCR: decode, read three values by path, re-encode,
//! and the full dictionary check a receiver makes ([`Validator::validate`]).
//!
//! Run with `cargo bench --bench dynamic_message`.

use std::sync::Arc;

use bytes::Bytes;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use diameter::dict::Dictionary;
use diameter::message::{Message, Path, Validator};
use diameter::wire::Limits;

fn seed_ccr() -> Bytes {
    Bytes::from(diameter::hex::decode(include_str!("../tests/data/seed_ccr.hex")).unwrap())
}

fn bench(c: &mut Criterion) {
    let dict = Dictionary::shipped().unwrap();
    let bytes = seed_ccr();
    let paths: Vec<Path> = [
        "Subscription-Id.Subscription-Id-Data",
        "Multiple-Services-Credit-Control.Requested-Service-Unit.CC-Service-Specific-Units",
        "Service-Information.SMS-Information.Recipient-Info.Recipient-Address.Address-Data",
    ]
    .iter()
    .map(|p| Path::compile(&dict, 4, p).unwrap())
    .collect();
    let msg = Message::decode(bytes.clone()).unwrap();

    let mut group = c.benchmark_group("seed_ccr");
    group.bench_function("decode", |b| {
        b.iter(|| Message::decode(black_box(bytes.clone())).unwrap())
    });
    group.bench_function("read_3_paths", |b| {
        b.iter(|| {
            for path in &paths {
                let avp = black_box(&msg).get(path).unwrap();
                black_box(avp.value(path.data_type()).unwrap());
            }
        })
    });
    group.bench_function("encode", |b| b.iter(|| black_box(&msg).encode()));
    group.bench_function("decode_read_encode", |b| {
        b.iter(|| {
            let msg = Message::decode(black_box(bytes.clone())).unwrap();
            for path in &paths {
                black_box(msg.get(path).unwrap().value(path.data_type()).unwrap());
            }
            msg.encode()
        })
    });
    let validator = Validator::new(Arc::new(dict.clone()));
    let limits = Limits::default();
    validator.validate(&msg, &limits).unwrap();
    group.bench_function("validate", |b| {
        b.iter(|| validator.validate(black_box(&msg), &limits).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
