//! What the runtime's node tests share: the test realm, a shipped dictionary, short
//! timers, the seed tutorial's CCR and an OCS answering it.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use diameter_runtime::app::{HandlerError, Request};
use diameter_runtime::dict::Dictionary;
use diameter_runtime::message::{Avp, Message};
use diameter_runtime::node::{Node, NodeConfig, PeerConfig, Timers};
use diameter_runtime::peer::base::{self, avp};
use diameter_runtime::peer::AppId;
use diameter_runtime::wire::{CommandFlags, Value};

pub const REALM: &str = "testrealm.local";
pub const CC_APP: u32 = 4;
pub const WAIT: Duration = Duration::from_secs(10);

pub fn dict() -> Arc<Dictionary> {
    static DICT: std::sync::OnceLock<Arc<Dictionary>> = std::sync::OnceLock::new();
    DICT.get_or_init(|| Arc::new(Dictionary::shipped().unwrap()))
        .clone()
}

pub fn timers() -> Timers {
    Timers {
        connect: Duration::from_secs(2),
        cea: Duration::from_secs(2),
        watchdog: Duration::from_secs(30),
        dpa: Duration::from_secs(2),
        reconnect_wait: Duration::from_millis(200),
    }
}

pub fn config(host: &str) -> NodeConfig {
    let mut c = NodeConfig::new(host, REALM);
    c.timers = timers();
    c
}

/// A CCR as the seed tutorial builds it (required AVPs only).
pub fn ccr(node: &Node) -> Message {
    let mut m = Message::new(272, CC_APP, CommandFlags::REQUEST | CommandFlags::PROXIABLE);
    let utf8 = |code, s: &str| Avp::new(code, 0, true, &Value::Utf8String(s.into()));
    let id = |code, s: &str| Avp::new(code, 0, true, &Value::DiameterIdentity(s.into()));
    m.push(utf8(avp::SESSION_ID, &node.next_session_id()));
    m.push(id(avp::ORIGIN_HOST, node.origin_host()));
    m.push(id(avp::ORIGIN_REALM, node.realm()));
    m.push(id(avp::DESTINATION_REALM, REALM));
    m.push(Avp::new(
        avp::AUTH_APPLICATION_ID,
        0,
        true,
        &Value::Unsigned32(CC_APP),
    ));
    m.push(utf8(461, "32274@3gpp.org")); // Service-Context-Id
    m.push(Avp::new(416, 0, true, &Value::Enumerated(4))); // CC-Request-Type EVENT
    m.push(Avp::new(415, 0, true, &Value::Unsigned32(1))); // CC-Request-Number
    m
}

/// Answers 2001, echoing CC-Request-Type/Number; a request with User-Name `slow` is
/// never answered.
pub async fn ocs(request: Request) -> Result<Message, HandlerError> {
    if base::str_of(&request.message, 1).as_deref() == Some("slow") {
        std::future::pending::<()>().await;
    }
    let mut answer = request.answer(2001);
    for code in [416, 415] {
        if let Some(a) = base::find(&request.message, code) {
            answer.push(a.clone());
        }
    }
    Ok(answer)
}

/// A node `config` serving Credit-Control with [`ocs`], knowing `clients` as peers,
/// started.
pub async fn server_node(config: NodeConfig, clients: &[&str]) -> Node {
    let node = Node::with_dictionary(config, dict());
    let peers: Vec<_> = clients
        .iter()
        .map(|h| {
            node.add_peer(PeerConfig::new(&format!("aaa://{h}"), REALM).unwrap())
                .unwrap()
        })
        .collect();
    node.add_server(AppId::auth(CC_APP), &peers, ocs, 64)
        .unwrap();
    node.start().await.unwrap();
    node
}
