//! Flags of received AVPs that differ from the ones an encoder sets.

use std::hash::{Hash, Hasher};

/// One override: (field index, occurrence, flags byte).
type Kept = (u16, u16, u8);

/// Overrides kept without allocating; a message with more spills to a `Vec`.
const INLINE: usize = 3;

/// What an unused inline slot holds (never read: `len` bounds every lookup).
const UNUSED: Kept = (0, 0, 0);

/// The flags of received AVPs that differ from the dictionary's defaults, by field and
/// occurrence, so that encoding a decoded message again reproduces them.
///
/// Empty for messages built in code; an encoder then sets V for vendor-specific AVPs and M
/// as the dictionary says. A few overrides (the usual case when any) are kept inline,
/// without an allocation.
#[derive(Clone)]
pub struct FlagOverrides {
    /// One bit per field index modulo 32 that has an override: a clear bit answers
    /// [`FlagOverrides::get`] without looking further (0 for most messages).
    fields: u32,
    /// How many inline slots are used (until the overrides spill).
    len: u8,
    /// The overrides while there are at most `INLINE` of them, then `UNUSED` slots.
    inline: [Kept; INLINE],
    /// All the overrides once there are more (boxed: one pointer in every grouped struct,
    /// for a case few messages have).
    #[allow(clippy::box_collection)]
    spilled: Option<Box<Vec<Kept>>>,
}

impl FlagOverrides {
    /// No override.
    pub const fn new() -> FlagOverrides {
        FlagOverrides {
            fields: 0,
            len: 0,
            inline: [UNUSED; INLINE],
            spilled: None,
        }
    }

    /// The overrides, oldest first.
    #[inline]
    fn as_slice(&self) -> &[Kept] {
        match &self.spilled {
            Some(v) => v,
            None => &self.inline[..self.len as usize],
        }
    }

    /// Whether no override is kept.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.fields == 0
    }

    /// The flags to write for occurrence `index` of field `field`: the kept ones or `default`.
    #[inline]
    pub fn get(&self, field: u16, index: usize, default: u8) -> u8 {
        if self.fields & field_bit(field) == 0 {
            return default;
        }
        self.as_slice()
            .iter()
            .find(|&&(f, i, _)| f == field && usize::from(i) == index)
            .map_or(default, |(_, _, flags)| *flags)
    }

    /// Keep `flags` for occurrence `index` of field `field` when they differ from `default`.
    #[inline]
    pub fn record(&mut self, field: u16, index: usize, flags: u8, default: u8) {
        if flags != default {
            self.keep(field, u16::try_from(index).unwrap_or(u16::MAX), flags);
        }
    }

    /// Keep `flags` for (`field`, `index`), replacing what was kept for it.
    #[inline(never)]
    fn keep(&mut self, field: u16, index: u16, flags: u8) {
        if let Some(at) = self
            .as_slice()
            .iter()
            .position(|(f, i, _)| *f == field && *i == index)
        {
            self.remove(at);
        }
        let kept = (field, index, flags);
        let len = self.len as usize;
        match &mut self.spilled {
            Some(v) => v.push(kept),
            None if len < INLINE => {
                self.inline[len] = kept;
                self.len += 1;
            }
            None => {
                let mut spilled = Vec::with_capacity(INLINE * 2);
                spilled.extend_from_slice(&self.inline[..len]);
                spilled.push(kept);
                self.spilled = Some(Box::new(spilled));
            }
        }
        self.fields |= field_bit(field);
    }

    /// Remove the override at position `at`, keeping the others in order.
    fn remove(&mut self, at: usize) {
        match &mut self.spilled {
            Some(v) => {
                v.remove(at);
            }
            None => {
                let len = self.len as usize;
                self.inline.copy_within(at + 1..len, at);
                self.inline[len - 1] = UNUSED;
                self.len -= 1;
            }
        }
        self.fields = self
            .as_slice()
            .iter()
            .fold(0, |m, (f, _, _)| m | field_bit(*f));
    }

    /// Forget every override: the message is then encoded with the default flags.
    pub fn clear(&mut self) {
        *self = FlagOverrides::new();
    }
}

/// The bit of [`FlagOverrides::fields`] for field index `field`.
#[inline]
fn field_bit(field: u16) -> u32 {
    1 << (field % 32)
}

impl Default for FlagOverrides {
    fn default() -> FlagOverrides {
        FlagOverrides::new()
    }
}

/// Equal when the same flags are kept for the same (field, occurrence) pairs, whatever the
/// order they were received in (a message's AVPs may come in any order).
impl PartialEq for FlagOverrides {
    fn eq(&self, other: &FlagOverrides) -> bool {
        let (a, b) = (self.as_slice(), other.as_slice());
        a.len() == b.len() && a.iter().all(|kept| b.contains(kept))
    }
}

