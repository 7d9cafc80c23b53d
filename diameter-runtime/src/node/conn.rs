//! One connection with a peer: the writer handle, the reader task, and the table of
//! requests sent on it that wait for their answer (keyed by hop-by-hop id).

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::Bytes;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::message::Message;
use crate::peer::base::command::is_peer_control;
use crate::transport::{BoxRead, FrameError, FrameReader, Writer, WriterClosed};

use super::ids::{IdHasher, Sequence};
use super::peer::{Peer, PeerEvent};
use super::{dispatch, Shared};

/// A request waiting for its answer.
pub(crate) struct Pending {
    pub(crate) tx: oneshot::Sender<Message>,
}

/// One connection with a peer.
pub(crate) struct Conn {
    pub(crate) id: u64,
    pub(crate) peer: Arc<Peer>,
    pub(crate) writer: Writer,
    pub(crate) local_addr: Option<SocketAddr>,
    pub(crate) remote_addr: Option<SocketAddr>,
    /// Set once CER/CEA is done: messages then go straight to the node.
    pub(crate) open: AtomicBool,
    /// Set by the reader on every message; read by the watchdog.
    pub(crate) activity: AtomicBool,
    pub(crate) pending: Mutex<HashMap<u32, Pending, BuildHasherDefault<IdHasher>>>,
    pub(crate) hop_by_hop: Sequence,
    reader: Mutex<Option<JoinHandle<()>>>,
}

impl Conn {
    /// Wrap a connection's halves; the reader task starts with [`Conn::start_reader`].
    pub(crate) fn new(
        id: u64,
        peer: Arc<Peer>,
        writer: Writer,
        local_addr: Option<SocketAddr>,
        remote_addr: Option<SocketAddr>,
    ) -> Arc<Conn> {
        Arc::new(Conn {
            id,
            peer,
            writer,
            local_addr,
            remote_addr,
            open: AtomicBool::new(false),
            activity: AtomicBool::new(false),
            pending: Mutex::new(HashMap::default()),
            hop_by_hop: Sequence::hop_by_hop(),
            reader: Mutex::new(None),
        })
    }

    /// Start the reader task over `reader`.
    pub(crate) fn start_reader(
        self: &Arc<Self>,
        shared: Arc<Shared>,
        reader: FrameReader<BoxRead>,
    ) {
        let task = tokio::spawn(read_loop(shared, self.clone(), reader));
        if let Ok(mut slot) = self.reader.lock() {
            *slot = Some(task);
        }
    }

    /// Send a message, dumping it when the dump target is enabled.
    pub(crate) async fn send(&self, shared: &Shared, msg: &Message) -> Result<(), WriterClosed> {
        shared.dump("SENT", self.peer.host(), msg);
        self.writer.send_message(msg).await
    }

    /// Send already encoded bytes.
    pub(crate) async fn send_bytes(&self, bytes: Bytes) -> Result<(), WriterClosed> {
        self.writer.send(bytes).await
    }

    /// Close: queued frames are written, then the stream is shut; reading stops now.
    pub(crate) fn close(&self) {
        self.open.store(false, Ordering::Release);
        self.writer.close();
        if let Ok(mut slot) = self.reader.lock() {
            if let Some(task) = slot.take() {
                task.abort();
            }
        }
    }

    pub(crate) fn is_open(&self) -> bool {
        self.open.load(Ordering::Acquire)
    }
}

async fn read_loop(shared: Arc<Shared>, conn: Arc<Conn>, mut reader: FrameReader<BoxRead>) {
    let peer = conn.peer.clone();
    // Answers to the requests of one read leave in one write.
    let mut cork = None;
    loop {
        if cork.is_some() && !reader.has_frame() {
            cork = None;
        }
        let frame = match reader.next_frame().await {
            Ok(Some(frame)) => frame,
            Ok(None) => {
                if !conn.is_open() {
                    peer.stats
                        .connect_failed("connection closed before CER/CEA completed".into());
                }
                break;
            }
            Err(e) => {
                match &e {
                    FrameError::Io(_) => {}
                    _ => peer.stats.decode_error(),
                }
                if !conn.is_open() {
                    // A TLS server refusing our certificate says so at the first read.
                    peer.stats.connect_failed(e.to_string());
                }
                tracing::warn!(target: "diameter::connection", peer = peer.host(), "closing connection: {e}");
                break;
            }
        };
        cork.get_or_insert_with(|| conn.writer.cork());
        conn.activity.store(true, Ordering::Relaxed);
        let msg = match Message::decode_with(frame.clone(), &shared.config.limits) {
            Ok(msg) => msg,
            Err(e) => {
                peer.stats.decode_error();
                dispatch::undecodable(&shared, &conn, &frame, e).await;
                continue;
            }
        };
        shared.dump("RECV", peer.host(), &msg);
        if is_peer_control(msg.header.command_code) || !conn.is_open() {
            peer.send_event(PeerEvent::Control { conn: conn.id, msg });
        } else if msg.is_request() {
            dispatch::request(&shared, &conn, msg).await;
        } else {
            answer(&conn, msg);
        }
    }
    drop(cork);
    peer.send_event(PeerEvent::Closed { conn: conn.id });
}

/// Hand an answer to the request waiting for it.
fn answer(conn: &Conn, msg: Message) {
    let waiting = conn
        .pending
        .lock()
        .ok()
        .and_then(|mut p| p.remove(&msg.header.hop_by_hop));
    match waiting {
        Some(p) => {
            let _ = p.tx.send(msg);
        }
        None => tracing::debug!(
            target: "diameter::connection",
            peer = conn.peer.host(),
            "answer with unknown hop-by-hop id 0x{:x} (late or unsolicited), dropped",
            msg.header.hop_by_hop
        ),
    }
}

/// A request on its way, removed from the pending table when dropped (answered, timed
/// out or cancelled).
pub(crate) struct PendingGuard {
    pub(crate) conn: Arc<Conn>,
    pub(crate) hop_by_hop: u32,
    pub(crate) shared: Arc<Shared>,
    pub(crate) sent_at: Instant,
    /// The answer came: the reader took the entry out already.
    pub(crate) answered: bool,
}

impl Drop for PendingGuard {
    fn drop(&mut self) {
        if !self.answered {
            if let Ok(mut p) = self.conn.pending.lock() {
                p.remove(&self.hop_by_hop);
            }
        }
        self.conn.peer.outstanding.fetch_sub(1, Ordering::Relaxed);
        self.shared.pending.fetch_sub(1, Ordering::Relaxed);
    }
}
