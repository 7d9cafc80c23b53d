//! Agent-initiated requests on loopback TCP: a runtime client (accepted as a dynamic peer)
//! sends a CCR, then the server's `SessionControl` makes it receive an ASR built from the
//! default `*asr` template (origin and destination of the CCR swapped), an RAR whose RAA
//! decides the outcome (2001, another code, no Result-Code, no answer), and a DPR.

#[path = "../../tests/support/session_client.rs"]
mod session_client;
mod support;

use std::time::Duration;

use diameter_agent::backend::CgrEvent;
use diameter_agent::control::DisconnectPeerArgs;
use diameter_agent::{result_code, Config, MemoryBackend, Server, ServerOptions};
use diameter_runtime::message::Message;
use serde_json::{json, Value};
use session_client::{number, text, Reply, SessionClient};
use support::{ccr, dict, leaf};

const CLIENT: &str = "client.example";
const REALM: &str = "example.org";
const WAIT: Duration = Duration::from_secs(20);

fn config(forced_disconnect: &str) -> Config {
    let text = format!(
        r#"{{"diameter_agent": {{
            "asr_template": "*asr", "rar_template": "*rar", "forced_disconnect": "{forced_disconnect}",
            "request_processors": [{{"id": "all", "filters": ["*string:~*vars.*cmd:CCR"],
                "flags": ["*none"], "reply_fields": [{{"type": "*template", "value": "*cca"}}]}}]}}}}"#
    );
    Config::from_str("control.json", &text).unwrap()
}

async fn start(config: &Config, skip_validation: bool) -> Server<MemoryBackend> {
    let options = ServerOptions {
        listen: Some(vec!["127.0.0.1:0".parse().unwrap()]),
        skip_validation,
        ..ServerOptions::default()
    };
    Server::start(config, dict(), MemoryBackend::new(), options)
        .await
        .unwrap()
}

/// A CCR of `session` from the client to the agent, CC-Request-Type `kind`.
fn client_ccr(session: &str, kind: u32) -> Message {
    let d = dict();
    ccr(vec![
        leaf(&d, "Session-Id", session),
        leaf(&d, "Origin-Host", CLIENT),
        leaf(&d, "Origin-Realm", REALM),
        leaf(&d, "Destination-Host", "CGR-DA"),
        leaf(&d, "Destination-Realm", "cgrates.org"),
        leaf(&d, "Auth-Application-Id", "4"),
        leaf(&d, "Service-Context-Id", "32260@3gpp.org"),
        leaf(&d, "CC-Request-Type", &kind.to_string()),
        leaf(&d, "CC-Request-Number", "0"),
    ])
}

async fn session(client: &SessionClient, session: &str, kind: u32) {
    let cca = client
        .app
        .send_request(client_ccr(session, kind), WAIT)
        .await
        .unwrap();
    assert_eq!(result_code(&cca), Some(2001));
}

fn origin(id: &str) -> CgrEvent {
    let Value::Object(event) = json!({"OriginID": id, "DisconnectCause": "FORCED"}) else {
        unreachable!()
    };
    CgrEvent {
        event,
        ..CgrEvent::default()
    }
}

#[tokio::test]
async fn disconnect_session_sends_the_asr_of_the_template() {
    let server = start(&config("*asr"), false).await;
    let mut client = session_client::connect(server.local_addrs()[0], CLIENT, REALM, WAIT).await;
    session(&client, "client.example;1;asr", 1).await;
    let listed = server.session_controller().sessions();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].session_id, "client.example;1;asr");
    assert_eq!(listed[0].peer, CLIENT);

    let control = server.control();
    control
        .disconnect_session(origin("client.example;1;asr"))
        .await
        .unwrap();
    let asr = client.next_request(WAIT).await;
    assert_eq!(asr.header.command_code, 274);
    assert_eq!(asr.header.application_id, 4);
    assert!(asr.is_request());
    assert_eq!(text(&asr, 263).as_deref(), Some("client.example;1;asr"));
    assert_eq!(text(&asr, 264).as_deref(), Some("CGR-DA"));
    assert_eq!(text(&asr, 296).as_deref(), Some("cgrates.org"));
    assert_eq!(text(&asr, 293).as_deref(), Some(CLIENT));
    assert_eq!(text(&asr, 283).as_deref(), Some(REALM));
    assert_eq!(number(&asr, 258), Some(4));

    // Unknown sessions, and sessions ended by a CCR-Terminate, are not in the cache.
    let e = control.disconnect_session(origin("nobody")).await;
    assert_eq!(e.unwrap_err().0, "MANDATORY_IE_MISSING");
    session(&client, "client.example;1;asr", 3).await;
    assert!(server.session_controller().sessions().is_empty());
    let e = control
        .disconnect_session(origin("client.example;1;asr"))
        .await;
    assert_eq!(e.unwrap_err().0, "MANDATORY_IE_MISSING");
    let e = control.disconnect_session(CgrEvent::default()).await;
    assert_eq!(e.unwrap_err().0, "MANDATORY_IE_MISSING: [OriginID]");
    client.node.stop(WAIT).await;
    server.stop(WAIT).await;
}

