//! The agent over TCP on loopback, with the SMS example configuration: the seed's CCR and
//! one built with the typed API produce the tutorial's event at the backend and a CCA with
//! 2001; MaxUsage 0 gives 4012, a backend error 5030, an unmatched request the `*err`
//! answer; an unknown command 3001, an unknown application 3007; `concurrent_requests`
//! gives 3004 while a slow backend holds requests, and `synced_conn_requests` answers one
//! request of a connection at a time. python-diameter's tutorial client gets 2001 too.

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use diameter::commands::credit_control::*;
use diameter::constants::*;
use diameter::message::{Avp, Message};
use diameter::typed::Command;
use diameter::wire::{CommandFlags, Time, Value};
use diameter_agent::backend::{
    AuthorizeArgs, EventArgs, EventReply, InitiateArgs, MessageArgs, SessionReply, TerminateArgs,
    UpdateArgs,
};
use diameter_agent::{
    result_code, Backend, BackendError, Call, CgrEvent, Config, MemoryBackend, Server,
    ServerOptions,
};
use diameter_runtime::app::Application;
use diameter_runtime::node::Node;
use diameter_runtime::peer::capabilities::{self, Capabilities};
use diameter_runtime::peer::AppId;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[path = "support/agent_client.rs"]
mod agent_client;

use agent_client::sms_with;

/// The Origin-Host of our test clients (the agent knows these peers).
const CLIENT: &str = "client.test";
const RAW_CLIENT: &str = "raw.client.test";
const PY_CLIENT: &str = "smsgw.gy";
const REALM: &str = "cgrates.org";
const WAIT: Duration = Duration::from_secs(10);

fn root() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}

/// Start the agent on a free loopback port.
async fn start<B: Backend>(config: &Config, backend: B) -> Server<B> {
    let dict = Arc::new(diameter_agent::load_dictionary(config).unwrap());
    let options = ServerOptions {
        listen: Some(vec!["127.0.0.1:0".parse().unwrap()]),
        peers: vec![CLIENT.into(), RAW_CLIENT.into(), PY_CLIENT.into()],
        timers: None,
        skip_validation: false,
    };
    Server::start(config, dict, backend, options).await.unwrap()
}

async fn client(addr: SocketAddr) -> (Node, Application) {
    agent_client::client(addr, CLIENT, REALM, WAIT).await
}

/// The seed's CCR as sent by `origin_host` in our realm, with its own Session-Id.
fn seed_ccr(origin_host: &str, session: &str) -> Message {
    let hex = include_str!("data/seed_ccr.hex");
    let mut msg = Message::decode(diameter::hex::decode(hex).unwrap().into()).unwrap();
    for avp in &mut msg.avps {
        let mandatory = avp.flags.is_mandatory();
        let value = match avp.code {
            263 => Value::Utf8String(session.into()),
            264 => Value::DiameterIdentity(origin_host.into()),
            283 | 296 => Value::DiameterIdentity(REALM.into()),
            _ => continue,
        };
        *avp = Avp::new(avp.code, 0, mandatory, &value);
    }
    // The node numbers the request.
    msg.header.end_to_end = 0;
    msg
}

async fn send(app: &Application, msg: Message) -> Message {
    app.send_request(msg, WAIT).await.unwrap()
}

/// The text of the first top-level AVP `code` of `msg`.
fn text(msg: &Message, code: u32) -> Option<String> {
    msg.avps
        .iter()
        .find(|a| a.code == code)
        .map(|a| String::from_utf8_lossy(&a.data()).into_owned())
}

/// The event the tutorial's SMS CCR with Session-Id `session` implies.
fn seed_event(session: &str) -> serde_json::Value {
    json!({
        "ToR": "*sms",
        "OriginID": session,
        "OriginHost": "CGR-DA",
        "RequestType": "*prepaid",
        "Category": "sms",
        "Account": "41780000001",
        // 41780000002 is neither 49- nor 3312-prefixed: the second Destination rule applies.
        "Destination": "+0041780000002",
        "SetupTime": "2024-01-02T03:04:05Z",
        "AnswerTime": "2024-01-02T03:04:05Z",
        "Usage": "1",
    })
}

