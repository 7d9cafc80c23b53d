//! Typed messages on the seed CCR: decode into `CreditControlRequest`, encode it, both, and
//! building it from scratch; python-diameter's decode+encode of the same bytes is timed in
//! the same run (when python3 with python-diameter is installed) for comparison.
//!
//! Run with `cargo bench --bench typed_message`.

use std::process::Command as Process;

use bytes::Bytes;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use diameter::commands::credit_control::*;
use diameter::constants::*;
use diameter::typed::Command;
use diameter::wire::Time;

fn seed_ccr() -> Bytes {
    Bytes::from(diameter::hex::decode(include_str!("../tests/data/seed_ccr.hex")).unwrap())
}

// Field by field, as the tutorial assigns attributes.
#[allow(clippy::field_reassign_with_default)]
fn build() -> CreditControlRequest {
    let mut ccr = CreditControlRequest::default();
    ccr.session_id = "smsgw.gy;65000000;00000000;00000001".into();
    ccr.origin_host = "smsgw.gy".into();
    ccr.origin_realm = "testrealm.local".into();
    ccr.destination_realm = "testrealm.local".into();
    ccr.auth_application_id = APP_DIAMETER_CREDIT_CONTROL_APPLICATION;
    ccr.service_context_id = "32274@3gpp.org".into();
    ccr.cc_request_type = E_CC_REQUEST_TYPE_EVENT_REQUEST;
    ccr.cc_request_number = 1;
    ccr.user_name = Some("diameter".into());
    ccr.event_timestamp = Some(Time::from_ntp(0xe93d_fba5));
    ccr.requested_action = Some(E_REQUESTED_ACTION_DIRECT_DEBITING);
    ccr.add_subscription_id(SubscriptionId::new(
        E_SUBSCRIPTION_ID_TYPE_END_USER_E164,
        "41780000001",
    ));
    ccr.add_multiple_services_credit_control(MultipleServicesCreditControl {
        requested_service_unit: Some(Box::new(RequestedServiceUnit {
            cc_service_specific_units: Some(1),
            ..Default::default()
        })),
        service_identifier: vec![1],
        ..Default::default()
    });
    ccr.service_information = Some(Box::new(ServiceInformation {
        sms_information: Some(Box::new(SmsInformation {
            data_coding_scheme: Some(8),
            sm_message_type: Some(E_SM_MESSAGE_TYPE_SUBMISSION),
            recipient_info: vec![RecipientInfo {
                recipient_address: vec![RecipientAddress {
                    address_type: Some(E_ADDRESS_TYPE_MSISDN),
                    address_data: Some("41780000002".into()),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        })),
        ..Default::default()
    }));
    ccr
}

/// python-diameter's decode+encode of the seed CCR, in ns per message, when it can be run.
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