#[tokio::test]
async fn alter_session_waits_for_an_raa_with_2001() {
    let server = start(&config("*none"), false).await;
    let mut client = session_client::connect(server.local_addrs()[0], CLIENT, REALM, WAIT).await;
    session(&client, "client.example;2;rar", 1).await;
    let control = server.control();
    let cases = [
        (Reply::ResultCode(2001), Ok(())),
        (Reply::ResultCode(5012), Err("Wrong result code: 5012")),
        (Reply::NoResultCode, Err("Missing AVP")),
        (Reply::Silent, Err("TIMED_OUT")),
    ];
    for (reply, expected) in cases {
        client.set_reply(reply);
        let outcome = control.alter_session(origin("client.example;2;rar")).await;
        assert_eq!(
            outcome.map_err(|e| e.0),
            expected.map_err(String::from),
            "{reply:?}"
        );
        let rar = client.next_request(WAIT).await;
        assert_eq!(rar.header.command_code, 258);
        assert_eq!(text(&rar, 263).as_deref(), Some("client.example;2;rar"));
        assert_eq!(number(&rar, 285), Some(0), "Re-Auth-Request-Type");
    }
    // forced_disconnect *none: DisconnectSession sends nothing and succeeds.
    client.set_reply(Reply::ResultCode(2001));
    control
        .disconnect_session(origin("client.example;2;rar"))
        .await
        .unwrap();
    client.node.stop(WAIT).await;
    server.stop(WAIT).await;
}

#[tokio::test]
async fn forced_disconnect_rar_sends_an_rar() {
    let server = start(&config("*rar"), false).await;
    let mut client = session_client::connect(server.local_addrs()[0], CLIENT, REALM, WAIT).await;
    session(&client, "client.example;3;rar", 2).await;
    server
        .control()
        .disconnect_session(origin("client.example;3;rar"))
        .await
        .unwrap();
    assert_eq!(client.next_request(WAIT).await.header.command_code, 258);
    client.node.stop(WAIT).await;
    server.stop(WAIT).await;
}

#[tokio::test]
async fn disconnect_peer_sends_a_dpr_with_the_cause() {
    let server = start(&config("*asr"), false).await;
    let client = session_client::connect(server.local_addrs()[0], CLIENT, REALM, WAIT).await;
    let control = server.control();
    let args = |host: &str, cause: i64| DisconnectPeerArgs {
        origin_host: host.into(),
        origin_realm: REALM.into(),
        disconnect_cause: cause,
        remote_addr: String::new(),
    };
    let e = control.disconnect_peer(args(CLIENT, 3)).await;
    assert_eq!(e.unwrap_err().0, "WRONG_DISCONNECT_CAUSE");
    let e = control.disconnect_peer(args("other.example", 2)).await;
    assert_eq!(e.unwrap_err().0, "NOT_FOUND");
    assert_eq!(client.received(282), 0);
    // DO_NOT_WANT_TO_TALK_TO_YOU: the client does not redial.
    control.disconnect_peer(args(CLIENT, 2)).await.unwrap();
    assert_eq!(client.received(282), 1);
    tokio::time::timeout(WAIT, async {
        while client.node.peer_ready("CGR-DA") {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the client closed the connection");
    let peers = server.node().peers();
    assert!(peers.iter().all(|p| p.remote_addr.is_none()), "{peers:?}");
    client.node.stop(WAIT).await;
    server.stop(WAIT).await;
}

#[tokio::test]
async fn a_request_without_session_id_gets_5012_while_requests_are_kept() {
    let server = start(&config("*asr"), true).await;
    let client = session_client::connect(server.local_addrs()[0], CLIENT, REALM, WAIT).await;
    let mut ccr = client_ccr("x", 1);
    ccr.avps.retain(|a| a.code != 263);
    let answer = client.app.send_request(ccr, WAIT).await.unwrap();
    assert_eq!(result_code(&answer), Some(5012));
    assert!(answer.header.flags.is_error());
    assert!(server.session_controller().sessions().is_empty());
    client.node.stop(WAIT).await;
    server.stop(WAIT).await;
}
