//! Where the decoder is: nesting depth and byte offsets, for limits and error positions.

use std::ops::Range;

use bytes::{Bytes, BytesMut};

use crate::wire::AvpRef;
use crate::wire::{DecodeError, DecodeErrorKind, Limits, RawAvp};

/// State of one typed decode: the nesting limit, the current depth, and offsets in the
/// message (errors carry them).
#[derive(Debug, Clone)]
pub struct DecodeContext {
    max_depth: usize,
    depth: usize,
    /// Offset in the message of the buffer's first byte.
    origin: usize,
    /// Offset in the message of the sequence being walked.
    sequence: usize,
    /// Offset in the message of the AVP being read.
    current: usize,
}

impl DecodeContext {
    /// A context for a buffer that starts at offset 0, with the nesting limit of `limits`.
    pub fn new(limits: &Limits) -> DecodeContext {
        DecodeContext {
            max_depth: limits.max_depth,
            depth: 0,
            origin: 0,
            sequence: 0,
            current: 0,
        }
    }

    /// The same context for a buffer that starts at `offset` in the message (20 for a
    /// message body).
    pub fn at(mut self, offset: usize) -> DecodeContext {
        self.origin = offset;
        self.sequence = offset;
        self.current = offset;
        self
    }

    /// Offset in the message of the AVP being read.
    #[inline]
    pub fn offset(&self) -> usize {
        self.current
    }

    /// Call `f` for each AVP of `buf[range]`, in order; stops at the first error (a
    /// malformed AVP is the error [`Walk`](crate::wire::Walk) gives).
    #[inline(always)]
    pub fn walk<'a>(
        &mut self,
        buf: &'a Bytes,
        range: Range<usize>,
        mut f: impl FnMut(&AvpRef<'a>, &mut DecodeContext) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        let outer = self.sequence;
        self.sequence = self.origin + range.start;
        let mut pos = range.start;
        let mut avp = AvpRef::unread(buf);
        // The sequence's bytes, bounded once for the whole walk (ranges are within `buf`).
        let bytes = &buf[..range.end.min(buf.len())];
        while pos < bytes.len() {
            if !avp.read_at(bytes, pos) {
                // Malformed: `parse` gives the error (and the AVP, should it accept one).
                avp = match AvpRef::parse_cold(buf, pos, bytes.len()) {
                    Ok(avp) => avp,
                    Err(e) => return Err(e.offset_by(self.origin)),
                };
            }
            self.current = self.origin + pos;
            pos = avp.next_start();
            f(&avp, self)?;
        }
        self.sequence = outer;
        Ok(())
    }

    /// Decode the members of grouped AVP `avp` with `f`, one level deeper.
    ///
    /// Fails with 5004 (Failed-AVP: `avp`) past the nesting limit.
    #[inline]
    pub fn group<T>(
        &mut self,
        avp: &AvpRef<'_>,
        f: impl FnOnce(&mut DecodeContext) -> Result<T, DecodeError>,
    ) -> Result<T, DecodeError> {
        if self.depth + 1 >= self.max_depth {
            return Err(self.error(DecodeErrorKind::TooDeep(self.max_depth), avp));
        }
        let current = self.current;
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        self.current = current;
        result
    }

    /// An error about `avp` (the AVP being read), which goes into Failed-AVP as received.
    #[cold]
    pub fn error(&self, kind: DecodeErrorKind, avp: &AvpRef<'_>) -> DecodeError {
        DecodeError::new(kind, self.current).with_avp(avp.whole())
    }

    /// An error about a missing AVP, at the start of the sequence being walked; Failed-AVP
    /// holds `example` (the missing AVP with an empty payload).
    #[cold]
    pub fn missing(&self, kind: DecodeErrorKind, example: &RawAvp) -> DecodeError {
        let mut out = BytesMut::with_capacity(example.encoded_len());
        example.encode(&mut out);
        DecodeError::new(kind, self.sequence).with_avp(out.freeze())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Walk;

    type Seen = Vec<(u32, u8, u32, Bytes)>;

    /// The AVPs `DecodeContext::walk` visits, and its error.
    fn typed_walk(buf: &Bytes) -> (Seen, Option<DecodeError>) {
        let mut seen = Vec::new();
        let mut ctx = DecodeContext::new(&Limits::default()).at(20);
        let err = ctx
            .walk(buf, 0..buf.len(), |avp, _| {
                seen.push((avp.code, avp.flags.0, avp.vendor_id, avp.bytes()));
                Ok(())
            })
            .err();
        (seen, err)
    }

    /// The same through the wire layer's `Walk`, errors moved to the same origin.
    fn wire_walk(buf: &Bytes) -> (Seen, Option<DecodeError>) {
        let mut seen = Vec::new();
        for avp in Walk::new(buf, 0..buf.len()) {
            match avp {
                Ok(a) => seen.push((a.code, a.flags.0, a.vendor_id, a.bytes())),
                Err(e) => return (seen, Some(e.offset_by(20))),
            }
        }
        (seen, None)
    }

    #[test]
    fn walks_as_the_wire_walker_does() {
        let (good, cases) = crate::wire::walk::tests::corrupted_avps();
        for case in cases {
            assert_eq!(typed_walk(&case), wire_walk(&case), "{case:?}");
        }
        // Errors are at offsets in the message: past the 20-byte header and the first
        // (12-byte) AVP.
        let (seen, err) = typed_walk(&good.slice(..14));
        assert_eq!(seen.len(), 1);
        assert_eq!(err.unwrap().offset, 20 + 12);
    }
}
