//! The CGRateS backend against a test engine speaking Go's JSON-RPC on loopback: every
//! SessionS call's method and parameters, replies and engine errors, failover and round
//! robin between engines, reply timeout, redial after a restart, the engine's AgentV1 calls
//! on a bidirectional link, and the agent answering CCRs while SessionS runs remotely.

mod support;

#[path = "support/cgrates_engine.rs"]
mod cgrates_engine;

#[allow(dead_code)]
#[path = "../../tests/support/agent_client.rs"]
mod agent_client;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use cgrates_engine::{TestEngine, WAIT};
use diameter_agent::backend::{
    AllocatedIp, Attributes, AuthorizeArgs, EventArgs, InitiateArgs, MessageArgs, Routes,
    Subsystems, TerminateArgs, UpdateArgs,
};
use diameter_agent::cgrates::CgratesBackend;
use diameter_agent::control::{ControlFuture, ControlSlot, DisconnectPeerArgs, SessionControl};
use diameter_agent::{result_code, Backend, BackendError, CgrEvent, Config, Server, ServerOptions};
use serde_json::{json, Map, Value};

/// A backend on `conns` (JSON list of `{"address", "transport"}`) with `strategy`, and
/// `general` settings (JSON object members, may be empty).
fn backend_with(strategy: &str, conns: &str, general: &str, slot: ControlSlot) -> CgratesBackend {
    let text = format!(
        r#"{{"general": {{{general}}},
            "rpc_conns": {{"engines": {{"strategy": "{strategy}", "conns": {conns}}}}},
            "diameter_agent": {{"sessions_conns": ["engines"]}}}}"#
    );
    let config = Config::from_str("cgrates.json", &text).unwrap();
    CgratesBackend::from_config(&config, slot).unwrap().unwrap()
}

fn json_conn(engine: &TestEngine) -> String {
    format!(
        r#"{{"address": "{}", "transport": "*json"}}"#,
        engine.addr()
    )
}

/// A backend on the engines, in order, with quick reconnection.
fn backend(strategy: &str, engines: &[&TestEngine]) -> CgratesBackend {
    let conns: Vec<String> = engines.iter().map(|e| json_conn(e)).collect();
    backend_with(
        strategy,
        &format!("[{}]", conns.join(",")),
        r#""max_reconnect_interval": "50ms""#,
        ControlSlot::new(),
    )
}

fn event(id: &str) -> CgrEvent {
    CgrEvent {
        tenant: "cgrates.org".into(),
        id: id.into(),
        time: Some("2026-01-01T10:00:00.123Z".into()),
        event: Map::from_iter([
            ("ToR".to_string(), json!("*voice")),
            ("OriginID".to_string(), json!("sess-1")),
            ("Usage".to_string(), json!(300_000_000_000i64)),
        ]),
        api_opts: Map::from_iter([("*sessionsDebitInterval".to_string(), json!("10s"))]),
    }
}

async fn bounded<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(WAIT, f).await.expect("bounded wait")
}

/// The CGREvent keys, flat in the parameters as Go's embedded structs are.
fn assert_flat_event(params: &Value, id: &str) {
    assert_eq!(params["Tenant"], "cgrates.org", "{params}");
    assert_eq!(params["ID"], id);
    assert_eq!(params["Time"], "2026-01-01T10:00:00.123Z");
    assert_eq!(params["Event"]["OriginID"], "sess-1");
    assert_eq!(params["Event"]["Usage"], json!(300_000_000_000i64));
    assert_eq!(params["APIOpts"]["*sessionsDebitInterval"], "10s");
}