impl Eq for FlagOverrides {}

impl Hash for FlagOverrides {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let mut kept = self.as_slice().to_vec();
        kept.sort_unstable();
        kept.hash(state)
    }
}

impl std::fmt::Debug for FlagOverrides {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlagOverrides")
            .field("kept", &self.as_slice())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The overrides as the `Vec` model (replace, then append) keeps them.
    fn model(records: &[(u16, usize, u8, u8)]) -> Vec<Kept> {
        let mut kept: Vec<Kept> = Vec::new();
        for &(field, index, flags, default) in records {
            if flags != default {
                let index = u16::try_from(index).unwrap_or(u16::MAX);
                kept.retain(|(f, i, _)| !(*f == field && *i == index));
                kept.push((field, index, flags));
            }
        }
        kept
    }

    #[test]
    fn keeps_what_differs_inline_then_spilled() {
        let records: Vec<(u16, usize, u8, u8)> = vec![
            (0, 0, 0x40, 0x40),
            (1, 0, 0x00, 0x40),
            (2, 3, 0xc0, 0x80),
            (1, 0, 0x20, 0x40),
            (5, 1, 0x00, 0x40),
            (6, 70_000, 0x00, 0x40),
            (2, 3, 0x00, 0x80),
            (7, 0, 0x00, 0x40),
        ];
        for n in 0..=records.len() {
            let mut fo = FlagOverrides::new();
            for &(field, index, flags, default) in &records[..n] {
                fo.record(field, index, flags, default);
            }
            let expected = model(&records[..n]);
            assert_eq!(fo.as_slice(), expected.as_slice(), "after {n} records");
            assert_eq!(fo.is_empty(), expected.is_empty());
            for &(field, index, flags) in &expected {
                assert_eq!(fo.get(field, usize::from(index), 0xff), flags);
            }
            assert_eq!(fo.get(9, 0, 0x40), 0x40);
            let mut copy = fo.clone();
            assert_eq!(copy, fo);
            copy.clear();
            assert!(copy.is_empty());
            assert_eq!(copy, FlagOverrides::default());
        }
    }

    #[test]
    fn equal_whatever_the_order_received() {
        use std::collections::hash_map::DefaultHasher;
        let hash = |fo: &FlagOverrides| {
            let mut h = DefaultHasher::new();
            fo.hash(&mut h);
            h.finish()
        };
        let (mut host_first, mut realm_first) = (FlagOverrides::new(), FlagOverrides::new());
        host_first.record(2, 0, 0x00, 0x40);
        host_first.record(3, 0, 0x00, 0x40);
        realm_first.record(3, 0, 0x00, 0x40);
        realm_first.record(2, 0, 0x00, 0x40);
        assert_eq!(host_first, realm_first);
        assert_eq!(hash(&host_first), hash(&realm_first));
        let mut other_flags = FlagOverrides::new();
        other_flags.record(3, 0, 0x20, 0x40);
        other_flags.record(2, 0, 0x00, 0x40);
        assert_ne!(host_first, other_flags);
    }

    #[test]
    fn equal_whether_inline_or_spilled() {
        let mut spilled = FlagOverrides::new();
        for field in 0..4 {
            spilled.record(field, 0, 0, 0x40);
        }
        spilled.remove(0);
        let mut inline = FlagOverrides::new();
        for field in 1..4 {
            inline.record(field, 0, 0, 0x40);
        }
        assert!(spilled.spilled.is_some());
        assert!(inline.spilled.is_none());
        assert_eq!(spilled, inline);
        use std::collections::hash_map::DefaultHasher;
        let hash = |fo: &FlagOverrides| {
            let mut h = DefaultHasher::new();
            fo.hash(&mut h);
            h.finish()
        };
        assert_eq!(hash(&spilled), hash(&inline));

        // Unused inline slots are never read, whatever key is asked for.
        let mut odd = FlagOverrides::new();
        odd.record(1, 0, 0x00, 0x40);
        assert_eq!(odd.get(0, 0, 0x40), 0x40);
        assert_eq!(odd.get(u16::MAX, usize::from(u16::MAX), 0x40), 0x40);
        odd.record(u16::MAX, 70_000, 0x00, 0x40);
        assert!(odd.spilled.is_none());
        assert_eq!(odd.get(u16::MAX, usize::from(u16::MAX), 0x40), 0x00);
        assert_eq!(odd.as_slice(), &[(1, 0, 0x00), (u16::MAX, u16::MAX, 0x00)]);
    }
}
