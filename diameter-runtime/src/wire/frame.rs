//! Whole-message framing and the decoder's limits.

use bytes::Bytes;

use super::error::{DecodeError, DecodeErrorKind};
use super::header::{Header, HEADER_LEN};

/// Bounds the decoder enforces on untrusted input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest message accepted, in bytes (the header's length field is 24 bits).
    pub max_message_size: usize,
    /// Deepest nesting of grouped AVPs that is decoded.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_size: 1 << 20,
            max_depth: 16,
        }
    }
}

/// How many bytes the message at the start of `buf` takes, once its header is in.
///
/// `Ok(None)` means fewer than 20 bytes are available yet. An error means the stream
/// cannot be trusted any more and the connection should be closed.
pub fn frame_length(buf: &[u8], limits: &Limits) -> Result<Option<usize>, DecodeError> {
    if buf.len() < HEADER_LEN {
        return Ok(None);
    }
    let header = Header::decode(buf)?;
    check_size(&header, limits)?;
    Ok(Some(header.length as usize))
}

/// Split one complete message into its checked header and its AVP bytes.
///
/// The buffer must hold exactly one message.
pub fn decode_frame(buf: Bytes, limits: &Limits) -> Result<(Header, Bytes), DecodeError> {
    let header = check_frame(&buf, limits)?;
    Ok((header, buf.slice(HEADER_LEN..)))
}

/// The checked header of the one complete message in `buf` (its AVPs are `buf[20..]`):
/// [`decode_frame`] without making the AVP bytes a `Bytes` of their own.
pub fn check_frame(buf: &[u8], limits: &Limits) -> Result<Header, DecodeError> {
    let header = Header::decode(buf)?;
    check_size(&header, limits)?;
    if header.length as usize != buf.len() {
        return Err(DecodeError::new(
            DecodeErrorKind::LengthMismatch {
                declared: header.length,
                actual: buf.len(),
            },
            1,
        ));
    }
    Ok(header)
}

fn check_size(header: &Header, limits: &Limits) -> Result<(), DecodeError> {
    if header.length as usize > limits.max_message_size {
        return Err(DecodeError::new(
            DecodeErrorKind::TooLarge {
                length: header.length,
                limit: limits.max_message_size,
            },
            1,
        ));
    }
    Ok(())
}
