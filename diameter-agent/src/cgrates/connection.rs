//! One JSON-RPC connection: a writer task, a reader task, and the calls waiting for their
//! reply. On a bidirectional link the reader also hands the other end's requests to a
//! [`Service`] and writes its answers back.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch};

use super::codec::{encode_request, encode_response, Frame, FrameReader};
use super::error::CallError;

/// The future a [`Service`] returns: the reply, or the error text sent back.
pub type ServiceFuture = Pin<Box<dyn Future<Output = Result<Value, String>> + Send>>;

/// What answers the requests the engine sends on a bidirectional link.
pub trait Service: Send + Sync + 'static {
    /// Answer `method` (`Service.Method`) called with `params`.
    fn call(&self, method: String, params: Value) -> ServiceFuture;
}

/// Frames waiting in the writer's queue before callers wait for room.
const QUEUE: usize = 1024;

type Reply = Result<Value, CallError>;

/// The calls waiting for a reply; closed once the reader stops.
#[derive(Default)]
struct Pending {
    waiting: HashMap<u64, oneshot::Sender<Reply>>,
    closed: Option<String>,
}

/// A connected JSON-RPC link. Dropping it closes the socket.
pub struct Connection {
    frames: mpsc::Sender<Vec<u8>>,
    pending: Arc<Mutex<Pending>>,
    next_id: AtomicU64,
    closed: Arc<watch::Sender<bool>>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("closed", &*self.closed.borrow())
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Start the reader and writer tasks on `stream`; requests from the other end go to
    /// `service` (none: they are answered with Go's `rpc: can't find service` error).
    pub fn start(stream: TcpStream, service: Option<Arc<dyn Service>>) -> Connection {
        let _ = stream.set_nodelay(true);
        let (read, write) = stream.into_split();
        let (frames, queue) = mpsc::channel(QUEUE);
        let pending = Arc::new(Mutex::new(Pending::default()));
        let closed = Arc::new(watch::Sender::new(false));
        tokio::spawn(write_frames(write, queue, closed.clone()));
        tokio::spawn(read_frames(
            read,
            frames.clone(),
            pending.clone(),
            closed.clone(),
            service,
        ));
        Connection {
            frames,
            pending,
            next_id: AtomicU64::new(1),
            closed,
        }
    }

    /// Call `method` with `params`, waiting at most `timeout` for the reply.
    pub async fn call(&self, method: &str, params: &Value, timeout: Duration) -> Reply {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        {
            let mut pending = lock(&self.pending);
            if let Some(reason) = &pending.closed {
                return Err(CallError::Disconnected(reason.clone()));
            }
            pending.waiting.insert(id, tx);
        }
        let bytes = encode_request(method, params, id);
        let outcome = tokio::time::timeout(timeout, async {
            if self.frames.send(bytes).await.is_err() {
                return Err(CallError::Disconnected("connection closed".into()));
            }
            rx.await
                .unwrap_or_else(|_| Err(CallError::Disconnected("connection closed".into())))
        })
        .await;
        match outcome {
            Ok(reply) => reply,
            Err(_) => {
                lock(&self.pending).waiting.remove(&id);
                Err(CallError::Timeout)
            }
        }
    }

    /// Whether the link is down.
    pub fn is_closed(&self) -> bool {
        *self.closed.borrow()
    }

    /// Resolves once the link is down.
    pub async fn closed(&self) {
        let mut rx = self.closed.subscribe();
        let _ = rx.wait_for(|closed| *closed).await;
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.closed.send_replace(true);
    }
}

fn lock(pending: &Mutex<Pending>) -> std::sync::MutexGuard<'_, Pending> {
    pending.lock().unwrap_or_else(|e| e.into_inner())
}

async fn write_frames(
    mut write: OwnedWriteHalf,
    mut queue: mpsc::Receiver<Vec<u8>>,
    closed: Arc<watch::Sender<bool>>,
) {
    let mut closing = closed.subscribe();
    loop {
        let bytes = tokio::select! {
            _ = closing.wait_for(|c| *c) => break,
            bytes = queue.recv() => match bytes {
                Some(bytes) => bytes,
                None => break,
            },
        };
        if let Err(e) = write.write_all(&bytes).await {
            tracing::debug!("<CGRateS> write failed: {e}");
            break;
        }
    }
    closed.send_replace(true);
    let _ = write.shutdown().await;
}

async fn read_frames(
    read: OwnedReadHalf,
    frames: mpsc::Sender<Vec<u8>>,
    pending: Arc<Mutex<Pending>>,
    closed: Arc<watch::Sender<bool>>,
    service: Option<Arc<dyn Service>>,
) {
    let peer = read
        .peer_addr()
        .map_or_else(|_| "?".to_string(), |a| a.to_string());
    let mut reader = FrameReader::new(read);
    let mut closing = closed.subscribe();
    let reason = loop {
        let frame = tokio::select! {
            _ = closing.wait_for(|c| *c) => break "connection closed".to_string(),
            frame = reader.next() => frame,
        };
        match frame {
            Ok(Some(Frame::Response { id, outcome })) => {
                let waiter = id.and_then(|id| lock(&pending).waiting.remove(&id));
                match waiter {
                    Some(tx) => {
                        let _ = tx.send(outcome.map_err(CallError::Remote));
                    }
                    None => tracing::debug!("<CGRateS> {peer}: reply to no pending call: {id:?}"),
                }
            }
            Ok(Some(Frame::Request { method, params, id })) => {
                let service = service.clone();
                let frames = frames.clone();
                tokio::spawn(async move {
                    let outcome = match service {
                        Some(service) => service.call(method, params).await,
                        None => Err(format!("rpc: can't find service {method}")),
                    };
                    let _ = frames.send(encode_response(&id, &outcome)).await;
                });
            }
            Ok(None) => break "closed by the engine".to_string(),
            Err(e) => break e.to_string(),
        }
    };
    tracing::debug!("<CGRateS> {peer}: link down: {reason}");
    closed.send_replace(true);
    let mut pending = lock(&pending);
    for (_, tx) in pending.waiting.drain() {
        let _ = tx.send(Err(CallError::Disconnected(reason.clone())));
    }
    pending.closed = Some(reason);
}