#[tokio::test]
async fn every_sessions_call_has_cgrates_method_and_shape() {
    let engine = TestEngine::start().await;
    let b = backend("*first", &[&engine]);
    let subsystems = Subsystems {
        force_duration: true,
        process_thresholds: true,
        threshold_ids: Some(vec!["TH1".into()]),
        ..Subsystems::default()
    };
    let attributes = Attributes {
        get_attributes: true,
        attribute_ids: None,
    };

    bounded(b.authorize(AuthorizeArgs {
        get_max_usage: true,
        attributes: attributes.clone(),
        subsystems: subsystems.clone(),
        routes: Routes {
            get_routes: true,
            routes_max_cost: "*disconnect".into(),
            routes_ignore_errors: false,
        },
        event: event("a1"),
        ..AuthorizeArgs::default()
    }))
    .await
    .unwrap();
    bounded(b.initiate(InitiateArgs {
        init_session: true,
        allocate_resources: true,
        attributes: attributes.clone(),
        subsystems: subsystems.clone(),
        event: event("i1"),
        ..InitiateArgs::default()
    }))
    .await
    .unwrap();
    bounded(b.update(UpdateArgs {
        update_session: true,
        event: event("u1"),
        ..UpdateArgs::default()
    }))
    .await
    .unwrap();
    bounded(b.terminate(TerminateArgs {
        terminate_session: true,
        release_ip: true,
        event: event("t1"),
        ..TerminateArgs::default()
    }))
    .await
    .unwrap();
    bounded(b.message(MessageArgs {
        debit: true,
        event: event("m1"),
        ..MessageArgs::default()
    }))
    .await
    .unwrap();
    bounded(b.event(EventArgs {
        flags: vec!["*accounts".into(), "*rals:*initiate".into()],
        event: event("e1"),
        ..EventArgs::default()
    }))
    .await
    .unwrap();
    bounded(b.cdr(event("c1"))).await.unwrap();

    let calls = engine.wait_calls(7).await;
    let methods: Vec<&str> = calls.iter().map(|c| c.method.as_str()).collect();
    assert_eq!(
        methods,
        [
            "SessionSv1.AuthorizeEvent",
            "SessionSv1.InitiateSession",
            "SessionSv1.UpdateSession",
            "SessionSv1.TerminateSession",
            "SessionSv1.ProcessMessage",
            "SessionSv1.ProcessEvent",
            "SessionSv1.ProcessCDR",
        ]
    );
    for (call, id) in calls.iter().zip(["a1", "i1", "u1", "t1", "m1", "e1", "c1"]) {
        assert_flat_event(&call.params, id);
    }
    let p = |i: usize, key: &str| calls[i].params[key].clone();
    // AuthorizeEvent: its switches, the shared ones, routes; no pagination when unset.
    for (key, value) in [
        ("GetMaxUsage", json!(true)),
        ("AuthorizeResources", json!(false)),
        ("AuthorizeIP", json!(false)),
        ("GetAttributes", json!(true)),
        ("AttributeIDs", Value::Null),
        ("ForceDuration", json!(true)),
        ("ProcessThresholds", json!(true)),
        ("ProcessStats", json!(false)),
        ("ThresholdIDs", json!(["TH1"])),
        ("StatIDs", Value::Null),
        ("GetRoutes", json!(true)),
        ("RoutesMaxCost", json!("*disconnect")),
        ("RoutesIgnoreErrors", json!(false)),
    ] {
        assert_eq!(p(0, key), value, "AuthorizeEvent {key}");
    }
    assert!(calls[0].params.get("Limit").is_none());
    assert_eq!(p(1, "InitSession"), json!(true));
    assert_eq!(p(1, "AllocateResources"), json!(true));
    assert_eq!(p(1, "AllocateIP"), json!(false));
    assert_eq!(p(2, "UpdateSession"), json!(true));
    assert_eq!(p(3, "TerminateSession"), json!(true));
    assert_eq!(p(3, "ReleaseIP"), json!(true));
    assert_eq!(p(4, "Debit"), json!(true));
    assert_eq!(p(5, "Flags"), json!(["*accounts", "*rals:*initiate"]));
    // ProcessCDR: the CGREvent alone.
    let keys: Vec<&String> = calls[6].params.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["APIOpts", "Event", "ID", "Tenant", "Time"]);
}

