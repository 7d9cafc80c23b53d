//! The AVP header and the walk over a sequence of AVPs (RFC 6733 §4.1).

use bytes::{BufMut, Bytes, BytesMut};

use super::error::{DecodeError, DecodeErrorKind};

/// The AVP flags byte: V(endor-specific), M(andatory), P(rotected).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AvpFlags(pub u8);

impl AvpFlags {
    /// V: a Vendor-ID field follows the length.
    pub const VENDOR: u8 = 0x80;
    /// M: the receiver must understand the AVP.
    pub const MANDATORY: u8 = 0x40;
    /// P: reserved for end-to-end security.
    pub const PROTECTED: u8 = 0x20;
    /// Reserved bits, which must be zero.
    pub const RESERVED: u8 = 0x1f;

    /// Whether the V bit is set.
    pub fn is_vendor(self) -> bool {
        self.0 & Self::VENDOR != 0
    }
    /// Whether the M bit is set.
    pub fn is_mandatory(self) -> bool {
        self.0 & Self::MANDATORY != 0
    }
    /// Whether the P bit is set.
    pub fn is_protected(self) -> bool {
        self.0 & Self::PROTECTED != 0
    }
    /// The flags in python-diameter's `VMP` notation (`VM-`, `-M-`, ...).
    pub fn vmp(self) -> String {
        let bit = |set: bool, c: char| if set { c } else { '-' };
        [
            bit(self.is_vendor(), 'V'),
            bit(self.is_mandatory(), 'M'),
            bit(self.is_protected(), 'P'),
        ]
        .iter()
        .collect()
    }
}

/// Length of `len` bytes once padded to a multiple of 4.
#[inline]
pub fn padded(len: usize) -> usize {
    (len + 3) & !3
}

/// One AVP as found on the wire: header fields and the unpadded payload.
///
/// `data` is a slice of the message buffer: decoding copies nothing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RawAvp {
    pub code: u32,
    pub flags: AvpFlags,
    /// Vendor-Id; 0 when the V bit is clear.
    pub vendor_id: u32,
    pub data: Bytes,
}

impl RawAvp {
    /// An AVP with the V bit set when `vendor_id` is not 0.
    pub fn new(code: u32, vendor_id: u32, mandatory: bool, data: Bytes) -> Self {
        let mut flags = 0;
        if vendor_id != 0 {
            flags |= AvpFlags::VENDOR;
        }
        if mandatory {
            flags |= AvpFlags::MANDATORY;
        }
        RawAvp {
            code,
            flags: AvpFlags(flags),
            vendor_id,
            data,
        }
    }

    /// Header length: 12 with a Vendor-Id, 8 without.
    pub fn header_len(&self) -> usize {
        avp_header_len(self.flags)
    }

    /// The AVP Length field: header plus unpadded data.
    pub fn length(&self) -> usize {
        self.header_len() + self.data.len()
    }

    /// Bytes taken on the wire, padding included.
    pub fn encoded_len(&self) -> usize {
        padded(self.length())
    }

    /// Write the AVP header for a payload of `data_len` bytes.
    #[inline]
    pub fn encode_header(
        code: u32,
        flags: AvpFlags,
        vendor_id: u32,
        data_len: usize,
        out: &mut BytesMut,
    ) {
        out.put_u32(code);
        let length = (avp_header_len(flags) + data_len) as u32;
        out.put_u32((u32::from(flags.0) << 24) | (length & 0x00ff_ffff));
        if flags.is_vendor() {
            out.put_u32(vendor_id);
        }
    }

    /// Write header, data and zero padding.
    pub fn encode(&self, out: &mut BytesMut) {
        Self::encode_header(self.code, self.flags, self.vendor_id, self.data.len(), out);
        out.put_slice(&self.data);
        put_padding(self.data.len(), out);
    }
}

/// Write the zero bytes that pad `data_len` bytes to a multiple of 4.
#[inline]
pub fn put_padding(data_len: usize, out: &mut BytesMut) {
    out.put_bytes(0, padded(data_len) - data_len);
}

