//! The writer task: one per connection. Senders append encoded frames to one shared
//! output buffer and the task writes whatever has gathered in a single write, so a burst
//! of answers costs one system call and no allocation or queue entry per frame.
//!
//! A reader that answers several buffered requests in a row [corks](Writer::cork) the
//! writer meanwhile: the answers then leave together when the cork is dropped, instead
//! of the first one waking the task alone.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::Notify;

use crate::message::Message;

/// Bytes waiting for the writer beyond which [`Writer::send`] waits and
/// [`Writer::try_send`] fails.
const HIGH_WATER: usize = 4 * 1024 * 1024;
/// Initial size of the output buffers.
const BUFFER: usize = 64 * 1024;

/// The connection is closed for writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("connection closed")]
pub struct WriterClosed;

/// What the senders and the task share.
#[derive(Debug)]
struct Core {
    out: Mutex<Out>,
    /// Wakes the task: there is something to write, or to close.
    work: Notify,
    /// Wakes senders waiting for room.
    room: Notify,
    /// Readers holding the writer corked.
    corks: AtomicUsize,
}

#[derive(Debug)]
struct Out {
    buf: BytesMut,
    /// Write what is there, then shut the stream.
    closing: bool,
    /// The task has ended: nothing more is written.
    closed: bool,
    /// The task has been woken for what is in `buf`.
    signalled: bool,
}

impl Core {
    fn lock(&self) -> MutexGuard<'_, Out> {
        self.out.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wake the task for what `out` holds, once, unless corked and below the
    /// high-water mark (a full output is written even when corked: a corked sender
    /// waiting for room must not wait for itself).
    fn signal(&self, out: &mut Out) {
        let corked = self.corks.load(Ordering::Acquire) > 0 && out.buf.len() < HIGH_WATER;
        if !out.signalled && !corked {
            out.signalled = true;
            self.work.notify_one();
        }
    }

    fn close(&self) {
        let mut out = self.lock();
        out.closing = true;
        drop(out);
        self.work.notify_one();
    }
}

/// Holds a [`Writer`] corked; dropping the last one wakes the task for what waits.
#[derive(Debug)]
pub struct Cork<'a>(&'a Writer);

impl Drop for Cork<'_> {
    fn drop(&mut self) {
        let core = self.0.core();
        if core.corks.fetch_sub(1, Ordering::AcqRel) == 1 {
            let mut out = core.lock();
            if !out.buf.is_empty() {
                core.signal(&mut out);
            }
        }
    }
}

/// One handle; the last one dropped closes the stream after what is queued.
#[derive(Debug)]
struct Handle(Arc<Core>);

impl Drop for Handle {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// Handle to a connection's writer task. Cloning it shares the task.
#[derive(Debug, Clone)]
pub struct Writer {
    handle: Arc<Handle>,
}

impl Writer {
    /// Start the writer task over `stream`. The task ends when every handle is dropped,
    /// after [`Writer::close`], or when a write fails; it then shuts the stream down.
    pub fn spawn<W: AsyncWrite + Unpin + Send + 'static>(stream: W) -> Writer {
        let core = Arc::new(Core {
            out: Mutex::new(Out {
                buf: BytesMut::with_capacity(BUFFER),
                closing: false,
                closed: false,
                signalled: false,
            }),
            work: Notify::new(),
            room: Notify::new(),
            corks: AtomicUsize::new(0),
        });
        tokio::spawn(run(stream, core.clone()));
        Writer {
            handle: Arc::new(Handle(core)),
        }
    }

    fn core(&self) -> &Core {
        &self.handle.0
    }

    /// Append with `put`, waiting while the output is above the high-water mark.
    async fn append(&self, put: impl Fn(&mut BytesMut)) -> Result<(), WriterClosed> {
        let core = self.core();
        loop {
            let room = core.room.notified();
            {
                let mut out = core.lock();
                if out.closed || out.closing {
                    return Err(WriterClosed);
                }
                if out.buf.len() < HIGH_WATER {
                    put(&mut out.buf);
                    core.signal(&mut out);
                    return Ok(());
                }
                core.signal(&mut out);
            }
            room.await;
        }
    }

    /// Queue one encoded frame, waiting while the output is full.
    pub async fn send(&self, frame: Bytes) -> Result<(), WriterClosed> {
        self.append(|buf| buf.extend_from_slice(&frame)).await
    }

    /// Encode `msg` straight into the output, waiting while it is full.
    pub async fn send_message(&self, msg: &Message) -> Result<(), WriterClosed> {
        self.append(|buf| msg.encode_to(buf)).await
    }

    /// Queue one frame without waiting; fails when the output is full or closed.
    pub fn try_send(&self, frame: Bytes) -> Result<(), WriterClosed> {
        let core = self.core();
        let mut out = core.lock();
        if out.closed || out.closing || out.buf.len() >= HIGH_WATER {
            return Err(WriterClosed);
        }
        out.buf.extend_from_slice(&frame);
        core.signal(&mut out);
        Ok(())
    }

