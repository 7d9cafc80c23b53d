//! Applications on a node: the client handle ([`Application`]: `wait_for_ready`,
//! `send_request`), the server side ([`Handler`]: an async function from request to
//! answer), and helpers that build answers ([`answer`]).

pub mod answer;

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::Instant;

use crate::message::Message;
use crate::node::{Conn, Error, Node, Pending, PendingGuard};
use crate::peer::base;
use crate::peer::capabilities::AppId;
use crate::wire::CommandFlags;

/// What a handler returns when it cannot answer; the node answers 5012
/// DIAMETER_UNABLE_TO_COMPLY with the error's text in Error-Message.
pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

/// The future a [`Handler`] returns.
pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<Message, HandlerError>> + Send>>;

/// Answers the requests of a server application.
///
/// Any `Fn(Request) -> impl Future<Output = Result<A, HandlerError>>` with `A:
/// Into<Message>` is a handler:
///
/// ```
/// use diameter_runtime::app::{HandlerError, Request};
/// use diameter_runtime::message::Message;
///
/// async fn ocs(request: Request) -> Result<Message, HandlerError> {
///     Ok(request.answer(2001))
/// }
/// # fn is_handler<H: diameter_runtime::app::Handler>(_: H) {}
/// # is_handler(ocs);
/// ```
pub trait Handler: Send + Sync + 'static {
    /// Answer `request`.
    fn handle(&self, request: Request) -> HandlerFuture;
}

impl<F, Fut, A> Handler for F
where
    F: Fn(Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<A, HandlerError>> + Send + 'static,
    A: Into<Message>,
{
    fn handle(&self, request: Request) -> HandlerFuture {
        let fut = self(request);
        Box::pin(async move { fut.await.map(Into::into) })
    }
}

/// The node's identity, as answers carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Origin-Host.
    pub origin_host: String,
    /// Origin-Realm.
    pub origin_realm: String,
    /// Origin-State-Id.
    pub origin_state_id: u32,
}

/// A received request, handed to a [`Handler`].
#[derive(Debug, Clone)]
pub struct Request {
    /// The request as received.
    pub message: Message,
    /// The DiameterIdentity of the peer it came from.
    pub peer: String,
    remote_addr: Option<SocketAddr>,
    identity: Arc<Identity>,
}

impl Request {
    pub(crate) fn new(
        message: Message,
        peer: &str,
        remote_addr: Option<SocketAddr>,
        identity: Arc<Identity>,
    ) -> Self {
        Request {
            message,
            peer: peer.to_string(),
            remote_addr,
            identity,
        }
    }

    /// The address of the other end of the connection the request came on.
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        self.remote_addr
    }

    /// The local node's identity.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The answer skeleton with `result_code` (see [`answer::answer`]).
    pub fn answer(&self, result_code: u32) -> Message {
        answer::answer(&self.message, &self.identity, result_code)
    }

    /// An error answer (see [`answer::error_answer`]).
    pub fn error_answer(&self, result_code: u32, error_message: Option<&str>) -> Message {
        answer::error_answer(
            &self.message,
            &self.identity,
            result_code,
            error_message,
            None,
        )
    }
}

/// An application registered on a node: sends requests to its peers and, for a server
/// application, has its requests answered by the handler.
#[derive(Debug, Clone)]
pub struct Application {
    node: Node,
    index: usize,
    id: AppId,
}

impl Application {
    pub(crate) fn new(node: Node, index: usize, id: AppId) -> Self {
        Application { node, index, id }
    }

    /// The Application-Id.
    pub fn application_id(&self) -> u32 {
        self.id.id
    }

    /// The application as advertised.
    pub fn app(&self) -> AppId {
        self.id
    }

    /// The node the application runs on.
    pub fn node(&self) -> &Node {
        &self.node
    }

    /// Whether at least one of the application's peers takes requests.
    pub fn is_ready(&self) -> bool {
        self.node.app_ready(self.index)
    }