#[inline]
fn avp_header_len(flags: AvpFlags) -> usize {
    if flags.is_vendor() {
        12
    } else {
        8
    }
}

/// Iterator over the AVPs of a message body or grouped payload.
///
/// Yields one error and then stops when the bytes cannot be trusted.
#[derive(Debug, Clone)]
pub struct AvpIter {
    buf: Bytes,
    pos: usize,
    failed: bool,
}

/// Walk the AVPs in `buf` (a message body or a grouped AVP's data).
pub fn decode_avps(buf: &Bytes) -> AvpIter {
    AvpIter {
        buf: buf.clone(),
        pos: 0,
        failed: false,
    }
}

impl AvpIter {
    /// Offset of the next AVP within the walked buffer.
    pub fn position(&self) -> usize {
        self.pos
    }

    fn next_avp(&mut self) -> Result<RawAvp, DecodeError> {
        let start = self.pos;
        let rest = &self.buf[start..];
        match AvpHeader::parse(rest) {
            Err((kind, available)) => {
                Err(DecodeError::new(kind, start)
                    .with_avp(self.buf.slice(start..start + available)))
            }
            Ok(h) => {
                // The last AVP may omit its padding only if the buffer ends right there.
                self.pos = start + padded(h.length).min(rest.len());
                Ok(RawAvp {
                    code: h.code,
                    flags: h.flags,
                    vendor_id: h.vendor_id,
                    data: self.buf.slice(start + h.header_len()..start + h.length),
                })
            }
        }
    }
}

/// The header of an AVP, read in place from the start of a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AvpHeader {
    pub code: u32,
    pub flags: AvpFlags,
    /// Vendor-Id; 0 when the V bit is clear.
    pub vendor_id: u32,
    /// The AVP Length field: header plus unpadded data.
    pub length: usize,
}

impl AvpHeader {
    /// Header length: 12 with a Vendor-Id, 8 without.
    pub fn header_len(&self) -> usize {
        avp_header_len(self.flags)
    }

    /// Read and check the AVP header at the start of `buf`: the length must cover the
    /// header and fit in `buf`, and the reserved flag bits must be zero.
    ///
    /// The error gives the problem and how many bytes of the offending AVP are available
    /// (what Failed-AVP can carry).
    #[inline]
    pub fn parse(buf: &[u8]) -> Result<AvpHeader, (DecodeErrorKind, usize)> {
        let word = |i: usize| {
            buf.get(i..i + 4)
                .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        };
        let (Some(code), Some(second)) = (word(0), word(4)) else {
            // Fewer than 8 bytes left: not even an AVP header.
            let kind = DecodeErrorKind::AvpLength {
                code: word(0).unwrap_or(0),
                length: buf.len() as u32,
            };
            return Err((kind, buf.len()));
        };
        let flags = AvpFlags((second >> 24) as u8);
        let length = (second & 0x00ff_ffff) as usize;
        let header_len = avp_header_len(flags);
        if length < header_len || length > buf.len() {
            let kind = DecodeErrorKind::AvpLength {
                code,
                length: length as u32,
            };
            // The header as received, with as much data as there is.
            return Err((kind, buf.len().min(length.max(header_len))));
        }
        if flags.0 & AvpFlags::RESERVED != 0 {
            let kind = DecodeErrorKind::AvpBits {
                code,
                flags: flags.0,
            };
            return Err((kind, length));
        }
        let vendor_id = if flags.is_vendor() {
            word(8).unwrap_or(0)
        } else {
            0
        };
        Ok(AvpHeader {
            code,
            flags,
            vendor_id,
            length,
        })
    }
}

impl Iterator for AvpIter {
    type Item = Result<RawAvp, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.buf.len() {
            return None;
        }
        let item = self.next_avp();
        self.failed = item.is_err();
        Some(item)
    }
}
