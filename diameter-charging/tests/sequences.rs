//! Charging sequences: the balances and CDRs they leave.

mod support;

use std::time::Duration;

use diameter_charging::{CdrFilter, DisconnectReason, Error, Origin};
use serde_json::json;
use support::*;

fn flags(list: &[&str]) -> Vec<String> {
    list.iter().map(|f| f.to_string()).collect()
}

#[test]
fn sms_events_take_units_then_money_and_store_cdrs() {
    let dir = TempDir::new("sms");
    let engine = engine(&dir, config());
    let store = engine.store().unwrap();
    for (i, expected_cost) in [(1, 0), (2, 0), (3, 50_000)] {
        let reply = engine
            .process_event(
                &sms(&format!("sms-{i}"), "1001"),
                &flags(&["*event", "*accounts", "*cdrs"]),
            )
            .unwrap();
        assert_eq!(reply.max_usage, Some(1), "sms {i} granted");
        assert_eq!(reply.cost, Some(expected_cost), "sms {i} cost");
    }
    assert_eq!(balance(&store, "1001", "*sms"), (0, 0));
    assert_eq!(balance(&store, "1001", "*monetary"), (9_950_000, 0));
    let cdrs = store.cdrs(&CdrFilter::default()).unwrap();
    let mut costs: Vec<(String, i64, i64)> = cdrs
        .iter()
        .map(|c| (c.origin_id.clone(), c.usage, c.cost_micros))
        .collect();
    costs.sort();
    assert_eq!(
        costs,
        [
            ("sms-1".to_string(), 1, 0),
            ("sms-2".to_string(), 1, 0),
            ("sms-3".to_string(), 1, 50_000)
        ]
    );
    assert_eq!(cdrs[0].tor, "*sms");
    assert_eq!(cdrs[0].destination, "+4915112345");
    assert_eq!(cdrs[0].event["Category"], json!("sms"));
    assert_eq!(
        engine
            .process_event(&sms("sms-3", "1001"), &flags(&["*accounts"]))
            .unwrap()
            .to_json(),
        json!({"MaxUsage": {"*default": 1}, "Cost": {"*default": 0.05}}),
        "a repeated event answers the same without a second debit"
    );
    assert_eq!(balance(&store, "1001", "*monetary"), (9_950_000, 0));
}

#[test]
fn out_of_credit_gives_max_usage_zero() {
    let dir = TempDir::new("broke");
    let engine = engine(&dir, config());
    let store = engine.store().unwrap();
    assert_eq!(engine.process_message(&sms("m1", "1002")).unwrap(), 0);
    let reply = engine
        .process_event(&sms("m2", "1002"), &flags(&["*accounts", "*cdrs"]))
        .unwrap();
    assert_eq!(reply.max_usage, Some(0));
    let cdr = &store
        .cdrs(&CdrFilter {
            origin_id: Some("m2".into()),
            ..CdrFilter::default()
        })
        .unwrap()[0];
    assert_eq!(
        (cdr.usage, cdr.cost_micros),
        (0, 0),
        "the CDR carries what was debited"
    );
    let call = event("c1", "1002", "*prepaid", "*voice", "call", "+4930123");
    assert_eq!(engine.authorize(&call).unwrap(), 0);
    assert_eq!(
        engine
            .initiate(&with(call.clone(), "Usage", "60s"))
            .unwrap(),
        0
    );
    assert!(
        store.sessions().unwrap().is_empty(),
        "no session opened without credit"
    );
    assert_eq!(balance(&store, "1002", "*monetary"), (0, 0));
    // Postpaid is not checked.
    let postpaid = event("c2", "1002", "*postpaid", "*voice", "call", "+4930123");
    assert_eq!(
        engine.authorize(&with(postpaid, "Usage", "60s")).unwrap(),
        60 * SECOND
    );
}

