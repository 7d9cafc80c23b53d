//! The rules of a command or grouped AVP resolved against the dictionary, ready for
//! counting a message's AVPs in one pass, and the cache a [`super::Validator`] keeps them in.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, RwLock};

use diameter_dict::{DataType, Dictionary, Rule};

/// The rules of one list, seen from one application.
#[derive(Debug)]
pub(super) struct RuleSet {
    /// The rules whose AVP the dictionary knows and that bound its count (a minimum, a
    /// maximum), in dictionary order.
    constraints: Vec<Resolved>,
    /// The distinct AVPs the rules name: the counting slots.
    slots: Vec<Slot>,
    /// (slot, minimum) of the rules that require an AVP.
    minimums: Vec<(usize, u32)>,
    /// Open-addressing table of `slots`: slot index + 1 (0: empty), probed linearly from
    /// the key's hash; at most half full.
    table: Vec<u32>,
}

/// A rule with its AVP found in the dictionary.
#[derive(Debug)]
pub(super) struct Resolved {
    pub(super) code: u32,
    pub(super) vendor_id: u32,
    /// M bit of the AVP (for the Failed-AVP example of a missing one).
    pub(super) mandatory: bool,
    pub(super) name: String,
    pub(super) min: u32,
    pub(super) max: Option<u32>,
    /// Index of the AVP's slot in [`RuleSet::slots`].
    pub(super) slot: usize,
}

/// An AVP the rules name.
#[derive(Debug)]
pub(super) struct Slot {
    key: u64,
    /// The type `Dictionary::avp` gives (code, vendor) from the set's application.
    pub(super) data_type: Option<DataType>,
    /// For a grouped AVP, the address of its definition's rule list (the cache's key).
    pub(super) rules: Option<usize>,
    /// The lowest maximum count the rules give the AVP (`u32::MAX`: none).
    pub(super) max: u32,
}

/// (code, vendor) as one word.
fn key(code: u32, vendor_id: u32) -> u64 {
    (u64::from(code) << 32) | u64::from(vendor_id)
}

/// The address of a rule list: its key in the cache.
fn address(rules: &[Rule]) -> usize {
    rules.as_ptr() as usize
}

/// Where a key's probe starts in a table of `mask + 1` buckets.
#[inline]
fn bucket(key: u64, mask: usize) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize & mask
}

impl RuleSet {
    /// The rules of `rules` whose AVP the dictionary knows, seen from `app_id`.
    pub(super) fn resolve(dict: &Dictionary, app_id: u32, rules: &[Rule]) -> RuleSet {
        let resolved: Vec<(Resolved, u64)> = rules
            .iter()
            .filter(|r| !r.is_wildcard())
            .filter_map(|rule| {
                let def = dict.rule_avp(app_id, rule)?;
                let resolved = Resolved {
                    code: def.code,
                    vendor_id: def.vendor_id,
                    mandatory: def.flags.must.m,
                    name: def.name.clone(),
                    min: if rule.required {
                        rule.min.max(1)
                    } else {
                        rule.min
                    },
                    max: rule.max,
                    slot: 0,
                };
                Some((resolved, key(def.code, def.vendor_id)))
            })
            .collect();
        let mut keys: Vec<u64> = resolved.iter().map(|(_, key)| *key).collect();
        keys.sort_unstable();
        keys.dedup();
        let size = (keys.len() * 2).next_power_of_two().max(8);
        let mut table = vec![0u32; size];
        for (ix, &key) in keys.iter().enumerate() {
            let mut at = bucket(key, size - 1);
            while table[at] != 0 {
                at = (at + 1) & (size - 1);
            }
            table[at] = ix as u32 + 1;
        }
        let constraints: Vec<Resolved> = resolved
            .into_iter()
            .filter(|(rule, _)| rule.min > 0 || rule.max.is_some())
            .map(|(rule, key)| Resolved {
                slot: keys.binary_search(&key).unwrap_or_default(),
                ..rule
            })
            .collect();
        let slots = keys
            .into_iter()
            .enumerate()
            .map(|(ix, key)| {
                let def = dict.avp(app_id, (key >> 32) as u32, key as u32);
                (ix, key, def)
            })
            .map(|(ix, key, def)| Slot {
                key,
                data_type: def.map(|def| def.data_type),
                rules: def
                    .filter(|def| def.data_type == DataType::Grouped)
                    .map(|def| address(&def.rules)),
                max: constraints
                    .iter()
                    .filter(|rule| rule.slot == ix)
                    .filter_map(|rule| rule.max)
                    .min()
                    .unwrap_or(u32::MAX),
            })
            .collect();
        let minimums = constraints
            .iter()
            .filter(|rule| rule.min > 0)
            .map(|rule| (rule.slot, rule.min))
            .collect();
        RuleSet {
            constraints,
            slots,
            minimums,
            table,
        }
    }

