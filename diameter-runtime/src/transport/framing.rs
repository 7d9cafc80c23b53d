//! Cutting a byte stream into Diameter frames.

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::wire::{frame_length, DecodeError, DecodeErrorKind, Limits};

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

    /// The length of the frame at the head of the buffer, once its header is there.
    /// Invalid command flags leave the length trustworthy: such a frame is handed on
    /// whole (a request then gets 3008 DIAMETER_INVALID_HDR_BITS).
    fn frame_length(&self) -> Result<Option<usize>, FrameError> {
        match frame_length(&self.buf, &self.limits) {
            Ok(len) => Ok(len),
            Err(e) if matches!(e.kind, DecodeErrorKind::HeaderBits(_)) => {
                let len = u32::from_be_bytes([0, self.buf[1], self.buf[2], self.buf[3]]);
                if len as usize > self.limits.max_message_size {
                    let kind = DecodeErrorKind::TooLarge {
                        length: len,
                        limit: self.limits.max_message_size,
                    };
                    return Err(FrameError::Header(DecodeError::new(kind, 1)));
                }
                Ok(Some(len as usize))
            }
            Err(e) => Err(FrameError::Header(e)),
        }
    }

    /// Whether a whole frame is buffered: [`FrameReader::next_frame`] will not wait.
    pub fn has_frame(&self) -> bool {
        matches!(self.frame_length(), Ok(Some(len)) if self.buf.len() >= len)
    }

    /// The next complete frame; `Ok(None)` at a clean end of stream.
    pub async fn next_frame(&mut self) -> Result<Option<Bytes>, FrameError> {
        loop {
            if let Some(len) = self.frame_length()? {
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