#[test]
fn voice_initiate_update_terminate() {
    let dir = TempDir::new("voice");
    let engine = engine(&dir, config());
    let store = engine.store().unwrap();
    let call = event(
        "call-1",
        "1001",
        "*prepaid",
        "*voice",
        "call",
        "+4930123456",
    );
    // 60 s from the *voice balance, 60 s in money: 0.60 + 0.10 connect fee.
    assert_eq!(
        engine
            .authorize(&with(call.clone(), "Usage", "120s"))
            .unwrap(),
        120 * SECOND
    );
    assert_eq!(
        engine
            .initiate(&with(call.clone(), "Usage", "120s"))
            .unwrap(),
        120 * SECOND
    );
    assert_eq!(
        balance(&store, "1001", "*voice"),
        (60 * SECOND, 60 * SECOND)
    );
    assert_eq!(balance(&store, "1001", "*monetary"), (10_000_000, 700_000));
    // 90 s used: 60 s of units, 30 s for 0.30 + 0.10 fee; the next 120 s cost 1.20.
    let update = with(with(call.clone(), "LastUsed", "90s"), "Usage", "120s");
    assert_eq!(engine.update(&update).unwrap(), 120 * SECOND);
    assert_eq!(balance(&store, "1001", "*voice"), (0, 0));
    assert_eq!(balance(&store, "1001", "*monetary"), (9_600_000, 1_200_000));
    engine
        .terminate(&with(call.clone(), "LastUsed", "45s"))
        .unwrap();
    assert_eq!(balance(&store, "1001", "*monetary"), (9_150_000, 0));
    assert!(store.sessions().unwrap().is_empty());
    engine
        .terminate(&with(call.clone(), "LastUsed", "45s"))
        .unwrap();
    assert_eq!(
        balance(&store, "1001", "*monetary"),
        (9_150_000, 0),
        "a repeated terminate debits nothing"
    );
    engine.process_cdr(&with(call, "Usage", "135s")).unwrap();
    let cdrs = store.cdrs(&CdrFilter::default()).unwrap();
    assert_eq!(cdrs.len(), 1);
    assert_eq!(
        (cdrs[0].usage, cdrs[0].cost_micros),
        (135 * SECOND, 850_000)
    );
    assert!(matches!(
        engine.update(&event("nope", "1001", "*prepaid", "*voice", "call", "+49")),
        Err(Error::SessionNotFound)
    ));
}

#[test]
fn prepaid_session_runs_out_of_credit() {
    let dir = TempDir::new("outofcredit");
    let engine = engine(&dir, config());
    let store = engine.store().unwrap();
    let notices = engine.subscribe();
    // 2.50 at 1.20 per minute in whole minutes: 2 minutes.
    let call = event(
        "call-2",
        "1004",
        "*prepaid",
        "*voice",
        "call",
        "+4917012345",
    );
    assert_eq!(
        engine
            .initiate(&with(call.clone(), "Usage", "300s"))
            .unwrap(),
        120 * SECOND
    );
    let update = with(with(call.clone(), "LastUsed", "120s"), "Usage", "300s");
    assert_eq!(engine.update(&update).unwrap(), 0);
    assert_eq!(balance(&store, "1004", "*monetary"), (100_000, 0));
    let notice = notices.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(notice.reason, DisconnectReason::OutOfCredit);
    assert_eq!(
        notice.origin,
        Origin {
            host: "client".into(),
            id: "call-2".into()
        }
    );
    assert_eq!(notice.event.event["Destination"], json!("+4917012345"));
    engine.terminate(&with(call, "LastUsed", "0s")).unwrap();
    assert_eq!(balance(&store, "1004", "*monetary"), (100_000, 0));
}

