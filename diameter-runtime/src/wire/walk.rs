//! A borrowing walk over a sequence of AVPs: headers and payloads are read in place, and a
//! `Bytes` (a reference-counted slice) is made only for what must be kept (the typed
//! decoder's `OctetString` and unknown AVPs, a path's matches).
//!
//! Headers are read and checked by the `wire` layer's [`AvpHeader::parse`], as the dynamic
//! decoder does, so both give the same errors (kind, Result-Code, Failed-AVP).

use std::ops::Range;

use bytes::Bytes;

use super::{padded, AvpFlags, AvpHeader, DecodeError, DecodeErrorKind, RawAvp};

/// One AVP of a message being decoded, borrowed from the message buffer.
#[derive(Debug, Clone, Copy)]
pub struct AvpRef<'a> {
    /// The AVP code.
    pub code: u32,
    /// The flags as received.
    pub flags: AvpFlags,
    /// The Vendor-Id; 0 without the V bit.
    pub vendor_id: u32,
    buf: &'a Bytes,
    /// Start of the AVP header in `buf`.
    start: usize,
    /// Start and end of the payload in `buf` (unpadded).
    data: (usize, usize),
    /// End of the AVP in `buf`, padding included (as far as the buffer goes).
    end: usize,
}

impl<'a> AvpRef<'a> {
    /// The payload.
    #[inline]
    pub fn data(&self) -> &'a [u8] {
        &self.buf[self.data.0..self.data.1]
    }

    /// The payload as `Bytes` (shares the message buffer).
    #[inline]
    pub fn bytes(&self) -> Bytes {
        self.buf.slice(self.data.0..self.data.1)
    }

    /// The buffer and range of the payload, to walk a grouped AVP's members.
    #[inline]
    pub fn data_range(&self) -> (&'a Bytes, Range<usize>) {
        (self.buf, self.data.0..self.data.1)
    }

    /// The whole AVP as received (header, payload, padding), for Failed-AVP.
    pub fn whole(&self) -> Bytes {
        self.buf.slice(self.start..self.end)
    }

    /// The AVP with its payload as `Bytes`.
    pub fn to_raw(&self) -> RawAvp {
        RawAvp {
            code: self.code,
            flags: self.flags,
            vendor_id: self.vendor_id,
            data: self.bytes(),
        }
    }
}

