//! Tariffs: a price per ToR, category and destination prefix, and the lookup that picks one.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use crate::units::{round_down, round_up, ANY};

/// One tariff: `rate` money per `rate_unit` of usage, usage counted in steps of
/// `rate_increment`, plus `connect_fee` once per session or event that costs money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tariff {
    /// Tenant the tariff belongs to.
    pub tenant: String,
    /// Identifier, unique per tenant.
    pub id: String,
    /// ToR it rates, or `*any`.
    pub tor: String,
    /// Category it rates, or `*any`.
    pub category: String,
    /// Destination prefix it rates; empty (or `*any`) rates every destination.
    pub destination: String,
    /// Money charged once, micro-units.
    pub connect_fee: i64,
    /// Money per `rate_unit`, micro-units.
    pub rate: i64,
    /// Usage the rate is for (ToR units: ns, bytes, messages); at least 1.
    pub rate_unit: i64,
    /// Usage is rounded up to a multiple of this; at least 1.
    pub rate_increment: i64,
}

impl Tariff {
    /// Money for `usage` (already rounded to increments), rounded up to a micro-unit.
    pub fn price(&self, usage: i64) -> i64 {
        if usage <= 0 || self.rate == 0 {
            return 0;
        }
        let micros = (i128::from(usage) * i128::from(self.rate) + i128::from(self.rate_unit) - 1)
            / i128::from(self.rate_unit);
        i64::try_from(micros).unwrap_or(i64::MAX)
    }

    /// The most usage (a multiple of the increment) that `money` pays for.
    pub fn usage_for(&self, money: i64) -> i64 {
        if money <= 0 {
            return 0;
        }
        if self.rate <= 0 {
            return i64::MAX;
        }
        let usage = i128::from(money) * i128::from(self.rate_unit) / i128::from(self.rate);
        round_down(
            i64::try_from(usage).unwrap_or(i64::MAX),
            self.rate_increment,
        )
    }

    /// `usage` rounded up to the increment.
    pub fn round(&self, usage: i64) -> i64 {
        round_up(usage, self.rate_increment)
    }
}

/// Tariffs indexed for lookup by tenant, ToR, category and destination.
#[derive(Debug, Default, Clone)]
pub struct TariffIndex {
    /// By `tenant NUL tor NUL category`, then by destination prefix.
    by_key: HashMap<String, HashMap<String, Arc<Tariff>>>,
}

fn key(tenant: &str, tor: &str, category: &str) -> String {
    let mut key = String::with_capacity(tenant.len() + tor.len() + category.len() + 2);
    for (i, part) in [tenant, tor, category].into_iter().enumerate() {
        if i > 0 {
            key.push('\0');
        }
        key.push_str(part);
    }
    key
}

impl TariffIndex {
    /// Index these tariffs (a later one with the same key and prefix replaces an earlier one).
    pub fn new(tariffs: impl IntoIterator<Item = Tariff>) -> TariffIndex {
        let mut index = TariffIndex::default();
        for tariff in tariffs {
            let prefix = normalize_prefix(&tariff.destination).to_owned();
            index
                .by_key
                .entry(key(&tariff.tenant, &tariff.tor, &tariff.category))
                .or_default()
                .insert(prefix, Arc::new(tariff));
        }
        index
    }

    /// The tariff for an event: the category (exact, then `*any`) and ToR (exact, then
    /// `*any`) select a tariff set, in which the longest destination prefix wins.
    pub fn find(
        &self,
        tenant: &str,
        tor: &str,
        category: &str,
        destination: &str,
    ) -> Option<&Arc<Tariff>> {
        for category in [category, ANY] {
            for tor in [tor, ANY] {
                let Some(by_prefix) = self.by_key.get(&key(tenant, tor, category)) else {
                    continue;
                };
                let found = (0..=destination.len())
                    .rev()
                    .filter(|&len| destination.is_char_boundary(len))
                    .find_map(|len| by_prefix.get(&destination[..len]));
                if found.is_some() {
                    return found;
                }
            }
        }
        None
    }
}

/// A tariff's destination as a prefix: `*any` is the empty prefix.
pub fn normalize_prefix(destination: &str) -> &str {
    if destination == ANY {
        ""
    } else {
        destination
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tariff(id: &str, tor: &str, category: &str, destination: &str, rate: i64) -> Tariff {
        Tariff {
            tenant: "t".into(),
            id: id.into(),
            tor: tor.into(),
            category: category.into(),
            destination: destination.into(),
            connect_fee: 0,
            rate,
            rate_unit: 60,
            rate_increment: 30,
        }
    }

    #[test]
    fn longest_prefix_then_category_then_tor() {
        let index = TariffIndex::new([
            tariff("de", "*voice", "call", "+49", 1),
            tariff("de_mobile", "*voice", "call", "+4917", 2),
            tariff("any_dest", "*voice", "call", "*any", 3),
            tariff("any_cat", "*voice", "*any", "+4917", 4),
            tariff("any_tor", "*any", "premium", "", 5),
        ]);
        let id = |tor, cat, dest| index.find("t", tor, cat, dest).map(|t| t.id.as_str());
        assert_eq!(id("*voice", "call", "+4917123"), Some("de_mobile"));
        assert_eq!(id("*voice", "call", "+4930123"), Some("de"));
        assert_eq!(id("*voice", "call", "+33"), Some("any_dest"));
        assert_eq!(id("*voice", "other", "+4917"), Some("any_cat"));
        assert_eq!(id("*voice", "other", "+33"), None);
        assert_eq!(id("*data", "premium", "x"), Some("any_tor"));
        assert_eq!(index.find("other", "*voice", "call", "+49"), None);
    }

    #[test]
    fn price_rounds_up_to_a_micro() {
        // 0.01 per 60 s, 1 s increments.
        let t = Tariff {
            rate: 10_000,
            rate_unit: 60,
            rate_increment: 1,
            ..tariff("x", "*voice", "call", "", 0)
        };
        assert_eq!(t.price(60), 10_000);
        assert_eq!(t.price(1), 167);
        assert_eq!(t.usage_for(10_000), 60);
        assert_eq!(t.usage_for(166), 0);
        let free = Tariff {
            rate: 0,
            ..t.clone()
        };
        assert_eq!(free.price(1000), 0);
        assert_eq!(free.usage_for(1), i64::MAX);
    }
}
