//! The 20-byte Diameter message header (RFC 6733 §3).

use bytes::{BufMut, BytesMut};

use super::error::{DecodeError, DecodeErrorKind};

/// Length of the Diameter header in bytes.
pub const HEADER_LEN: usize = 20;

/// The command flags byte: R(equest), P(roxiable), E(rror), T (potentially retransmitted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CommandFlags(pub u8);

impl CommandFlags {
    /// R: the message is a request.
    pub const REQUEST: u8 = 0x80;
    /// P: the message may be proxied, relayed or redirected.
    pub const PROXIABLE: u8 = 0x40;
    /// E: the answer carries a protocol error.
    pub const ERROR: u8 = 0x20;
    /// T: the request is potentially a retransmission.
    pub const RETRANSMIT: u8 = 0x10;
    /// The reserved bits, which must be zero.
    pub const RESERVED: u8 = 0x0f;

    /// Whether the R bit is set.
    pub fn is_request(self) -> bool {
        self.0 & Self::REQUEST != 0
    }
    /// Whether the P bit is set.
    pub fn is_proxiable(self) -> bool {
        self.0 & Self::PROXIABLE != 0
    }
    /// Whether the E bit is set.
    pub fn is_error(self) -> bool {
        self.0 & Self::ERROR != 0
    }
    /// Whether the T bit is set.
    pub fn is_retransmit(self) -> bool {
        self.0 & Self::RETRANSMIT != 0
    }
    /// Set or clear the bits of `mask`.
    pub fn set(&mut self, mask: u8, on: bool) {
        if on {
            self.0 |= mask;
        } else {
            self.0 &= !mask;
        }
    }
}

/// A decoded Diameter header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Header {
    /// Protocol version; always 1.
    pub version: u8,
    /// Message length in bytes, header included.
    pub length: u32,
    pub flags: CommandFlags,
    /// 24-bit command code.
    pub command_code: u32,
    pub application_id: u32,
    pub hop_by_hop: u32,
    pub end_to_end: u32,
}

impl Header {
    /// Decode and check a header: version 1, length a multiple of 4 and at least 20,
    /// reserved flag bits zero, E bit only on answers.
    ///
    /// Length against the bytes actually available is checked by [`super::decode_frame`].
    pub fn decode(buf: &[u8]) -> Result<Header, DecodeError> {
        let Some(h) = buf.get(..HEADER_LEN) else {
            return Err(DecodeError::new(DecodeErrorKind::ShortHeader(buf.len()), 0));
        };
        let word = |i: usize| u32::from_be_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]);
        let header = Header {
            version: h[0],
            length: word(0) & 0x00ff_ffff,
            flags: CommandFlags(h[4]),
            command_code: word(4) & 0x00ff_ffff,
            application_id: word(8),
            hop_by_hop: word(12),
            end_to_end: word(16),
        };
        if header.version != 1 {
            return Err(DecodeError::new(
                DecodeErrorKind::Version(header.version),
                0,
            ));
        }
        if header.length < HEADER_LEN as u32 || header.length % 4 != 0 {
            return Err(DecodeError::new(
                DecodeErrorKind::MessageLength(header.length),
                1,
            ));
        }
        let f = header.flags;
        if f.0 & CommandFlags::RESERVED != 0 || (f.is_request() && f.is_error()) {
            return Err(DecodeError::new(DecodeErrorKind::HeaderBits(f.0), 4));
        }
        Ok(header)
    }

    /// Write the header; `length` is written as it stands.
    pub fn encode(&self, out: &mut BytesMut) {
        out.put_u32((u32::from(self.version) << 24) | (self.length & 0x00ff_ffff));
        out.put_u32((u32::from(self.flags.0) << 24) | (self.command_code & 0x00ff_ffff));
        out.put_u32(self.application_id);
        out.put_u32(self.hop_by_hop);
        out.put_u32(self.end_to_end);
    }
}
