//! Identifiers: hop-by-hop and end-to-end (RFC 6733 §3) and Session-Ids (§8.8) in
//! python-diameter's shape.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A random 64-bit number (from the standard library's per-process random keys).
pub fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u128(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish()
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A sequence of 32-bit identifiers, incremented by one and wrapping.
#[derive(Debug)]
pub struct Sequence(AtomicU32);

impl Sequence {
    /// Hop-by-hop identifiers: a random start (RFC 6733 §3).
    pub fn hop_by_hop() -> Sequence {
        Sequence(AtomicU32::new(random_u64() as u32))
    }

    /// End-to-end identifiers: the low 12 bits of the start time in the high 12 bits,
    /// random low 20 bits (RFC 6733 §3).
    pub fn end_to_end() -> Sequence {
        let time = (unix_now() as u32 & 0xfff) << 20;
        Sequence(AtomicU32::new(time | (random_u64() as u32 & 0xf_ffff)))
    }

    /// A sequence starting at `start`.
    pub fn starting_at(start: u32) -> Sequence {
        Sequence(AtomicU32::new(start))
    }

    /// The next identifier.
    pub fn next_id(&self) -> u32 {
        self.0.fetch_add(1, Ordering::Relaxed)
    }
}

/// Session-Ids `<identity>;<start time, 8 hex>;<high 32 bits, 8 hex>;<low 32 bits, 8 hex>[;<optional>]`,
/// from a 64-bit counter with a random start (python-diameter's shape), e.g.
/// `smsgw.gy;6b0491ed;cd498811;c300c218`.
#[derive(Debug)]
pub struct SessionIdGenerator {
    identity: String,
    start: u32,
    counter: AtomicU64,
}

impl SessionIdGenerator {
    /// A generator for `identity` (the node's Origin-Host) started now.
    pub fn new(identity: &str) -> Self {
        Self::with_start(identity, unix_now() as u32, random_u64())
    }

    /// A generator with a given start time and counter (for reproducible ids).
    pub fn with_start(identity: &str, start: u32, counter: u64) -> Self {
        SessionIdGenerator {
            identity: identity.to_string(),
            start,
            counter: AtomicU64::new(counter.max(1)),
        }
    }

    /// The next Session-Id.
    pub fn next_id(&self) -> String {
        self.next_with(None)
    }

    /// The next Session-Id with `;optional` appended when given.
    pub fn next_with(&self, optional: Option<&str>) -> String {
        let mut n = self.counter.fetch_add(1, Ordering::Relaxed);
        if n == 0 {
            // Wrapped: python-diameter restarts at 1.
            n = self.counter.fetch_add(1, Ordering::Relaxed);
        }
        let extra = optional.map_or(0, |o| o.len() + 1);
        let mut id = String::with_capacity(self.identity.len() + 27 + extra);
        id.push_str(&self.identity);
        for word in [self.start, (n >> 32) as u32, n as u32] {
            id.push(';');
            push_hex8(&mut id, word);
        }
        if let Some(opt) = optional {
            id.push(';');
            id.push_str(opt);
        }
        id
    }
}

/// Append `word` as 8 lowercase hex digits.
fn push_hex8(out: &mut String, word: u32) {
    for shift in (0..8).rev() {
        let nibble = (word >> (shift * 4)) & 0xf;
        out.push(char::from_digit(nibble, 16).unwrap_or('0'));
    }
}

/// A hasher for integer keys that no peer chooses (our own Hop-by-Hop Identifiers): a
/// multiply-rotate over the words, much cheaper than the default SipHash and still
/// spreading sequential ids over the table.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        bytes.iter().for_each(|b| self.write_u64(u64::from(*b)));
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_have_python_diameters_shape() {
        let g = SessionIdGenerator::with_start("smsgw.gy", 0x6b04_91ed, 0xcd49_8811_c300_c218);
        assert_eq!(g.next_id(), "smsgw.gy;6b0491ed;cd498811;c300c218");
        assert_eq!(
            g.next_with(Some("sms")),
            "smsgw.gy;6b0491ed;cd498811;c300c219;sms"
        );
        let g = SessionIdGenerator::with_start("a", 0, 0);
        assert_eq!(g.next_id(), "a;00000000;00000000;00000001");
    }
}