/// The events of the ProcessCDR calls received so far.
fn cdr_events(backend: &MemoryBackend) -> Vec<CgrEvent> {
    backend
        .take_calls()
        .into_iter()
        .map(|c| match c {
            Call::Cdr(e) => e,
            other => panic!("expected ProcessCDR, got {other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn seed_ccr_over_tcp_reaches_the_backend_and_gets_2001() {
    let server = start(&sms_with(&[]), MemoryBackend::new()).await;
    let (node, app) = client(server.local_addrs()[0]).await;

    let cca = send(&app, seed_ccr(CLIENT, "client.test;1;seed")).await;
    assert_eq!(result_code(&cca), Some(2001));
    assert!(!cca.header.flags.is_error() && !cca.is_request());
    assert_eq!(text(&cca, 263).as_deref(), Some("client.test;1;seed"));
    assert_eq!(text(&cca, 264).as_deref(), Some("CGR-DA"));
    assert_eq!(text(&cca, 296).as_deref(), Some("cgrates.org"));

    let events = cdr_events(server.agent().backend());
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].tenant, "cgrates.org");
    assert_eq!(
        serde_json::Value::Object(events[0].event.clone()),
        seed_event("client.test;1;seed")
    );

    node.stop(WAIT).await;
    server.stop(WAIT).await;
}

/// The tutorial's CCR built with the generated types, for another subscriber.
fn typed_ccr(session: &str, account: &str, recipient: &str) -> Message {
    let mut ccr = CreditControlRequest {
        session_id: session.into(),
        origin_host: CLIENT.into(),
        origin_realm: REALM.into(),
        destination_realm: REALM.into(),
        auth_application_id: APP_DIAMETER_CREDIT_CONTROL_APPLICATION,
        service_context_id: "32274@3gpp.org".into(),
        cc_request_type: E_CC_REQUEST_TYPE_EVENT_REQUEST,
        cc_request_number: 0,
        event_timestamp: Some(Time::from_unix(1_735_689_600).unwrap()),
        requested_action: Some(E_REQUESTED_ACTION_DIRECT_DEBITING),
        ..Default::default()
    };
    ccr.add_subscription_id(SubscriptionId::new(
        E_SUBSCRIPTION_ID_TYPE_END_USER_IMSI,
        "262010000000001",
    ));
    ccr.add_subscription_id(SubscriptionId::new(
        E_SUBSCRIPTION_ID_TYPE_END_USER_E164,
        account,
    ));
    ccr.add_multiple_services_credit_control(MultipleServicesCreditControl {
        requested_service_unit: Some(Box::new(RequestedServiceUnit {
            cc_service_specific_units: Some(3),
            ..Default::default()
        })),
        service_identifier: vec![7],
        ..Default::default()
    });
    ccr.service_information = Some(Box::new(ServiceInformation {
        sms_information: Some(Box::new(SmsInformation {
            recipient_info: vec![RecipientInfo {
                recipient_address: vec![RecipientAddress {
                    address_type: Some(E_ADDRESS_TYPE_MSISDN),
                    address_data: Some(recipient.into()),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        })),
        ..Default::default()
    }));
    ccr.to_message()
}

#[tokio::test]
async fn typed_client_ccr_gets_2001_and_the_substituted_destination() {
    let server = start(&sms_with(&[]), MemoryBackend::new()).await;
    let (node, app) = client(server.local_addrs()[0]).await;

    // 0049...: the first Destination rule gives +49171..., and the second one applies too
    // (the text does not start with 49 or 3312) and overwrites it with +00 and the digits.
    let cca = send(
        &app,
        typed_ccr("client.test;2;typed", "1001", "00491710000001"),
    )
    .await;
    assert_eq!(result_code(&cca), Some(2001));
    let events = cdr_events(server.agent().backend());
    assert_eq!(events.len(), 1);
    let event = &events[0].event;
    assert_eq!(event["Account"], json!("1001"), "Subscription-Id of type 0");
    assert_eq!(
        event["OriginID"],
        json!("client.test;2;typed"),
        "the Session-Id"
    );
    assert_eq!(event["Usage"], json!("3"));
    assert_eq!(event["SetupTime"], json!("2025-01-01T00:00:00Z"));
    assert_eq!(event["Destination"], json!("+0000491710000001"));

    // 49-prefixed: only the first rule applies.
    let cca = send(
        &app,
        typed_ccr("client.test;3;typed", "1002", "491710000002"),
    )
    .await;
    assert_eq!(result_code(&cca), Some(2001));
    let events = cdr_events(server.agent().backend());
    assert_eq!(events[0].event["Destination"], json!("+491710000002"));
    assert_eq!(events[0].event["Account"], json!("1002"));

    node.stop(WAIT).await;
    server.stop(WAIT).await;
}

#[tokio::test]
async fn max_usage_zero_gives_4012_and_a_backend_error_5030() {
    // ProcessMessage returns MaxUsage: the seed's reply rules test it.
    let config = sms_with(&[(
        r#""flags": ["*event", "*accounts", "*cdrs"]"#,
        r#""flags": ["*message", "*accounts", "*cdrs"]"#,
    )]);
    let server = start(&config, MemoryBackend::new()).await;
    let (node, app) = client(server.local_addrs()[0]).await;
    let backend = server.agent().backend();

    backend.set_max_usage(Some(0));
    let cca = send(&app, seed_ccr(CLIENT, "client.test;4;zero")).await;
    assert_eq!(result_code(&cca), Some(4012));
    assert!(!cca.header.flags.is_error());
    let calls = backend.take_calls();
    assert!(
        matches!(&calls[..], [Call::Message(m), Call::Cdr(_)] if m.debit),
        "{calls:?}"
    );

    backend.set_max_usage(Some(60_000_000_000));
    let cca = send(&app, seed_ccr(CLIENT, "client.test;5;granted")).await;
    assert_eq!(result_code(&cca), Some(2001));

    backend.set_error(Some("ACCOUNT_NOT_FOUND"));
    let cca = send(&app, seed_ccr(CLIENT, "client.test;6;error")).await;
    assert_eq!(result_code(&cca), Some(5030));
    assert_eq!(text(&cca, 263).as_deref(), Some("client.test;6;error"));

    node.stop(WAIT).await;
    server.stop(WAIT).await;
}

#[tokio::test]
async fn unmatched_request_gets_the_err_answer_and_unknown_command_3001() {
    let server = start(&sms_with(&[]), MemoryBackend::new()).await;
    let (node, app) = client(server.local_addrs()[0]).await;

    // CC-Request-Type INITIAL: the SMS processor asks for EVENT, nothing matches.
    let mut ccr = seed_ccr(CLIENT, "client.test;7;initial");
    let crt = ccr.avps.iter_mut().find(|a| a.code == 416).unwrap();
    *crt = Avp::new(416, 0, true, &Value::Enumerated(1));
    let answer = send(&app, ccr).await;
    assert_eq!(result_code(&answer), Some(5012));
    assert!(answer.header.flags.is_error());
    let codes: Vec<u32> = answer.avps.iter().map(|a| a.code).collect();
    assert_eq!(
        codes,
        [268, 263, 264, 296],
        "*err: Result-Code, then its template"
    );
    assert_eq!(text(&answer, 263).as_deref(), Some("client.test;7;initial"));
    assert!(server.agent().backend().calls().is_empty());

    let mut unknown = Message::new(999, 4, CommandFlags::REQUEST | CommandFlags::PROXIABLE);
    for (code, v) in [
        (263, Value::Utf8String("client.test;8;unknown".into())),
        (264, Value::DiameterIdentity(CLIENT.into())),
        (296, Value::DiameterIdentity(REALM.into())),
        (283, Value::DiameterIdentity(REALM.into())),
    ] {
        unknown.push(Avp::new(code, 0, true, &v));
    }
    let answer = send(&app, unknown).await;
    assert_eq!(result_code(&answer), Some(3001));
    assert!(answer.header.flags.is_error());
    assert_eq!(answer.header.command_code, 999);

    node.stop(WAIT).await;
    server.stop(WAIT).await;
}

/// A bare TCP client: CER/CEA by hand, then any request, even for an application it did not
/// advertise.
struct RawClient(tokio::net::TcpStream);

impl RawClient {
    async fn connect(addr: SocketAddr) -> RawClient {
        let (client, cea) = RawClient::cer_as(addr, RAW_CLIENT, REALM).await;
        assert_eq!(result_code(&cea), Some(2001), "CEA");
        client
    }

    /// Connect and send a CER as `host` of `realm`; the connection and the CEA.
    async fn cer_as(addr: SocketAddr, host: &str, realm: &str) -> (RawClient, Message) {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let mut client = RawClient(stream);
        let caps = Capabilities {
            origin_host: host.into(),
            origin_realm: realm.into(),
            host_ip_addresses: vec!["127.0.0.1".parse().unwrap()],
            vendor_id: 0,
            product_name: "raw".into(),
            origin_state_id: None,
            supported_vendor_ids: Vec::new(),
            applications: vec![AppId::auth(4)],
            inband_security_ids: Vec::new(),
            firmware_revision: None,
        };
        let cea = client.exchange(capabilities::cer(&caps)).await;
        (client, cea)
    }

    async fn exchange(&mut self, msg: Message) -> Message {
        self.0.write_all(&msg.encode()).await.unwrap();
        let mut head = [0u8; 4];
        tokio::time::timeout(WAIT, self.0.read_exact(&mut head))
            .await
            .expect("an answer in time")
            .unwrap();
        let len = u32::from_be_bytes([0, head[1], head[2], head[3]]) as usize;
        let mut frame = head.to_vec();
        frame.resize(len, 0);
        self.0.read_exact(&mut frame[4..]).await.unwrap();
        Message::decode(Bytes::from(frame)).unwrap()
    }
}

#[tokio::test]
async fn unknown_application_gets_3007() {
    let server = start(&sms_with(&[]), MemoryBackend::new()).await;
    let mut raw = RawClient::connect(server.local_addrs()[0]).await;
    let mut ccr = seed_ccr(RAW_CLIENT, "raw;1;app");
    ccr.header.application_id = 16_777_999;
    ccr.header.hop_by_hop = 77;
    ccr.header.end_to_end = 78;
    let answer = raw.exchange(ccr).await;
    assert_eq!(result_code(&answer), Some(3007));
    assert!(answer.header.flags.is_error());
    assert_eq!(
        (answer.header.hop_by_hop, answer.header.end_to_end),
        (77, 78)
    );
    // The same connection still serves the known application.
    let mut ccr = seed_ccr(RAW_CLIENT, "raw;2;app");
    ccr.header.hop_by_hop = 79;
    assert_eq!(result_code(&raw.exchange(ccr).await), Some(2001));
    server.stop(WAIT).await;
}

#[tokio::test]
async fn by_default_any_host_and_realm_is_served_and_the_processor_sees_the_remote_address() {
    let config = sms_with(&[(
        r#""value": "~*req.Service-Information.SMS-Information.Originator-SCCP-Address"},"#,
        r#""value": "~*req.Service-Information.SMS-Information.Originator-SCCP-Address"},
        {"tag": "RemoteHost", "path": "*cgreq.RemoteHost", "type": "*variable",
            "value": "~*vars.RemoteHost"},"#,
    )]);
    let dict = Arc::new(diameter_agent::load_dictionary(&config).unwrap());
    let options = ServerOptions {
        listen: Some(vec!["127.0.0.1:0".parse().unwrap()]),
        ..ServerOptions::default()
    };
    let server = Server::start(&config, dict, MemoryBackend::new(), options)
        .await
        .unwrap();
    let addr = server.local_addrs()[0];
    let (mut one, cea) = RawClient::cer_as(addr, "one.stranger.test", "elsewhere.net").await;
    assert_eq!(
        result_code(&cea),
        Some(2001),
        "a host the agent does not know"
    );
    let (mut two, cea) = RawClient::cer_as(addr, "two.stranger.test", "elsewhere.net").await;
    assert_eq!(
        result_code(&cea),
        Some(2001),
        "another one at the same time"
    );
    for (i, raw) in [&mut one, &mut two].into_iter().enumerate() {
        let mut ccr = seed_ccr("stranger.test", &format!("stranger;{i};remote"));
        let realm = ccr.avps.iter_mut().find(|a| a.code == 283).unwrap();
        *realm = Avp::new(283, 0, true, &Value::DiameterIdentity("other.realm".into()));
        ccr.header.hop_by_hop = 90 + i as u32;
        ccr.header.end_to_end = 90 + i as u32;
        let answer = raw.exchange(ccr).await;
        assert_eq!(result_code(&answer), Some(2001), "any Destination-Realm");
        let events = cdr_events(server.agent().backend());
        let local = raw.0.local_addr().unwrap().to_string();
        assert_eq!(events[0].event["RemoteHost"], json!(local));
    }
    server.stop(WAIT).await;
}

#[tokio::test]
async fn with_peers_listed_another_host_gets_3010() {
    let server = start(&sms_with(&[]), MemoryBackend::new()).await;
    let (_raw, cea) = RawClient::cer_as(server.local_addrs()[0], "stranger.test", REALM).await;
    assert_eq!(result_code(&cea), Some(3010));
    server.stop(WAIT).await;
}

/// The in-memory backend, holding every call while `hold` is set until a permit is added to
/// `release`.
struct Held {
    memory: MemoryBackend,
    hold: AtomicBool,
    arrived: AtomicUsize,
    release: tokio::sync::Semaphore,
}

impl Held {
    fn new() -> Held {
        Held {
            memory: MemoryBackend::new(),
            hold: AtomicBool::new(true),
            arrived: AtomicUsize::new(0),
            release: tokio::sync::Semaphore::new(0),
        }
    }

    async fn gate(&self) {
        self.arrived.fetch_add(1, Ordering::SeqCst);
        if self.hold.load(Ordering::SeqCst) {
            self.release.acquire().await.unwrap().forget();
        }
    }
}

impl Backend for Held {
    async fn authorize(&self, args: AuthorizeArgs) -> Result<SessionReply, BackendError> {
        self.gate().await;
        self.memory.authorize(args).await
    }
    async fn initiate(&self, args: InitiateArgs) -> Result<SessionReply, BackendError> {
        self.gate().await;
        self.memory.initiate(args).await
    }
    async fn update(&self, args: UpdateArgs) -> Result<SessionReply, BackendError> {
        self.gate().await;
        self.memory.update(args).await
    }
    async fn terminate(&self, args: TerminateArgs) -> Result<(), BackendError> {
        self.gate().await;
        self.memory.terminate(args).await
    }
    async fn message(&self, args: MessageArgs) -> Result<SessionReply, BackendError> {
        self.gate().await;
        self.memory.message(args).await
    }
    async fn event(&self, args: EventArgs) -> Result<EventReply, BackendError> {
        self.gate().await;
        self.memory.event(args).await
    }
    async fn cdr(&self, event: CgrEvent) -> Result<(), BackendError> {
        self.gate().await;
        self.memory.cdr(event).await
    }
}

/// Wait (bounded) until `cond` holds.
async fn until(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < WAIT, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_exceeded_gives_3004_through_the_err_template() {
    let config = sms_with(&[(
        r#""concurrent_requests": -1"#,
        r#""concurrent_requests": 1"#,
    )]);
    assert_eq!(config.concurrency_limit(), Some(1));
    let server = start(&config, Held::new()).await;
    let (node, app) = client(server.local_addrs()[0]).await;
    let backend = server.agent().backend();

    let first = {
        let app = app.clone();
        tokio::spawn(async move { send(&app, seed_ccr(CLIENT, "client.test;9;held")).await })
    };
    until("the first request at the backend", || {
        backend.arrived.load(Ordering::SeqCst) == 1
    })
    .await;
    let busy = send(&app, seed_ccr(CLIENT, "client.test;10;busy")).await;
    assert_eq!(result_code(&busy), Some(3004));
    assert!(busy.header.flags.is_error());
    assert_eq!(text(&busy, 263).as_deref(), Some("client.test;10;busy"));
    assert_eq!(text(&busy, 264).as_deref(), Some("CGR-DA"));
    assert_eq!(backend.arrived.load(Ordering::SeqCst), 1);

    backend.release.add_permits(1);
    assert_eq!(result_code(&first.await.unwrap()), Some(2001));
    // The slot is free again.
    backend.hold.store(false, Ordering::SeqCst);
    let cca = send(&app, seed_ccr(CLIENT, "client.test;11;after")).await;
    assert_eq!(result_code(&cca), Some(2001));

    node.stop(WAIT).await;
    server.stop(WAIT).await;
}

/// Requests of the client received by the agent's node so far.
fn ccrs_received<B: Backend>(server: &Server<B>) -> u64 {
    server
        .node()
        .statistics()
        .iter()
        .filter(|s| s.host == CLIENT)
        .filter_map(|s| s.received.requests.get(&272).copied())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn synced_conn_requests_answers_one_request_of_a_connection_at_a_time() {
    for synced in [false, true] {
        let config = sms_with(&[(
            r#""synced_conn_requests": false"#,
            if synced {
                r#""synced_conn_requests": true"#
            } else {
                r#""synced_conn_requests": false"#
            },
        )]);
        let server = start(&config, Held::new()).await;
        let (node, app) = client(server.local_addrs()[0]).await;
        let backend = server.agent().backend();

        let mut answers = Vec::new();
        for (i, session) in ["client.test;12;a", "client.test;13;b"].iter().enumerate() {
            let (app, session) = (app.clone(), session.to_string());
            answers.push(tokio::spawn(async move {
                send(&app, seed_ccr(CLIENT, &session)).await
            }));
            until("the request at the agent", || {
                ccrs_received(&server) == i as u64 + 1
            })
            .await;
        }
        if synced {
            // The second waits for the first, held at the backend.
            until("the first request at the backend", || {
                backend.arrived.load(Ordering::SeqCst) >= 1
            })
            .await;
            assert_eq!(backend.arrived.load(Ordering::SeqCst), 1);
        } else {
            until("both requests at the backend", || {
                backend.arrived.load(Ordering::SeqCst) == 2
            })
            .await;
        }
        backend.release.add_permits(2);
        for a in answers {
            assert_eq!(result_code(&a.await.unwrap()), Some(2001));
        }
        node.stop(WAIT).await;
        server.stop(WAIT).await;
    }
}

#[tokio::test]
async fn cgrates_dictionaries_serve_as_dictionaries_path() {
    let root = std::env::var("DIAMETER_REFERENCE_DICTS")
        .unwrap_or_else(|_| format!("{}/../shared/reference-dicts", root()));
    let path = std::path::Path::new(&root).join("cgrates");
    if !path.is_dir() {
        eprintln!(
            "skipped cgrates_dictionaries_serve_as_dictionaries_path: {} not found (set DIAMETER_REFERENCE_DICTS)",
            path.display()
        );
        return;
    }
    // The whole folder, sy/ included: its Sy commands replace the shipped ones.
    let mut config = sms_with(&[]);
    config.agent.dictionaries_path = Some(path.clone());
    let server = start(&config, MemoryBackend::new()).await;
    let (node, app) = client(server.local_addrs()[0]).await;
    let cca = send(&app, seed_ccr(CLIENT, "client.test;14;dicts")).await;
    assert_eq!(result_code(&cca), Some(2001));
    let events = cdr_events(server.agent().backend());
    assert_eq!(
        serde_json::Value::Object(events[0].event.clone()),
        seed_event("client.test;14;dicts")
    );
    node.stop(WAIT).await;
    server.stop(WAIT).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_diameter_tutorial_client_gets_2001() {
    let test = "python_diameter_tutorial_client_gets_2001";
    if !common::python::have_python_diameter(test) {
        return;
    }
    let server = start(&sms_with(&[]), MemoryBackend::new()).await;
    let port = server.local_addrs()[0].port();
    let client = common::python::seed_client(port, "CGR-DA", REALM, Some("2024-01-02T03:04:05"));
    let (stdout, stderr) = tokio::task::spawn_blocking(move || {
        common::process::run_bounded(client, Duration::from_secs(60))
    })
    .await
    .unwrap();
    assert_eq!(stdout.trim(), "2001", "python stderr:\n{stderr}");
    let events = cdr_events(server.agent().backend());
    assert_eq!(events.len(), 1);
    // The client numbers its sessions itself: OriginID is its Session-Id.
    let session = events[0].event["OriginID"].as_str().unwrap_or_default();
    assert!(session.starts_with("smsgw.gy;"), "{session}");
    assert_eq!(
        serde_json::Value::Object(events[0].event.clone()),
        seed_event(session)
    );
    server.stop(WAIT).await;
}
