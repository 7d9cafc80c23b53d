//! The writer task: one per connection, gathering whatever frames are queued into a
//! single write.

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

/// Frames waiting for the writer, per connection.
const QUEUE: usize = 4096;
/// Largest batch gathered into one write.
const BATCH: usize = 256 * 1024;

enum Command {
    Frame(Bytes),
    Close,
}

/// The connection is closed for writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("connection closed")]
pub struct WriterClosed;

/// Handle to a connection's writer task. Cloning it shares the task.
#[derive(Debug, Clone)]
pub struct Writer {
    tx: mpsc::Sender<Command>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Frame(b) => write!(f, "Frame({} bytes)", b.len()),
            Command::Close => f.write_str("Close"),
        }
    }
}

impl Writer {
    /// Start the writer task over `stream`. The task ends when every handle is dropped,
    /// after [`Writer::close`], or when a write fails; it then shuts the stream down.
    pub fn spawn<W: AsyncWrite + Unpin + Send + 'static>(stream: W) -> Writer {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(stream, rx));
        Writer { tx }
    }

    /// Queue one encoded frame, waiting while the queue is full.
    pub async fn send(&self, frame: Bytes) -> Result<(), WriterClosed> {
        self.tx
            .send(Command::Frame(frame))
            .await
            .map_err(|_| WriterClosed)
    }

    /// Queue one frame without waiting; fails when the queue is full or closed.
    pub fn try_send(&self, frame: Bytes) -> Result<(), WriterClosed> {
        self.tx
            .try_send(Command::Frame(frame))
            .map_err(|_| WriterClosed)
    }

    /// Write what is queued, then close the stream.
    pub fn close(&self) {
        let tx = self.tx.clone();
        if tx.try_send(Command::Close).is_err() {
            tokio::spawn(async move {
                let _ = tx.send(Command::Close).await;
            });
        }
    }

    /// Whether the writer task has ended.
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

async fn run<W: AsyncWrite + Unpin>(mut stream: W, mut rx: mpsc::Receiver<Command>) {
    let mut buf = BytesMut::with_capacity(BATCH);
    let mut closing = false;
    while let Some(cmd) = rx.recv().await {
        match cmd {
            Command::Frame(frame) => buf.extend_from_slice(&frame),
            Command::Close => closing = true,
        }
        while !closing && buf.len() < BATCH {
            match rx.try_recv() {
                Ok(Command::Frame(frame)) => buf.extend_from_slice(&frame),
                Ok(Command::Close) => closing = true,
                Err(_) => break,
            }
        }
        if !buf.is_empty() {
            if stream.write_all(&buf).await.is_err() {
                break;
            }
            buf.clear();
        }
        if closing {
            break;
        }
    }
    rx.close();
    let _ = stream.shutdown().await;
}
