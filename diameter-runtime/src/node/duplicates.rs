//! Duplicate detection of T-flagged requests (RFC 6733 §5.5.4): a bounded window of
//! recently answered requests, keyed by Origin-Host and End-to-End Identifier, holding
//! the answer that went out.
//!
//! Every answer is remembered and few are ever looked up, so remembering must be cheap.
//! The answers' bytes are copied one after the other into a ring (an arena of
//! [`BYTES_PER_ANSWER`] bytes per answer of the window), and the keys go to an
//! open-addressing table twice the window's size. Nothing is ever removed or freed: an
//! entry older than the last `capacity` answers, or whose bytes the ring has since
//! overwritten, counts as free and is overwritten in turn.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::Mutex;

use bytes::Bytes;

/// Room in the ring per answer of the window: when answers are larger on average, the
/// window holds fewer of them.
pub(crate) const BYTES_PER_ANSWER: usize = 512;

/// Recently answered requests.
#[derive(Debug)]
pub(crate) struct Duplicates {
    capacity: usize,
    /// Keys the Origin-Host hash, so peers cannot choose colliding keys.
    seed: RandomState,
    inner: Mutex<Window>,
}

/// One remembered answer.
#[derive(Debug, Default, Clone, Copy)]
struct Slot {
    /// A keyed hash of the lowercase Origin-Host.
    host: u64,
    end_to_end: u32,
    len: u32,
    /// Position in the sequence of answers, from 1 (0: never used).
    seq: u64,
    /// Where its bytes start, counted in bytes ever written to the ring.
    at: u64,
}

#[derive(Debug, Default)]
struct Window {
    slots: Vec<Slot>,
    ring: Vec<u8>,
    /// Bytes ever written to the ring.
    written: u64,
    /// Answers remembered so far.
    seq: u64,
    /// The farthest an entry was placed from its home slot: lookups go no further.
    max_probe: usize,
}

impl Window {
    /// Whether `slot` holds one of the last `capacity` answers, its bytes intact.
    fn live(&self, slot: &Slot, capacity: usize) -> bool {
        slot.seq != 0
            && slot.seq + capacity as u64 > self.seq
            && self.written - slot.at <= self.ring.len() as u64
    }

    fn write(&mut self, bytes: &[u8]) -> u64 {
        let at = self.written;
        let start = (at % self.ring.len() as u64) as usize;
        let first = bytes.len().min(self.ring.len() - start);
        self.ring[start..start + first].copy_from_slice(&bytes[..first]);
        self.ring[..bytes.len() - first].copy_from_slice(&bytes[first..]);
        self.written += bytes.len() as u64;
        at
    }

    fn read(&self, slot: &Slot) -> Bytes {
        let start = (slot.at % self.ring.len() as u64) as usize;
        let len = slot.len as usize;
        let first = len.min(self.ring.len() - start);
        let mut out = Vec::with_capacity(len);
        out.extend_from_slice(&self.ring[start..start + first]);
        out.extend_from_slice(&self.ring[..len - first]);
        Bytes::from(out)
    }
}

impl Duplicates {
    pub(crate) fn new(capacity: usize) -> Self {
        Duplicates {
            capacity,
            seed: RandomState::new(),
            inner: Mutex::new(Window::default()),
        }
    }

    fn host_hash(&self, origin_host: &[u8]) -> u64 {
        let mut h = self.seed.build_hasher();
        for chunk in origin_host.chunks(64) {
            let mut lower = [0u8; 64];
            let lower = &mut lower[..chunk.len()];
            lower.copy_from_slice(chunk);
            lower.make_ascii_lowercase();
            h.write(lower);
        }
        h.finish()
    }