    /// The rules of no list (a command the dictionary does not know).
    pub(super) const fn empty() -> RuleSet {
        RuleSet {
            constraints: Vec::new(),
            slots: Vec::new(),
            minimums: Vec::new(),
            table: Vec::new(),
        }
    }

    /// Whether a required AVP is short of its minimum in `counts` (by slot).
    #[inline]
    pub(super) fn short(&self, counts: &[u32]) -> bool {
        self.minimums.iter().any(|&(slot, min)| counts[slot] < min)
    }

    /// The rules that bound a count, in dictionary order.
    pub(super) fn constraints(&self) -> &[Resolved] {
        &self.constraints
    }

    /// How many AVPs the rules name (the counts a list needs).
    pub(super) fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// The slot of AVP (code, vendor) and its index, if the rules name it.
    #[inline]
    pub(super) fn slot(&self, code: u32, vendor_id: u32) -> Option<(usize, &Slot)> {
        if self.table.is_empty() {
            return None;
        }
        let key = key(code, vendor_id);
        let mask = self.table.len() - 1;
        let mut at = bucket(key, mask);
        loop {
            let ix = (self.table[at] as usize).checked_sub(1)?;
            let slot = self.slots.get(ix)?;
            if slot.key == key {
                return Some((ix, slot));
            }
            at = (at + 1) & mask;
        }
    }
}

/// Resolved rule sets by application, then by list address. The dictionary is held by the
/// [`super::Validator`] behind an `Arc` and never changes, so the addresses of its lists are
/// stable.
///
/// Application ids come from peers: they are hashed with std's DoS-resistant hasher, and
/// the cache stops growing at [`MAX_CACHED`] sets (lists met after that are resolved on
/// each use). List addresses are the dictionary's, hashed with a plain multiply.
#[derive(Debug, Default)]
pub(super) struct RuleCache(RwLock<Apps>);

#[derive(Debug, Default)]
struct Apps {
    by_app: HashMap<u32, Lists>,
    /// Sets held, over every application.
    len: usize,
}

/// The sets of one application by list address.
type Lists = HashMap<usize, Arc<RuleSet>, BuildHasherDefault<AddressHasher>>;

/// Enough for every command and grouped AVP of the shipped dictionaries in a few
/// applications.
const MAX_CACHED: usize = 16_384;

impl RuleCache {
    /// Run `check` with a view of the cache for a message from `app_id`: the cache is
    /// read-locked once for the whole check, and the sets resolved meanwhile are added
    /// afterwards.
    pub(super) fn with_view<R>(&self, app_id: u32, check: impl FnOnce(&mut CacheView) -> R) -> R {
        let (out, fresh) = {
            let apps = self.0.read().ok();
            let mut view = CacheView {
                lists: apps.as_ref().and_then(|apps| apps.by_app.get(&app_id)),
                fresh: Vec::new(),
            };
            let out = check(&mut view);
            (out, view.fresh)
        };
        if !fresh.is_empty() {
            self.keep(app_id, fresh);
        }
        out
    }

    fn keep(&self, app_id: u32, fresh: Vec<(usize, Arc<RuleSet>)>) {
        let Ok(mut apps) = self.0.write() else {
            return;
        };
        let apps = &mut *apps;
        for (address, set) in fresh {
            if apps.len >= MAX_CACHED {
                return;
            }
            let lists = apps.by_app.entry(app_id).or_default();
            if let Entry::Vacant(slot) = lists.entry(address) {
                slot.insert(set);
                apps.len += 1;
            }
        }
    }
}

/// The rule sets of one application's lists, as seen while checking one message.
pub(super) struct CacheView<'a> {
    /// The cached sets, if any.
    lists: Option<&'a Lists>,
    /// Sets resolved during this check.
    fresh: Vec<(usize, Arc<RuleSet>)>,
}

/// A rule set from the cache, or resolved for this message.
pub(super) enum Found<'a> {
    Cached(&'a RuleSet),
    Fresh(Arc<RuleSet>),
}

impl std::ops::Deref for Found<'_> {
    type Target = RuleSet;

    fn deref(&self) -> &RuleSet {
        match self {
            Found::Cached(set) => set,
            Found::Fresh(set) => set,
        }
    }
}