impl<'a> AvpRef<'a> {
    /// The AVP whose header starts at `start` in `buf[..end]`, read and checked as [`Walk`]
    /// does, with the same error; for loops that keep the position themselves (the typed
    /// decoder's). The next AVP starts at [`AvpRef::next_start`].
    #[inline]
    pub fn parse(buf: &'a Bytes, start: usize, end: usize) -> Result<AvpRef<'a>, DecodeError> {
        match AvpHeader::parse(&buf[start..end]) {
            Ok(h) => Ok(AvpRef {
                code: h.code,
                flags: h.flags,
                vendor_id: h.vendor_id,
                buf,
                start,
                data: (start + h.header_len(), start + h.length),
                end: (start + padded(h.length)).min(end),
            }),
            Err((kind, available)) => Err(malformed(buf, start, kind, available)),
        }
    }

    /// [`AvpRef::parse`] with the checks of a well-formed header inlined: the usual case
    /// costs a few instructions, and any other goes to `parse` (same result, same error).
    #[inline(always)]
    pub fn read(buf: &'a Bytes, start: usize, end: usize) -> Result<AvpRef<'a>, DecodeError> {
        let mut avp = AvpRef::unread(buf);
        if avp.read_at(&buf[..end.min(buf.len())], start) {
            Ok(avp)
        } else {
            Self::parse_cold(buf, start, end)
        }
    }

    /// A placeholder over `buf` for [`AvpRef::read_at`] to fill.
    #[inline(always)]
    pub(crate) fn unread(buf: &'a Bytes) -> AvpRef<'a> {
        AvpRef {
            code: 0,
            flags: AvpFlags(0),
            vendor_id: 0,
            buf,
            start: 0,
            data: (0, 0),
            end: 0,
        }
    }

    /// Read the well-formed AVP whose header starts at `start` in `bytes` (`self.buf`
    /// up to the end of the sequence) into `self`, field by field; `false` (and `self`
    /// unspecified) for anything else, which [`AvpRef::read`] turns into its error. Loops
    /// reuse one `AvpRef` this way instead of moving a new one out of a `Result` per AVP,
    /// a copy the processor cannot forward from the stores that built it.
    #[inline(always)]
    pub(crate) fn read_at(&mut self, bytes: &[u8], start: usize) -> bool {
        let end = bytes.len();
        let Some(h) = bytes.get(start..).and_then(|b| b.get(..8)) else {
            return false;
        };
        let flags = h[4];
        let length = u32::from_be_bytes([0, h[5], h[6], h[7]]) as usize;
        let vendor = flags & AvpFlags::VENDOR != 0;
        let header_len = if vendor { 12 } else { 8 };
        if flags & AvpFlags::RESERVED != 0 || length < header_len || length > end - start {
            return false;
        }
        self.code = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
        self.flags = AvpFlags(flags);
        self.vendor_id = if vendor {
            let v = &bytes[start + 8..start + 12];
            u32::from_be_bytes([v[0], v[1], v[2], v[3]])
        } else {
            0
        };
        self.start = start;
        self.data = (start + header_len, start + length);
        self.end = (start + padded(length)).min(end);
        true
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn parse_cold(
        buf: &'a Bytes,
        start: usize,
        end: usize,
    ) -> Result<AvpRef<'a>, DecodeError> {
        Self::parse(buf, start, end)
    }

    /// Offset in the buffer just past this AVP, padding included.
    #[inline]
    pub fn next_start(&self) -> usize {
        self.end
    }
}

#[cold]
fn malformed(buf: &Bytes, start: usize, kind: DecodeErrorKind, available: usize) -> DecodeError {
    DecodeError::new(kind, start).with_avp(buf.slice(start..start + available))
}

/// Iterator over the AVPs in `buf[range]`; yields one error (offset from the start of `buf`)
/// and stops on a malformed one.
pub struct Walk<'a> {
    buf: &'a Bytes,
    pos: usize,
    end: usize,
    failed: bool,
}

impl<'a> Walk<'a> {
    /// Walk the AVPs in `buf[range]`.
    pub fn new(buf: &'a Bytes, range: Range<usize>) -> Walk<'a> {
        Walk {
            buf,
            pos: range.start,
            end: range.end,
            failed: false,
        }
    }

    /// Offset of the next AVP in the buffer.
    pub fn position(&self) -> usize {
        self.pos
    }
}

impl<'a> Iterator for Walk<'a> {
    type Item = Result<AvpRef<'a>, DecodeError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.end {
            return None;
        }
        let start = self.pos;
        match AvpHeader::parse(&self.buf[start..self.end]) {
            Ok(h) => {
                let end = (start + padded(h.length)).min(self.end);
                self.pos = end;
                Some(Ok(AvpRef {
                    code: h.code,
                    flags: h.flags,
                    vendor_id: h.vendor_id,
                    buf: self.buf,
                    start,
                    data: (start + h.header_len(), start + h.length),
                    end,
                }))
            }
            Err((kind, available)) => {
                self.failed = true;
                let failed_avp = self.buf.slice(start..start + available);
                Some(Err(DecodeError::new(kind, start).with_avp(failed_avp)))
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::wire::decode_avps;
    use bytes::BytesMut;

    /// Two AVPs, then every truncation and every single-byte corruption of them: the
    /// cases on which every walker must agree with the wire layer's.
    pub(crate) fn corrupted_avps() -> (Bytes, Vec<Bytes>) {
        let mut good = BytesMut::new();
        RawAvp::new(1, 0, true, Bytes::from_static(b"abc")).encode(&mut good);
        RawAvp::new(2, 10415, false, Bytes::from_static(b"defgh")).encode(&mut good);
        let good = good.freeze();
        let mut cases = vec![good.clone()];
        for n in 0..good.len() {
            cases.push(good.slice(..n));
        }
        for i in 0..good.len() {
            for v in [0x00, 0x01, 0x0c, 0x1f, 0x80, 0xff] {
                let mut b = good.to_vec();
                b[i] = v;
                cases.push(Bytes::from(b));
            }
        }
        (good, cases)
    }

    fn walk_all(buf: &Bytes) -> Vec<Result<(u32, u8, u32, Bytes), DecodeError>> {
        Walk::new(buf, 0..buf.len())
            .map(|r| r.map(|a| (a.code, a.flags.0, a.vendor_id, a.bytes())))
            .collect()
    }

    fn wire_all(buf: &Bytes) -> Vec<Result<(u32, u8, u32, Bytes), DecodeError>> {
        decode_avps(buf)
            .map(|r| r.map(|a| (a.code, a.flags.0, a.vendor_id, a.data)))
            .collect()
    }

    #[test]
    fn agrees_with_the_wire_walker() {
        let (_, cases) = corrupted_avps();
        for case in cases {
            assert_eq!(walk_all(&case), wire_all(&case), "{case:?}");
            for start in 0..case.len() {
                for end in start..=case.len() {
                    let (read, parse) = (
                        AvpRef::read(&case, start, end),
                        AvpRef::parse(&case, start, end),
                    );
                    assert_eq!(
                        read.map(|a| (a.code, a.flags, a.vendor_id, a.data, a.end, a.start)),
                        parse.map(|a| (a.code, a.flags, a.vendor_id, a.data, a.end, a.start)),
                        "{case:?} {start}..{end}"
                    );
                }
            }
        }
    }
}