#[test]
fn data_session_with_two_rating_groups() {
    let dir = TempDir::new("data");
    let engine = engine(
        &dir,
        diameter_charging::EngineConfig {
            cdr_on_terminate: true,
            ..config()
        },
    );
    let store = engine.store().unwrap();
    let rg1 = with(
        event("gx-1_rg1", "1001", "*prepaid", "*data", "rg1", "internet"),
        "InitialOriginID",
        "gx-1",
    );
    let rg2 = with(
        event("gx-1_rg2", "1001", "*prepaid", "*data", "rg2", "internet"),
        "InitialOriginID",
        "gx-1",
    );
    // RG1: 1 MiB from the *data balance, 1 MiB held in money (0.01).
    assert_eq!(
        engine
            .initiate(&with(rg1.clone(), "Usage", 2 * MIB))
            .unwrap(),
        2 * MIB
    );
    // RG2 is free; the *data units are held by RG1.
    assert_eq!(
        engine
            .initiate(&with(rg2.clone(), "Usage", 10 * MIB))
            .unwrap(),
        10 * MIB
    );
    assert_eq!(balance(&store, "1001", "*data"), (MIB, MIB));
    assert_eq!(balance(&store, "1001", "*monetary"), (10_000_000, 10_000));
    // RG1 used 1.5 MiB: 1 MiB of units and 0.5 MiB for 0.005; asks nothing more.
    let used = MIB + MIB / 2;
    assert_eq!(
        engine
            .update(&with(with(rg1.clone(), "LastUsed", used), "Usage", 0))
            .unwrap(),
        0
    );
    engine.terminate(&with(rg1, "LastUsed", 0)).unwrap();
    engine.terminate(&with(rg2, "LastUsed", 10 * MIB)).unwrap();
    assert_eq!(balance(&store, "1001", "*data"), (0, 0));
    assert_eq!(balance(&store, "1001", "*monetary"), (9_995_000, 0));
    let mut cdrs: Vec<(String, i64, i64)> = store
        .cdrs(&CdrFilter::default())
        .unwrap()
        .into_iter()
        .map(|c| (c.origin_id, c.usage, c.cost_micros))
        .collect();
    cdrs.sort();
    assert_eq!(
        cdrs,
        [
            ("gx-1_rg1".into(), used, 5_000),
            ("gx-1_rg2".into(), 10 * MIB, 0)
        ]
    );
}

#[test]
fn postpaid_and_rated_cdrs() {
    let dir = TempDir::new("postpaid");
    let engine = engine(&dir, config());
    let store = engine.store().unwrap();
    // 300 s to a German landline: 0.10 + 5 x 0.60 = 3.10 from a balance of 1.
    let call = with(
        event("pp-1", "1003", "*postpaid", "*voice", "call", "+4930123"),
        "Usage",
        "300s",
    );
    engine.process_cdr(&call).unwrap();
    engine.process_cdr(&call).unwrap();
    assert_eq!(
        balance(&store, "1003", "*monetary"),
        (-2_100_000, 0),
        "debited once, below zero"
    );
    assert_eq!(store.cdrs(&CdrFilter::default()).unwrap().len(), 1);
    let rated = with(
        event("r-1", "1003", "*rated", "*voice", "call", "+4917000"),
        "Usage",
        "61s",
    );
    engine.process_cdr(&rated).unwrap();
    let cdr = &store
        .cdrs(&CdrFilter {
            origin_id: Some("r-1".into()),
            ..CdrFilter::default()
        })
        .unwrap()[0];
    assert_eq!(cdr.cost_micros, 2_400_000, "two whole minutes at 1.20");
    assert_eq!(
        balance(&store, "1003", "*monetary"),
        (-2_100_000, 0),
        "rated debits nothing"
    );
    let unrated = with(
        event("r-2", "1003", "*rated", "*voice", "call", "+33"),
        "Usage",
        "1s",
    );
    assert!(matches!(
        engine.process_cdr(&unrated),
        Err(Error::TariffNotFound)
    ));
}

#[test]
fn repeated_requests_are_charged_once() {
    let dir = TempDir::new("repeat");
    let engine = engine(&dir, config());
    let store = engine.store().unwrap();
    let call = event("call-r", "1001", "*prepaid", "*voice", "call", "+4930")
        .with_opt("*requestNumber", 0);
    engine
        .initiate(&with(call.clone(), "Usage", "60s"))
        .unwrap();
    engine
        .initiate(&with(call.clone(), "Usage", "60s"))
        .unwrap();
    let update = with(call.clone(), "LastUsed", "60s").with_opt("*requestNumber", 1);
    engine.update(&update).unwrap();
    engine.update(&update).unwrap();
    assert_eq!(balance(&store, "1001", "*voice"), (0, 0));
    assert_eq!(store.ledger_total("cgrates.org", "1001").unwrap().0, 1);
    let next = with(call, "LastUsed", "60s").with_opt("*requestNumber", 2);
    engine.update(&next).unwrap();
    assert_eq!(store.ledger_total("cgrates.org", "1001").unwrap().0, 2);
    assert_eq!(balance(&store, "1001", "*monetary").0, 10_000_000 - 700_000);
}

