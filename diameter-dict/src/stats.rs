//! Counts of a dictionary's content per application and per vendor ([`Dictionary::stats`]).
//!
//! [`Dictionary::stats`]: crate::Dictionary::stats

use std::collections::BTreeMap;

use crate::dictionary::Dictionary;
use crate::model::DataType;

/// AVP and command counts of one group (an application, a vendor, or everything).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// AVP definitions in effect.
    pub avps: usize,
    /// Of which Grouped.
    pub grouped: usize,
    /// Of which Enumerated.
    pub enumerated: usize,
    /// Commands (per application; 0 in per-vendor counts).
    pub commands: usize,
}

impl Counts {
    fn add_avp(&mut self, data_type: DataType) {
        self.avps += 1;
        self.grouped += usize::from(data_type == DataType::Grouped);
        self.enumerated += usize::from(data_type == DataType::Enumerated);
    }
}

/// Per-application and per-vendor counts, and the totals.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// (application id, application name, counts), by id.
    pub applications: Vec<(u32, String, Counts)>,
    /// (vendor id, vendor name, counts), by id.
    pub vendors: Vec<(u32, String, Counts)>,
    /// Every AVP in effect and every command.
    pub total: Counts,
    /// Distinct (code, vendor) pairs.
    pub distinct_avps: usize,
}

pub(crate) fn stats(dict: &Dictionary) -> Stats {
    let mut apps: BTreeMap<u32, Counts> = BTreeMap::new();
    let mut vendors: BTreeMap<u32, Counts> = BTreeMap::new();
    let mut total = Counts::default();
    let mut pairs = std::collections::HashSet::new();
    for def in dict.avps() {
        apps.entry(def.app_id).or_default().add_avp(def.data_type);
        vendors
            .entry(def.vendor_id)
            .or_default()
            .add_avp(def.data_type);
        total.add_avp(def.data_type);
        pairs.insert((def.code, def.vendor_id));
    }
    for cmd in dict.commands() {
        apps.entry(cmd.app_id).or_default().commands += 1;
        total.commands += 1;
    }
    let app_name = |id| {
        dict.application(id)
            .map_or(String::new(), |a| a.name.clone())
    };
    let vendor_name = |id| match id {
        0 => "IETF".to_string(),
        id => dict.vendor_name(id).unwrap_or("").to_string(),
    };
    Stats {
        applications: apps
            .into_iter()
            .map(|(id, c)| (id, app_name(id), c))
            .collect(),
        vendors: vendors
            .into_iter()
            .map(|(id, c)| (id, vendor_name(id), c))
            .collect(),
        total,
        distinct_avps: pairs.len(),
    }
}
