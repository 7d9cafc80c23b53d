//! Cutting a byte stream into Diameter frames.

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::wire::{frame_length, DecodeError, Limits};

/// Why a stream stopped yielding frames.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The socket failed.
    #[error("read failed: {0}")]
    Io(#[from] std::io::Error),
    /// A header that cannot be trusted (bad version, length not a multiple of 4 or
    /// above the limit): the stream cannot be resynchronised.
    #[error("untrusted frame header: {0}")]
    Header(DecodeError),
    /// The peer closed the stream in the middle of a frame.
    #[error("stream closed after {0} bytes of an incomplete frame")]
    Truncated(usize),
}

/// Reads whole frames from a stream; each frame is one allocation-free slice of the
/// read buffer.
#[derive(Debug)]
pub struct FrameReader<R> {
    stream: R,
    buf: BytesMut,
    limits: Limits,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    /// A reader enforcing `limits.max_message_size` on every header.
    pub fn new(stream: R, limits: Limits) -> Self {
        FrameReader {
            stream,
            buf: BytesMut::with_capacity(64 * 1024),
            limits,
        }
    }

    /// The next complete frame; `Ok(None)` at a clean end of stream.
    pub async fn next_frame(&mut self) -> Result<Option<Bytes>, FrameError> {
        loop {
            if let Some(len) = frame_length(&self.buf, &self.limits).map_err(FrameError::Header)? {
                if self.buf.len() >= len {
                    return Ok(Some(self.buf.split_to(len).freeze()));
                }
                self.buf.reserve(len - self.buf.len());
            }
            if self.buf.capacity() - self.buf.len() < 4096 {
                self.buf.reserve(64 * 1024);
            }
            if self.stream.read_buf(&mut self.buf).await? == 0 {
                return match self.buf.len() {
                    0 => Ok(None),
                    n => Err(FrameError::Truncated(n)),
                };
            }
        }
    }
}