    /// Wait until at least one of the application's peers is open (CER/CEA done and
    /// the watchdog satisfied), at most `timeout`.
    pub async fn wait_for_ready(&self, timeout: Duration) -> Result<(), Error> {
        let mut watch = self.node.watch_ready();
        let deadline = Instant::now() + timeout;
        loop {
            if self.is_ready() {
                return Ok(());
            }
            match tokio::time::timeout_at(deadline, watch.changed()).await {
                Ok(Ok(())) => continue,
                _ => return Err(Error::NotReady(timeout)),
            }
        }
    }

    /// Send `request` and wait at most `timeout` for its answer.
    ///
    /// The R bit is set; the Application-Id is filled when 0, the End-to-End Identifier
    /// when 0, and the Hop-by-Hop Identifier always. Routing takes Destination-Host,
    /// then Destination-Realm and the application. On timeout, nothing of the request is
    /// kept: a late answer is dropped.
    pub async fn send_request(
        &self,
        request: impl Into<Message>,
        timeout: Duration,
    ) -> Result<Message, Error> {
        let msg = self.prepare(request.into());
        let conn = self.node.route(self.index, &msg)?;
        self.send_on(conn, msg, timeout).await
    }

    /// Send `request` on the connection of the peer `peer` (its DiameterIdentity, a
    /// configured peer or one accepted dynamically), whatever its Destination-Host and
    /// Destination-Realm say, and wait at most `timeout` for its answer. Headers are filled
    /// as by [`Application::send_request`]; a peer that is not open gives
    /// [`Error::Disconnected`].
    pub async fn send_request_to(
        &self,
        peer: &str,
        request: impl Into<Message>,
        timeout: Duration,
    ) -> Result<Message, Error> {
        let msg = self.prepare(request.into());
        let conn = self.node.peer_link(peer)?;
        self.send_on(conn, msg, timeout).await
    }

    /// Set the R bit, and the Application-Id and End-to-End Identifier when 0.
    fn prepare(&self, mut msg: Message) -> Message {
        msg.header.flags.set(CommandFlags::REQUEST, true);
        if msg.header.application_id == 0 {
            msg.header.application_id = self.id.id;
        }
        if msg.header.end_to_end == 0 {
            msg.header.end_to_end = self.node.next_end_to_end();
        }
        msg
    }

    /// Send `msg` on `conn` with a fresh Hop-by-Hop Identifier and wait for its answer.
    async fn send_on(
        &self,
        conn: Arc<Conn>,
        mut msg: Message,
        timeout: Duration,
    ) -> Result<Message, Error> {
        let shared = self.node.shared().clone();
        let max = shared.config.max_pending;
        if shared.pending.fetch_add(1, Ordering::Relaxed) >= max {
            shared.pending.fetch_sub(1, Ordering::Relaxed);
            return Err(Error::TooManyPending(max));
        }
        conn.peer.outstanding.fetch_add(1, Ordering::Relaxed);
        let hop_by_hop = conn.hop_by_hop.next_id();
        msg.header.hop_by_hop = hop_by_hop;
        let (tx, rx) = oneshot::channel();
        let mut guard = PendingGuard {
            conn: conn.clone(),
            hop_by_hop,
            shared: shared.clone(),
            sent_at: std::time::Instant::now(),
            answered: false,
        };
        if let Ok(mut pending) = conn.pending.lock() {
            pending.insert(hop_by_hop, Pending { tx });
        }
        let code = msg.header.command_code;
        conn.peer.stats.sent(code, true, None);
        if conn.send(&shared, &msg).await.is_err() {
            return Err(Error::Disconnected(conn.peer.host().to_string()));
        }
        let sent_at = guard.sent_at;
        let deadline = Instant::from_std(sent_at + timeout);
        match tokio::time::timeout_at(deadline, rx).await {
            Ok(Ok(answer)) => {
                guard.answered = true;
                conn.peer
                    .stats
                    .answered(code, base::result_code(&answer), sent_at.elapsed());
                Ok(answer)
            }
            Ok(Err(_)) => Err(Error::Disconnected(conn.peer.host().to_string())),
            Err(_) => {
                conn.peer.stats.timeout();
                Err(Error::Timeout(timeout))
            }
        }
    }
}