impl<'a> CacheView<'a> {
    /// A view of no cache: every set is resolved on first use in the message.
    pub(super) fn uncached() -> CacheView<'static> {
        CacheView {
            lists: None,
            fresh: Vec::new(),
        }
    }

    /// The cached rule set of the list at `address` (see [`Slot::rules`]).
    #[inline]
    pub(super) fn cached(&self, address: usize) -> Option<&'a RuleSet> {
        self.lists
            .and_then(|lists| lists.get(&address))
            .map(|set| &**set)
    }

    /// The rule set of `rules` seen from `app_id` (the application of the view).
    pub(super) fn get(&mut self, dict: &Dictionary, app_id: u32, rules: &[Rule]) -> Found<'a> {
        let address = address(rules);
        if let Some(set) = self.cached(address) {
            return Found::Cached(set);
        }
        if let Some((_, set)) = self.fresh.iter().find(|(a, _)| *a == address) {
            return Found::Fresh(set.clone());
        }
        let set = Arc::new(RuleSet::resolve(dict, app_id, rules));
        self.fresh.push((address, set.clone()));
        Found::Fresh(set)
    }
}

/// Multiply-rotate hashing of list addresses (the dictionary's, not a peer's), with a
/// final fold of the high bits.
#[derive(Debug, Default, Clone, Copy)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(26) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_naming_one_avp_share_a_slot() {
        let dict = Dictionary::shipped().unwrap();
        let rules: Vec<Rule> = ["Session-Id", "Origin-Host", "Session-Id", "AVP"]
            .iter()
            .map(|name| Rule {
                avp: name.to_string(),
                required: false,
                min: 0,
                max: None,
                vendor_id: None,
                location: Default::default(),
            })
            .collect();
        let set = RuleSet::resolve(&dict, 4, &rules);
        assert_eq!(set.slot_count(), 2, "the wildcard is not an AVP to count");
        assert_eq!(set.constraints().len(), 0, "no rule bounds a count");
        let session_id = set.slot(263, 0).unwrap();
        assert_eq!(session_id.1.data_type, Some(DataType::UTF8String));
        assert_eq!(session_id.1.max, u32::MAX);
        assert_ne!(set.slot(264, 0).unwrap().0, session_id.0);
        assert!(set.slot(263, 10415).is_none());
        assert!(set.slot(1, 0).is_none());
    }

    #[test]
    fn every_avp_of_every_shipped_list_has_its_slot() {
        let dict = Dictionary::shipped().unwrap();
        let lists = dict
            .commands()
            .flat_map(|cmd| [(cmd.app_id, &cmd.request), (cmd.app_id, &cmd.answer)])
            .chain(dict.avps().map(|def| (4, &def.rules)));
        for (app_id, rules) in lists {
            let set = RuleSet::resolve(&dict, app_id, rules);
            let mut seen = std::collections::HashSet::new();
            for slot in &set.slots {
                let (code, vendor) = ((slot.key >> 32) as u32, slot.key as u32);
                let (ix, found) = set.slot(code, vendor).unwrap();
                assert_eq!(found.key, slot.key);
                assert_eq!(
                    found.data_type,
                    dict.avp(app_id, code, vendor).map(|d| d.data_type)
                );
                assert!(seen.insert(ix));
                assert!(set.slot(code, vendor ^ 1).is_none());
                assert!(set.slot(code + 100_000, vendor).is_none());
            }
            for rule in set.constraints() {
                assert_eq!(set.slot(rule.code, rule.vendor_id).unwrap().0, rule.slot);
            }
        }
    }

    #[test]
    fn the_cache_keeps_sets_resolved_during_a_check() {
        let dict = Dictionary::shipped().unwrap();
        let cmd = dict.command(4, 272).unwrap();
        let cache = RuleCache::default();
        let fresh = |found: Found| matches!(found, Found::Fresh(_));
        cache.with_view(4, |view| {
            assert!(fresh(view.get(&dict, 4, &cmd.request)));
            assert!(fresh(view.get(&dict, 4, &cmd.request)));
        });
        cache.with_view(4, |view| {
            assert!(!fresh(view.get(&dict, 4, &cmd.request)));
            assert!(fresh(view.get(&dict, 4, &cmd.answer)));
        });
        cache.with_view(0, |view| assert!(fresh(view.get(&dict, 0, &cmd.request))));
        assert_eq!(cache.0.read().unwrap().len, 3);
    }

    #[test]
    fn the_cache_stops_growing() {
        let dict = Dictionary::shipped().unwrap();
        let cmd = dict.command(0, 257).unwrap();
        let cache = RuleCache::default();
        for app_id in 0..MAX_CACHED as u32 + 10 {
            cache.with_view(app_id, |view| {
                view.get(&dict, app_id, &cmd.request).slot_count()
            });
        }
        let apps = cache.0.read().unwrap();
        assert_eq!(apps.len, MAX_CACHED);
        assert_eq!(apps.by_app.len(), MAX_CACHED);
    }
}
