//! A runtime Credit-Control client of the agent that also answers the requests the agent
//! sends it (ASR, RAR): each is recorded and answered as told (tests/agent_asr.rs,
//! diameter-agent/tests/session_control.rs).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diameter_runtime::app::{Application, HandlerError, Request};
use diameter_runtime::message::Message;
use diameter_runtime::node::Node;
use diameter_runtime::peer::AppId;
use tokio::sync::mpsc;

#[path = "agent_client.rs"]
mod agent_client;

/// How the client answers the agent's requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// An answer with this Result-Code.
    ResultCode(u32),
    /// An answer without Result-Code.
    NoResultCode,
    /// No answer.
    Silent,
}

/// The client node, its application (to send CCRs) and what the agent sent it.
pub struct SessionClient {
    pub node: Node,
    pub app: Application,
    received: mpsc::UnboundedReceiver<Message>,
    reply: Arc<Mutex<Reply>>,
}

/// A client `origin_host` in `realm`, connected and ready (within `wait`) to the agent
/// `CGR-DA` at `addr`, answering the agent's requests with 2001 until told otherwise.
pub async fn connect(
    addr: SocketAddr,
    origin_host: &str,
    realm: &str,
    wait: Duration,
) -> SessionClient {
    let (node, peer) = agent_client::node_with_agent_peer(addr, origin_host, realm);
    let (tx, received) = mpsc::unbounded_channel();
    let reply = Arc::new(Mutex::new(Reply::ResultCode(2001)));
    let how = reply.clone();
    let handler = move |request: Request| {
        let _ = tx.send(request.message.clone());
        let how = *how.lock().unwrap();
        async move {
            match how {
                Reply::ResultCode(code) => Ok::<Message, HandlerError>(request.answer(code)),
                Reply::NoResultCode => {
                    let mut answer = request.answer(2001);
                    answer.avps.retain(|a| a.code != 268);
                    answer.header.length = answer.encoded_len() as u32;
                    Ok(answer)
                }
                Reply::Silent => std::future::pending().await,
            }
        }
    };
    let app = node
        .add_server(AppId::auth(4), &[peer], handler, 64)
        .unwrap();
    node.start().await.unwrap();
    app.wait_for_ready(wait).await.unwrap();
    SessionClient {
        node,
        app,
        received,
        reply,
    }
}

impl SessionClient {
    /// Answer the agent's next requests this way.
    pub fn set_reply(&self, reply: Reply) {
        *self.reply.lock().unwrap() = reply;
    }

    /// The next request the agent sent, waiting at most `wait`.
    pub async fn next_request(&mut self, wait: Duration) -> Message {
        tokio::time::timeout(wait, self.received.recv())
            .await
            .unwrap_or_else(|_| panic!("the agent sent no request within {wait:?}"))
            .expect("the client stopped")
    }

    /// How many requests with `command_code` the client received from the agent's peer
    /// entry (base protocol ones included: DPR is 282).
    pub fn received(&self, command_code: u32) -> u64 {
        self.node
            .statistics()
            .iter()
            .map(|s| s.received.requests.get(&command_code).copied().unwrap_or(0))
            .sum()
    }
}

/// The text of the first AVP `code` of `msg` (UTF8String / DiameterIdentity).
pub fn text(msg: &Message, code: u32) -> Option<String> {
    let avp = msg.avps.iter().find(|a| a.code == code)?;
    String::from_utf8(avp.data().to_vec()).ok()
}

/// The Unsigned32 / Enumerated value of the first AVP `code` of `msg`.
pub fn number(msg: &Message, code: u32) -> Option<u32> {
    let avp = msg.avps.iter().find(|a| a.code == code)?;
    Some(u32::from_be_bytes(avp.data().as_ref().try_into().ok()?))
}