#[test]
fn silent_sessions_are_reaped() {
    let dir = TempDir::new("ttl");
    let engine = engine(&dir, config());
    let store = engine.store().unwrap();
    let notices = engine.subscribe();
    let call = event("call-ttl", "1001", "*prepaid", "*voice", "call", "+4930")
        .with_opt("*sessionsTTL", "1ms")
        .with_opt("*sessionsTTLUsage", "10s");
    engine.initiate(&with(call, "Usage", "60s")).unwrap();
    assert_eq!(
        balance(&store, "1001", "*voice"),
        (60 * SECOND, 60 * SECOND)
    );
    std::thread::sleep(Duration::from_millis(5));
    // The reaper may already have run by itself; either way the session is gone after this.
    engine.reap_expired().unwrap();
    assert!(store.sessions().unwrap().is_empty());
    assert_eq!(
        balance(&store, "1001", "*voice"),
        (50 * SECOND, 0),
        "TTL usage debited, hold released"
    );
    let notice = notices.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(notice.reason, DisconnectReason::Expired);
}

#[test]
fn operator_disconnect_stops_grants() {
    let dir = TempDir::new("disconnect");
    let engine = engine(&dir, config());
    let notices = engine.subscribe();
    let call = event("call-d", "1001", "*prepaid", "*voice", "call", "+4930");
    engine
        .initiate(&with(call.clone(), "Usage", "30s"))
        .unwrap();
    let origin = Origin {
        host: "client".into(),
        id: "call-d".into(),
    };
    engine
        .disconnect_session(&origin, "operator request")
        .unwrap();
    let notice = notices.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(
        notice.reason,
        DisconnectReason::Operator("operator request".into())
    );
    assert_eq!(notice.reason.cause(), "operator request");
    assert_eq!(
        engine
            .update(&with(call.clone(), "LastUsed", "30s"))
            .unwrap(),
        0
    );
    engine.terminate(&with(call, "LastUsed", "0s")).unwrap();
    assert!(matches!(
        engine.disconnect_session(&origin, "again"),
        Err(Error::SessionNotFound)
    ));
}

#[test]
fn errors_read_like_cgrates() {
    let dir = TempDir::new("errors");
    let engine = engine(&dir, config());
    let err = engine.process_message(&sms("x", "9999")).unwrap_err();
    assert_eq!(err.to_string(), "ACCOUNT_NOT_FOUND");
    let mut no_origin = sms("x", "1001");
    no_origin.event.remove("OriginID");
    assert_eq!(
        engine.process_message(&no_origin).unwrap_err().to_string(),
        "MANDATORY_IE_MISSING: [OriginID]"
    );
    let bad_usage = with(sms("y", "1001"), "Usage", "one");
    assert!(engine
        .process_message(&bad_usage)
        .unwrap_err()
        .to_string()
        .starts_with("WRONG_ARGUMENT: Usage"));
    let bad_type = with(sms("z", "1001"), "RequestType", "*free");
    assert!(engine.process_message(&bad_type).is_err());
    // A failed request changes nothing; the next one works.
    assert_eq!(engine.process_message(&sms("ok", "1001")).unwrap(), 1);
    let load = engine
        .load_file(data("missing.json"))
        .unwrap_err()
        .to_string();
    assert!(load.contains("missing.json: file:"), "{load}");
}

#[test]
fn account_loads_show_and_replace_balances() {
    let dir = TempDir::new("load");
    let engine = engine(&dir, config());
    let store = engine.store().unwrap();
    let shown: Vec<String> = store
        .accounts(None, None)
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        shown[0],
        "cgrates.org:1001  *data=1048576  *monetary=10  *sms=2  *voice=1m0s"
    );
    assert_eq!(shown.len(), 4);
    let more = dir.0.join("topup.json");
    std::fs::write(
        &more,
        r#"{"accounts": [{"account": "1002", "balances": {"*monetary": "5.25"}}]}"#,
    )
    .unwrap();
    let summary = engine.load_file(&more).unwrap();
    assert_eq!(
        (summary.accounts, summary.balances, summary.tariffs),
        (1, 1, 0)
    );
    assert_eq!(balance(&store, "1002", "*monetary"), (5_250_000, 0));
}
