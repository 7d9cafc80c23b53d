//! Per-application AVP indexes and the application fallback chain.

use std::collections::HashMap;

use crate::hash::IntMap;

/// go-diameter's `parentAppIds` (as quoted by the project spec): an AVP not found in one of
/// these applications is looked up in its parent before the base application 0.
const PARENT_APPS: [(u32, u32); 3] = [
    (16_777_251, 4), // S6a -> Credit-Control
    (16_777_238, 4), // Gx  -> Credit-Control
    (4, 1),          // Credit-Control -> NASREQ
];

/// The parent of an application in the lookup chain (every application but 0 has one).
fn parent(app_id: u32) -> Option<u32> {
    match app_id {
        0 => None,
        _ => Some(
            PARENT_APPS
                .iter()
                .find(|(child, _)| *child == app_id)
                .map_or(0, |(_, parent)| *parent),
        ),
    }
}

/// The applications searched for an AVP seen from `app_id`: itself, its parents, then 0.
pub(crate) fn lookup_chain(app_id: u32) -> impl Iterator<Item = u32> {
    std::iter::successors(Some(app_id), |&app| parent(app))
}

/// The AVP definitions of one application, as indexes into the dictionary's AVP list.
/// A later definition with the same key replaces the earlier one in every map it is put in.
#[derive(Debug, Clone, Default)]
pub(crate) struct AvpIndex {
    /// (code, vendor) -> definition.
    by_code: IntMap<u64, usize>,
    /// code -> the last definition loaded with that code, whatever its vendor.
    by_code_any_vendor: IntMap<u32, usize>,
    /// name -> definitions with that name.
    by_name: HashMap<String, NameEntry>,
}

#[derive(Debug, Clone)]
struct NameEntry {
    /// The last definition loaded with this name, whatever its vendor.
    last: usize,
    /// (vendor, definition), one per vendor.
    by_vendor: Vec<(u32, usize)>,
}

fn code_key(code: u32, vendor_id: u32) -> u64 {
    (u64::from(code) << 32) | u64::from(vendor_id)
}

impl AvpIndex {
    /// Index definition `ix`; returns the definition it replaces for the same (code, vendor).
    pub(crate) fn insert(
        &mut self,
        ix: usize,
        name: &str,
        code: u32,
        vendor_id: u32,
    ) -> Option<usize> {
        let replaced = self.by_code.insert(code_key(code, vendor_id), ix);
        self.by_code_any_vendor.insert(code, ix);
        match self.by_name.get_mut(name) {
            Some(entry) => {
                entry.last = ix;
                match entry.by_vendor.iter_mut().find(|(v, _)| *v == vendor_id) {
                    Some(slot) => slot.1 = ix,
                    None => entry.by_vendor.push((vendor_id, ix)),
                }
            }
            None => {
                let entry = NameEntry {
                    last: ix,
                    by_vendor: vec![(vendor_id, ix)],
                };
                self.by_name.insert(name.to_string(), entry);
            }
        }
        replaced
    }

    /// The definition for (code, vendor).
    #[inline]
    pub(crate) fn by_code(&self, code: u32, vendor_id: u32) -> Option<usize> {
        self.by_code.get(&code_key(code, vendor_id)).copied()
    }

    /// The last definition loaded with this code, whatever its vendor.
    #[inline]
    pub(crate) fn by_code_any_vendor(&self, code: u32) -> Option<usize> {
        self.by_code_any_vendor.get(&code).copied()
    }

    /// The last definition loaded with this name, whatever its vendor.
    pub(crate) fn by_name(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).map(|e| e.last)
    }

    /// The definition with this name and vendor.
    pub(crate) fn by_name_vendor(&self, name: &str, vendor_id: u32) -> Option<usize> {
        let entry = self.by_name.get(name)?;
        entry
            .by_vendor
            .iter()
            .find(|(v, _)| *v == vendor_id)
            .map(|(_, ix)| *ix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains() {
        let chain = |app| lookup_chain(app).collect::<Vec<_>>();
        assert_eq!(chain(0), [0]);
        assert_eq!(chain(1), [1, 0]);
        assert_eq!(chain(4), [4, 1, 0]);
        assert_eq!(chain(16_777_238), [16_777_238, 4, 1, 0]);
        assert_eq!(chain(16_777_251), [16_777_251, 4, 1, 0]);
        assert_eq!(chain(16_777_236), [16_777_236, 0]);
    }

    #[test]
    fn later_definitions_replace() {
        let mut index = AvpIndex::default();
        assert_eq!(index.insert(0, "A", 1, 0), None);
        assert_eq!(index.insert(1, "A", 1, 10415), None);
        assert_eq!(index.by_code(1, 0), Some(0));
        assert_eq!(index.by_code_any_vendor(1), Some(1));
        assert_eq!(index.by_name("A"), Some(1));
        assert_eq!(index.by_name_vendor("A", 0), Some(0));
        assert_eq!(index.insert(2, "B", 1, 0), Some(0));
        assert_eq!(index.by_code(1, 0), Some(2));
        // go-diameter keeps the old name pointing at the replaced definition.
        assert_eq!(index.by_name_vendor("A", 0), Some(0));
        assert_eq!(index.by_name("B"), Some(2));
    }
}