#[tokio::test]
async fn replies_decode_into_the_agents_shapes() {
    let engine = TestEngine::start().await;
    engine.reply(
        "SessionSv1.AuthorizeEvent",
        Ok(json!({
            "MaxUsage": 120_000_000_000i64,
            "ThresholdIDs": ["T1"],
            "AllocatedIP": {"ProfileID": "P", "PoolID": "POOL", "Message": "", "Address": "10.0.0.9"},
            "ResourceAllocation": "RES1",
            "Attributes": null
        })),
    );
    engine.reply(
        "SessionSv1.ProcessEvent",
        Ok(json!({"MaxUsage": {"*raw": 5, "*default": 60_000_000_000i64}, "Cost": {"*default": 0.25}})),
    );
    let b = backend("*first", &[&engine]);
    let reply = bounded(b.authorize(AuthorizeArgs::default()))
        .await
        .unwrap();
    assert_eq!(reply.max_usage, Some(120_000_000_000));
    assert_eq!(reply.threshold_ids, Some(vec!["T1".to_string()]));
    assert_eq!(reply.resource_allocation.as_deref(), Some("RES1"));
    assert_eq!(
        reply.allocated_ip,
        Some(AllocatedIp {
            profile_id: "P".into(),
            pool_id: "POOL".into(),
            message: String::new(),
            address: "10.0.0.9".into(),
        })
    );
    assert_eq!(reply.attributes, None);
    let reply = bounded(b.event(EventArgs::default())).await.unwrap();
    assert_eq!(
        reply.max_usage,
        Some(BTreeMap::from([
            ("*default".to_string(), 60_000_000_000),
            ("*raw".to_string(), 5)
        ]))
    );
    assert_eq!(reply.cost.unwrap()["*default"], 0.25);

    // A reply of the wrong shape is an error, not a panic.
    engine.reply("SessionSv1.UpdateSession", Ok(json!("OK")));
    let e = bounded(b.update(UpdateArgs::default())).await.unwrap_err();
    assert!(
        e.0.starts_with("SERVER_ERROR: cannot decode the reply"),
        "{e}"
    );
}

#[tokio::test]
async fn engine_errors_are_answers_not_failover() {
    let first = TestEngine::start().await;
    let second = TestEngine::start().await;
    first.reply(
        "SessionSv1.InitiateSession",
        Err("RALS_ERROR:NOT_ENOUGH_BALANCE".into()),
    );
    first.reply("SessionSv1.ProcessCDR", Err("NOT_FOUND".into()));
    let b = backend("*first", &[&first, &second]);
    let e = bounded(b.initiate(InitiateArgs::default()))
        .await
        .unwrap_err();
    assert_eq!(e, BackendError("RALS_ERROR:NOT_ENOUGH_BALANCE".into()));
    let e = bounded(b.cdr(event("c"))).await.unwrap_err();
    assert_eq!(e.0, "NOT_FOUND");
    assert_eq!(first.calls().len(), 2);
    assert!(second.calls().is_empty(), "{:?}", second.calls());
}