    /// Hold what is sent from now on until the returned guard is dropped: a batch of
    /// frames then goes out in one write. Corks nest; [`Writer::close`] ignores them.
    pub fn cork(&self) -> Cork<'_> {
        self.core().corks.fetch_add(1, Ordering::AcqRel);
        Cork(self)
    }

    /// Write what is queued, then close the stream.
    pub fn close(&self) {
        self.core().close();
    }

    /// Whether the writer task has ended.
    pub fn is_closed(&self) -> bool {
        self.core().lock().closed
    }
}

async fn run<W: AsyncWrite + Unpin>(mut stream: W, core: Arc<Core>) {
    let mut spare = BytesMut::with_capacity(BUFFER);
    loop {
        let closing = {
            let mut out = core.lock();
            out.signalled = false;
            std::mem::swap(&mut out.buf, &mut spare);
            out.closing
        };
        if spare.is_empty() && !closing {
            core.work.notified().await;
            continue;
        }
        if spare.len() >= HIGH_WATER {
            core.room.notify_waiters();
        }
        if !spare.is_empty() {
            // Flushing matters for TLS, whose records may wait in its buffer.
            if stream.write_all(&spare).await.is_err() || stream.flush().await.is_err() {
                break;
            }
            spare.clear();
            // Keep the buffers from growing for good after a burst.
            if spare.capacity() > HIGH_WATER {
                spare = BytesMut::with_capacity(BUFFER);
            }
        }
        if closing && core.lock().buf.is_empty() {
            break;
        }
    }
    core.lock().closed = true;
    core.room.notify_waiters();
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use std::time::Duration;

    use super::*;

    /// Records every write it is given, and whether it was shut down.
    #[derive(Clone, Default)]
    struct Recorder(Arc<Mutex<(Vec<Vec<u8>>, bool)>>);

    impl AsyncWrite for Recorder {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<std::io::Result<usize>> {
            self.0.lock().unwrap().0.push(buf.to_vec());
            Poll::Ready(Ok(buf.len()))
        }

        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            self.0.lock().unwrap().1 = true;
            Poll::Ready(Ok(()))
        }
    }

    impl Recorder {
        async fn wait_shut(&self) -> Vec<Vec<u8>> {
            tokio::time::timeout(Duration::from_secs(10), async {
                while !self.0.lock().unwrap().1 {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            })
            .await
            .expect("the writer shuts the stream");
            self.0.lock().unwrap().0.clone()
        }
    }

    #[tokio::test]
    async fn frames_sent_while_corked_leave_in_one_write() {
        let sink = Recorder::default();
        let writer = Writer::spawn(sink.clone());
        let cork = writer.cork();
        writer.send(Bytes::from_static(b"one ")).await.unwrap();
        writer.try_send(Bytes::from_static(b"two ")).unwrap();
        writer
            .send_message(&Message::new(280, 0, 0x80))
            .await
            .unwrap();
        drop(cork);
        writer.close();
        let writes = sink.wait_shut().await;
        assert_eq!(writes.len(), 1, "{writes:?}");
        assert_eq!(&writes[0][..8], b"one two ");
        assert_eq!(writes[0].len(), 8 + 20);
        assert!(writer.is_closed() || writer.send(Bytes::new()).await.is_err());
    }

    #[tokio::test]
    async fn the_last_handle_dropped_closes_after_what_is_queued() {
        let sink = Recorder::default();
        let writer = Writer::spawn(sink.clone());
        let other = writer.clone();
        writer.send(Bytes::from_static(b"a")).await.unwrap();
        drop(writer);
        other.send(Bytes::from_static(b"b")).await.unwrap();
        drop(other);
        let written: Vec<u8> = sink.wait_shut().await.concat();
        assert_eq!(written, b"ab");
    }

    #[tokio::test]
    async fn a_corked_sender_past_the_high_water_mark_is_not_stuck() {
        let sink = Recorder::default();
        let writer = Writer::spawn(sink.clone());
        let cork = writer.cork();
        let chunk = Bytes::from(vec![1u8; 256 * 1024]);
        let total = 3 * HIGH_WATER;
        let sent = tokio::time::timeout(Duration::from_secs(10), async {
            for _ in 0..total / chunk.len() {
                writer.send(chunk.clone()).await.unwrap();
            }
        })
        .await;
        assert!(
            sent.is_ok(),
            "the writer drained the full output while corked"
        );
        drop(cork);
        writer.close();
        let written: usize = sink.wait_shut().await.iter().map(Vec::len).sum();
        assert_eq!(written, total);
    }

    #[tokio::test]
    async fn nothing_is_taken_after_close() {
        let sink = Recorder::default();
        let writer = Writer::spawn(sink.clone());
        writer.close();
        assert_eq!(writer.try_send(Bytes::from_static(b"x")), Err(WriterClosed));
        assert!(sink.wait_shut().await.is_empty());
    }
}