    /// The home slot of a key in a table of `len` slots.
    fn home(host: u64, end_to_end: u32, len: usize) -> usize {
        let mixed = (host ^ u64::from(end_to_end)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        ((u128::from(mixed) * len as u128) >> 64) as usize
    }

    /// Remember the answer to the request `(origin_host, end_to_end)`. An answer larger
    /// than the whole ring is not remembered.
    pub(crate) fn remember(&self, origin_host: &[u8], end_to_end: u32, answer: &[u8]) {
        if self.capacity == 0 || answer.len() > self.capacity * BYTES_PER_ANSWER {
            return;
        }
        let host = self.host_hash(origin_host);
        let Ok(mut w) = self.inner.lock() else {
            return;
        };
        if w.slots.is_empty() {
            w.slots = vec![Slot::default(); self.capacity * 2];
            w.ring = vec![0; self.capacity * BYTES_PER_ANSWER];
        }
        let at = w.write(answer);
        w.seq += 1;
        let entry = Slot {
            host,
            end_to_end,
            len: answer.len() as u32,
            seq: w.seq,
            at,
        };
        let len = w.slots.len();
        let home = Self::home(host, end_to_end, len);
        // At most `capacity` entries are live in twice as many slots: a free one is near.
        for probe in 0..len {
            let i = (home + probe) % len;
            let slot = &w.slots[i];
            let same = slot.host == host && slot.end_to_end == end_to_end;
            if same || !w.live(slot, self.capacity) {
                w.slots[i] = entry;
                w.max_probe = w.max_probe.max(probe);
                return;
            }
        }
    }

    /// The answer already sent to this request, if it is in the window.
    pub(crate) fn lookup(&self, origin_host: &[u8], end_to_end: u32) -> Option<Bytes> {
        let host = self.host_hash(origin_host);
        let w = self.inner.lock().ok()?;
        let len = w.slots.len();
        if len == 0 {
            return None;
        }
        let home = Self::home(host, end_to_end, len);
        (0..=w.max_probe.min(len - 1))
            .map(|probe| &w.slots[(home + probe) % len])
            .find(|s| s.host == host && s.end_to_end == end_to_end && w.live(s, self.capacity))
            .map(|s| w.read(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_the_last_answers_only() {
        let d = Duplicates::new(100);
        for e2e in 0..1000u32 {
            d.remember(b"client.test", e2e, &e2e.to_be_bytes());
        }
        for e2e in 900..1000u32 {
            let answer = d.lookup(b"CLIENT.test", e2e).expect("in the window");
            assert_eq!(answer, Bytes::from(e2e.to_be_bytes().to_vec()));
        }
        for e2e in 0..900u32 {
            assert_eq!(d.lookup(b"client.test", e2e), None, "{e2e} is out");
        }
        assert_eq!(d.lookup(b"other.test", 999), None);
    }

    #[test]
    fn the_same_request_again_replaces_its_answer() {
        let d = Duplicates::new(4);
        d.remember(b"a", 1, b"first");
        d.remember(b"a", 1, b"second");
        assert_eq!(d.lookup(b"a", 1), Some(Bytes::from_static(b"second")));
        assert_eq!(d.lookup(b"b", 1), None);
    }

    #[test]
    fn answers_the_ring_has_overwritten_are_gone() {
        let d = Duplicates::new(4);
        let big = vec![7u8; 3 * BYTES_PER_ANSWER];
        d.remember(b"a", 1, b"small");
        d.remember(b"a", 2, &big);
        assert_eq!(d.lookup(b"a", 1), Some(Bytes::from_static(b"small")));
        // Wraps around the 4 * BYTES_PER_ANSWER ring over the first two.
        d.remember(b"a", 3, &big);
        assert_eq!(d.lookup(b"a", 1), None);
        assert_eq!(d.lookup(b"a", 2), None);
        assert_eq!(d.lookup(b"a", 3), Some(Bytes::from(big.clone())));
        // Larger than the whole ring: not remembered.
        d.remember(b"a", 4, &vec![1u8; 5 * BYTES_PER_ANSWER]);
        assert_eq!(d.lookup(b"a", 4), None);
        assert_eq!(d.lookup(b"a", 3), Some(Bytes::from(big)));
    }

    #[test]
    fn a_window_of_zero_remembers_nothing() {
        let d = Duplicates::new(0);
        d.remember(b"a", 1, b"x");
        assert_eq!(d.lookup(b"a", 1), None);
    }
}
