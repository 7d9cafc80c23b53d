//! A fast hasher for the integer keys of the per-message lookup maps.
//!
//! The keys (application ids, AVP codes, vendor ids) come from dictionaries, not from peers,
//! so the tables' layout cannot be steered from the network and a DoS-resistant hash (std's
//! SipHash) is not needed there.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// `HashMap` with [`IntHasher`].
pub(crate) type IntMap<K, V> = HashMap<K, V, BuildHasherDefault<IntHasher>>;

/// Multiply-rotate hashing of integer writes, with a final avalanche so that keys differing
/// only in their high bits (`code << 32 | vendor`) still spread over the buckets.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IntHasher(u64);

const K: u64 = 0x9E37_79B9_7F4A_7C15;

impl IntHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(26) ^ word).wrapping_mul(K);
    }
}

impl Hasher for IntHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.add(u64::from(b));
        }
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // splitmix64 finaliser
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn high_bit_keys_spread_in_low_bits() {
        let build = BuildHasherDefault::<IntHasher>::default();
        let low: std::collections::HashSet<u64> = (0..64u64)
            .map(|code| build.hash_one(code << 32) & 0x3f)
            .collect();
        assert!(low.len() > 32, "only {} distinct buckets", low.len());
    }
}