#[tokio::test]
async fn first_fails_over_then_returns_to_the_first() {
    let first = TestEngine::start().await;
    let second = TestEngine::start().await;
    let first_addr = first.addr();
    let b = backend("*first", &[&first, &second]);
    assert_eq!(bounded(b.connect()).await, 2);

    bounded(b.cdr(event("c1"))).await.unwrap();
    assert_eq!(first.methods(), ["SessionSv1.ProcessCDR"]);

    first.stop();
    for id in ["c2", "c3"] {
        bounded(b.cdr(event(id))).await.unwrap();
    }
    let ids: Vec<Value> = second
        .calls()
        .iter()
        .map(|c| c.params["ID"].clone())
        .collect();
    assert_eq!(ids, [json!("c2"), json!("c3")]);

    // The first engine comes back: once redialled, calls go to it again.
    let first = TestEngine::start_on(first_addr).await;
    bounded(async {
        while first.calls().is_empty() {
            b.cdr(event("again")).await.unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await;
    let before = second.calls().len();
    bounded(b.cdr(event("last"))).await.unwrap();
    assert_eq!(first.calls().last().unwrap().params["ID"], "last");
    assert_eq!(second.calls().len(), before);
}

#[tokio::test]
async fn next_alternates_between_engines() {
    let a = TestEngine::start().await;
    let c = TestEngine::start().await;
    let b = backend("*next", &[&a, &c]);
    assert_eq!(bounded(b.connect()).await, 2);
    for id in ["1", "2", "3", "4"] {
        bounded(b.cdr(event(id))).await.unwrap();
    }
    let ids = |e: &TestEngine| -> Vec<Value> {
        e.calls().iter().map(|c| c.params["ID"].clone()).collect()
    };
    assert_eq!(ids(&a), [json!("1"), json!("3")]);
    assert_eq!(ids(&c), [json!("2"), json!("4")]);

    // With one engine down, round robin skips it.
    c.stop();
    for id in ["5", "6"] {
        bounded(b.cdr(event(id))).await.unwrap();
    }
    assert_eq!(ids(&a)[2..], [json!("5"), json!("6")]);
}

#[tokio::test]
async fn reply_timeout_gives_an_error() {
    let engine = TestEngine::start().await;
    engine.go_silent();
    let b = backend_with(
        "*first",
        &format!("[{}]", json_conn(&engine)),
        r#""reply_timeout": "100ms""#,
        ControlSlot::new(),
    );
    let e = bounded(b.initiate(InitiateArgs::default()))
        .await
        .unwrap_err();
    assert_eq!(e.0, "REPLY_TIMEOUT");
    assert_eq!(engine.methods(), ["SessionSv1.InitiateSession"]);
}

#[tokio::test]
async fn no_engine_gives_disconnected() {
    // A port nobody listens on: bind one, then free it.
    let addr = TestEngine::start().await.addr();
    let b = backend_with(
        "*first",
        &format!(r#"[{{"address": "{addr}"}}]"#),
        r#""connect_attempts": 1"#,
        ControlSlot::new(),
    );
    let e = bounded(b.cdr(event("x"))).await.unwrap_err();
    assert_eq!(e.0, "DISCONNECTED");
}

#[tokio::test]
async fn redials_after_the_engine_restarts() {
    let engine = TestEngine::start().await;
    let addr = engine.addr();
    let b = backend("*first", &[&engine]);
    bounded(b.cdr(event("before"))).await.unwrap();
    engine.stop();

    let engine = TestEngine::start_on(addr).await;
    bounded(async {
        while b.cdr(event("after")).await.is_err() {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await;
    assert_eq!(engine.calls()[0].params["ID"], "after");
}

/// A SessionControl recording the calls it gets.
#[derive(Default)]
struct Recorder(Mutex<Vec<String>>);

impl SessionControl for Recorder {
    fn disconnect_session(&self, event: CgrEvent) -> ControlFuture<'_> {
        let origin = event.event["OriginID"].as_str().unwrap_or("").to_string();
        let cause = event.event["DisconnectCause"]
            .as_str()
            .unwrap_or("")
            .to_string();
        self.0
            .lock()
            .unwrap()
            .push(format!("disconnect {origin} {cause}"));
        Box::pin(async { Ok(()) })
    }
    fn alter_session(&self, _: CgrEvent) -> ControlFuture<'_> {
        Box::pin(async { Err(BackendError("TIMED_OUT".into())) })
    }
    fn disconnect_peer(&self, args: DisconnectPeerArgs) -> ControlFuture<'_> {
        self.0
            .lock()
            .unwrap()
            .push(format!("dpr {}", args.origin_host));
        Box::pin(async { Ok(()) })
    }
}

fn disconnect_event() -> Value {
    json!({"Tenant": "cgrates.org", "ID": "d1",
           "Event": {"OriginID": "sess-1", "DisconnectCause": "INSUFFICIENT_CREDIT"}})
}

#[tokio::test]
async fn the_engine_calls_agent_v1_on_the_same_link() {
    let engine = TestEngine::start().await;
    let slot = ControlSlot::new();
    let b = backend_with(
        "*first",
        &format!(
            r#"[{{"address": "{}", "transport": "*birpc_json"}}]"#,
            engine.addr()
        ),
        "",
        slot.clone(),
    );
    assert_eq!(bounded(b.connect()).await, 1);

    // No server yet: an error text, not a panic.
    let e = engine
        .call_agent("AgentV1.DisconnectSession", disconnect_event())
        .await
        .unwrap_err();
    assert!(e.starts_with("SERVER_ERROR"), "{e}");

    let recorder = Arc::new(Recorder::default());
    assert!(slot.set(recorder.clone()));
    let reply = engine
        .call_agent("AgentV1.DisconnectSession", disconnect_event())
        .await;
    assert_eq!(reply, Ok(json!("OK")));
    let reply = engine
        .call_agent(
            "AgentV1.DisconnectPeer",
            json!({"OriginHost": "client.test", "OriginRealm": "test", "DisconnectCause": 2, "RemoteAddr": ""}),
        )
        .await;
    assert_eq!(reply, Ok(json!("OK")));
    assert_eq!(
        *recorder.0.lock().unwrap(),
        ["disconnect sess-1 INSUFFICIENT_CREDIT", "dpr client.test"]
    );
    let reply = engine
        .call_agent("AgentV1.AlterSession", disconnect_event())
        .await;
    assert_eq!(reply, Err("TIMED_OUT".into()));
    for method in ["AgentV1.GetActiveSessionIDs", "AgentV1.WarnDisconnect"] {
        assert_eq!(
            engine.call_agent(method, json!({})).await,
            Err("NOT_IMPLEMENTED".into())
        );
    }
    assert_eq!(
        engine.call_agent("AgentV1.Reboot", json!({})).await,
        Err("rpc: can't find method AgentV1.Reboot".into())
    );

    // Calls of the agent still work on the same link, interleaved.
    bounded(b.cdr(event("c"))).await.unwrap();
    assert_eq!(engine.methods(), ["SessionSv1.ProcessCDR"]);
}

#[tokio::test]
async fn a_json_link_serves_no_agent_v1() {
    let engine = TestEngine::start().await;
    let slot = ControlSlot::new();
    slot.set(Arc::new(Recorder::default()));
    let b = backend("*first", &[&engine]);
    assert_eq!(bounded(b.connect()).await, 1);
    assert_eq!(
        engine
            .call_agent("AgentV1.DisconnectSession", disconnect_event())
            .await,
        Err("rpc: can't find service AgentV1.DisconnectSession".into())
    );
}

// ---- the agent end to end ------------------------------------------------------------------

/// The Origin-Host and realm of the test's Diameter client.
const CLIENT: &str = "client.test";
const REALM: &str = "cgrates.org";

/// `msg` as our client sends it: its identity, the agent's realm, numbered by the node.
fn from_client(mut msg: diameter_runtime::message::Message) -> diameter_runtime::message::Message {
    use diameter_runtime::message::Avp;
    use diameter_runtime::wire::value::Value as AvpValue;
    for avp in &mut msg.avps {
        let value = match avp.code {
            264 => AvpValue::DiameterIdentity(CLIENT.into()),
            283 | 296 => AvpValue::DiameterIdentity(REALM.into()),
            _ => continue,
        };
        *avp = Avp::new(avp.code, 0, avp.flags.is_mandatory(), &value);
    }
    msg.header.end_to_end = 0;
    msg
}

async fn client(
    server: &Server<CgratesBackend>,
) -> (
    diameter_runtime::node::Node,
    diameter_runtime::app::Application,
) {
    agent_client::client(server.local_addrs()[0], CLIENT, REALM, WAIT).await
}

fn example(name: &str) -> String {
    support::example(name)
}

/// An example configuration whose SessionS calls go to `engine` over `transport`.
fn remote_config(name: &str, engine: &TestEngine, transport: &str) -> Config {
    let text = example(name);
    let sessions = r#""sessions_conns": ["*internal"]"#;
    assert!(text.contains(sessions), "{name}");
    let general = r#""general": {"#;
    assert!(text.contains(general), "{name}");
    let rpc_conns = format!(
        r#""rpc_conns": {{"engine": {{"conns": [{{"address": "{}", "transport": "{transport}"}}]}}}},"#,
        engine.addr()
    );
    let text = text
        .replace(sessions, r#""sessions_conns": ["engine"]"#)
        .replace(general, &format!("{rpc_conns}\n{general}"));
    let config = Config::from_str(name, &text).unwrap();
    assert!(config.rpc_conns.contains_key("engine"));
    config
}

async fn start_agent(config: &Config) -> Server<CgratesBackend> {
    let backend = CgratesBackend::from_config(config, ControlSlot::new())
        .unwrap()
        .expect("sessions_conns names the engine");
    let dict = Arc::new(diameter_agent::load_dictionary(config).unwrap());
    let options = ServerOptions {
        listen: Some(vec!["127.0.0.1:0".parse().unwrap()]),
        ..ServerOptions::default()
    };
    Server::start(config, dict, backend, options).await.unwrap()
}

#[tokio::test]
async fn the_agent_answers_a_ccr_with_sessions_over_json_rpc() {
    let engine = TestEngine::start().await;
    let config = remote_config("sms.json", &engine, "*json");
    let server = start_agent(&config).await;
    let (node, app) = client(&server).await;

    let cca = app
        .send_request(from_client(support::seed_ccr()), WAIT)
        .await
        .unwrap();
    assert_eq!(result_code(&cca), Some(2001));

    let calls = engine.wait_calls(1).await;
    assert_eq!(calls[0].method, "SessionSv1.ProcessCDR");
    let params = &calls[0].params;
    assert_eq!(params["Tenant"], "cgrates.org");
    assert_eq!(params["Event"]["ToR"], "*sms");
    assert_eq!(params["Event"]["Account"], "41780000001");
    assert_eq!(
        params["Event"]["OriginID"],
        "smsgw.gy;65000000;00000000;00000001"
    );

    // An engine error: the example's reply fields answer 5030.
    engine.reply("SessionSv1.ProcessCDR", Err("SERVER_ERROR".into()));
    let cca = app
        .send_request(from_client(support::seed_ccr()), WAIT)
        .await
        .unwrap();
    assert_eq!(result_code(&cca), Some(5030));

    node.stop(WAIT).await;
    server.stop(WAIT).await;
}

/// A voice CCR-Initial asking for 300 s, from subscriber 1001.
fn voice_ccr_i(session: &str) -> diameter_runtime::message::Message {
    let dict = support::dict();
    let mut avps = support::ccr_base(&dict, session, "32260@3gpp.org", 1, 0);
    avps.push(support::group(
        &dict,
        "Subscription-Id",
        vec![
            support::leaf(&dict, "Subscription-Id-Type", "0"),
            support::leaf(&dict, "Subscription-Id-Data", "1001"),
        ],
    ));
    avps.push(support::group(
        &dict,
        "Multiple-Services-Credit-Control",
        vec![support::group(
            &dict,
            "Requested-Service-Unit",
            vec![support::leaf(&dict, "CC-Time", "300")],
        )],
    ));
    from_client(support::ccr(avps))
}

/// CC-Time of the Granted-Service-Unit of the first MSCC.
fn granted_time(cca: &diameter_runtime::message::Message) -> Option<u32> {
    let mscc = cca.avps.iter().find(|a| a.code == 456)?;
    let gsu = mscc
        .children()
        .map(Result::unwrap)
        .find(|a| a.code == 431)?;
    let time = gsu.children().map(Result::unwrap).find(|a| a.code == 420)?;
    Some(u32::from_be_bytes(time.data()[..4].try_into().unwrap()))
}

#[tokio::test]
async fn granted_time_is_the_engines_max_usage_over_birpc() {
    let engine = TestEngine::start().await;
    engine.reply(
        "SessionSv1.InitiateSession",
        Ok(json!({"MaxUsage": 120_000_000_000i64})),
    );
    let config = remote_config("voice.json", &engine, "*birpc_json");
    let server = start_agent(&config).await;
    let (node, app) = client(&server).await;

    let cca = app
        .send_request(voice_ccr_i("voice;1"), WAIT)
        .await
        .unwrap();
    assert_eq!(result_code(&cca), Some(2001));
    assert_eq!(granted_time(&cca), Some(120));
    let calls = engine.wait_calls(1).await;
    assert_eq!(calls[0].method, "SessionSv1.InitiateSession");
    assert_eq!(calls[0].params["InitSession"], true);
    assert_eq!(calls[0].params["GetAttributes"], true);
    assert_eq!(calls[0].params["Event"]["Usage"], "300s");
    assert_eq!(calls[0].params["Event"]["Account"], "1001");
    assert_eq!(calls[0].params["APIOpts"]["*sessionsDebitInterval"], "10s");

    // The engine disconnects the session through the server's control (forced_disconnect
    // *none: nothing is sent, the answer is OK).
    let reply = engine
        .call_agent(
            "AgentV1.DisconnectSession",
            json!({"Tenant": "cgrates.org", "ID": "d1",
                   "Event": {"OriginID": "voice;1", "DisconnectCause": "INSUFFICIENT_CREDIT"}}),
        )
        .await;
    assert_eq!(reply, Ok(json!("OK")));

    engine.reply(
        "SessionSv1.InitiateSession",
        Err("RALS_ERROR:NOT_ENOUGH_BALANCE".into()),
    );
    let cca = app
        .send_request(voice_ccr_i("voice;2"), WAIT)
        .await
        .unwrap();
    assert_eq!(result_code(&cca), Some(5030));

    node.stop(WAIT).await;
    server.stop(WAIT).await;
}
