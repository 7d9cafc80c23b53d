//! An account's balances and the arithmetic of charging them: how much usage they can
//! pay for, how a usage splits between the ToR's own balance and money, reservations.

use std::collections::HashMap;

use crate::tariff::Tariff;
use crate::units::{round_down, MONETARY};

/// One balance: its value and the part of it held by session reservations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Balance {
    /// Current value (ToR units, or micro-units for *monetary); may be negative.
    pub value: i64,
    /// Held by active sessions; never spent by other requests.
    pub reserved: i64,
}

impl Balance {
    /// What may still be spent or reserved.
    pub fn available(&self) -> i64 {
        (self.value - self.reserved).max(0)
    }
}

/// What a usage costs an account: units of the event's ToR and money.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Charge {
    /// Usage the charge is for, rounded up to the tariff's increment.
    pub usage: i64,
    /// Taken from the balance of the event's ToR.
    pub units: i64,
    /// Taken from *monetary, micro-units (connect fee included).
    pub money: i64,
}

impl Charge {
    /// Whether the charge takes nothing.
    pub fn is_empty(&self) -> bool {
        self.units == 0 && self.money == 0
    }
}

/// All balances of one account, by ToR.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Balances {
    by_tor: HashMap<String, Balance>,
}

impl Balances {
    /// Balances from `(tor, balance)` pairs.
    pub fn new(balances: impl IntoIterator<Item = (String, Balance)>) -> Balances {
        Balances {
            by_tor: balances.into_iter().collect(),
        }
    }

    /// The balance of `tor` (zero when the account has none).
    pub fn get(&self, tor: &str) -> Balance {
        self.by_tor.get(tor).copied().unwrap_or_default()
    }

    /// Every balance, by ToR.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Balance)> {
        self.by_tor.iter().map(|(tor, b)| (tor.as_str(), b))
    }

    fn entry(&mut self, tor: &str) -> &mut Balance {
        if !self.by_tor.contains_key(tor) {
            self.by_tor.insert(tor.to_owned(), Balance::default());
        }
        self.by_tor.get_mut(tor).expect("inserted above")
    }

    /// The usage of `tor`, at most `wanted`, that the available balances pay for: the ToR's
    /// own balance first (in whole increments), then money through `tariff`. `fee_due` says
    /// whether the tariff's connect fee is still to be paid if money is used.
    pub fn max_usage(&self, tor: &str, tariff: Option<&Tariff>, wanted: i64, fee_due: bool) -> i64 {
        if wanted <= 0 {
            return wanted.max(0);
        }
        let increment = tariff.map_or(1, |t| t.rate_increment);
        let units = round_down(self.get(tor).available(), increment);
        if units >= wanted || tor == MONETARY {
            return units.min(wanted);
        }
        let Some(tariff) = tariff else {
            return units;
        };
        let fee = if fee_due { tariff.connect_fee } else { 0 };
        let money = self.get(MONETARY).available() - fee;
        if money < 0 {
            return units;
        }
        units.saturating_add(tariff.usage_for(money)).min(wanted)
    }

    /// How `usage` of `tor` is paid: whole increments from the ToR's balance, the rest in
    /// money through `tariff` (plus the connect fee when `fee_due`). Without a tariff the
    /// whole usage is taken from the ToR's balance. Nothing is checked against what is
    /// available: a charge may take a balance below zero.
    pub fn charge(&self, tor: &str, tariff: Option<&Tariff>, usage: i64, fee_due: bool) -> Charge {
        let usage = usage.max(0);
        let Some(tariff) = tariff else {
            return Charge {
                usage,
                units: usage,
                money: 0,
            };
        };
        let usage = tariff.round(usage);
        let units = if tor == MONETARY {
            0
        } else {
            round_down(self.get(tor).available(), tariff.rate_increment).min(usage)
        };
        let rest = usage - units;
        let money = if rest > 0 {
            tariff.price(rest) + if fee_due { tariff.connect_fee } else { 0 }
        } else {
            0
        };
        Charge {
            usage,
            units,
            money,
        }
    }

    /// Take `charge` off the balances.
    pub fn debit(&mut self, tor: &str, charge: &Charge) {
        if charge.units != 0 {
            self.entry(tor).value -= charge.units;
        }
        if charge.money != 0 {
            self.entry(MONETARY).value -= charge.money;
        }
    }

    /// Hold `charge` (positive) or release it (negative `sign`).
    pub fn hold(&mut self, tor: &str, charge: &Charge, sign: i64) {
        if charge.units != 0 {
            self.entry(tor).reserved += sign * charge.units;
        }
        if charge.money != 0 {
            self.entry(MONETARY).reserved += sign * charge.money;
        }
    }

    /// Set a balance's value, keeping its reservations.
    pub fn set(&mut self, tor: &str, value: i64) {
        self.entry(tor).value = value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::{SECOND, VOICE};

    fn per_minute() -> Tariff {
        // 0.60 per minute, 60 s then per-second billing is not modelled: 1 s increments.
        Tariff {
            tenant: "t".into(),
            id: "call".into(),
            tor: VOICE.into(),
            category: "call".into(),
            destination: String::new(),
            connect_fee: 100_000,
            rate: 600_000,
            rate_unit: 60 * SECOND,
            rate_increment: SECOND,
        }
    }

    fn balances(voice_s: i64, money: i64) -> Balances {
        Balances::new([
            (
                VOICE.to_owned(),
                Balance {
                    value: voice_s * SECOND,
                    reserved: 0,
                },
            ),
            (
                MONETARY.to_owned(),
                Balance {
                    value: money,
                    reserved: 0,
                },
            ),
        ])
    }

    #[test]
    fn units_first_then_money() {
        let b = balances(30, 1_000_000);
        let t = per_minute();
        // 30 s from units, 0.9 - 0.1 fee = 0.9 money -> 90 s.
        assert_eq!(
            b.max_usage(VOICE, Some(&t), 3600 * SECOND, true),
            120 * SECOND
        );
        assert_eq!(b.max_usage(VOICE, Some(&t), 20 * SECOND, true), 20 * SECOND);
        let c = b.charge(VOICE, Some(&t), 45 * SECOND + 1, true);
        assert_eq!(c.usage, 46 * SECOND);
        assert_eq!(c.units, 30 * SECOND);
        assert_eq!(c.money, 160_000 + 100_000);
        let mut after = b.clone();
        after.debit(VOICE, &c);
        assert_eq!(after.get(VOICE).value, 0);
        assert_eq!(after.get(MONETARY).value, 740_000);
    }

    #[test]
    fn reservations_are_not_available() {
        let mut b = balances(0, 700_000);
        let t = per_minute();
        let hold = b.charge(VOICE, Some(&t), 60 * SECOND, true);
        b.hold(VOICE, &hold, 1);
        assert_eq!(b.get(MONETARY).available(), 0);
        assert_eq!(b.max_usage(VOICE, Some(&t), 60 * SECOND, true), 0);
        b.hold(VOICE, &hold, -1);
        assert_eq!(b.max_usage(VOICE, Some(&t), 60 * SECOND, true), 60 * SECOND);
    }

    #[test]
    fn no_tariff_takes_units_only() {
        let b = balances(10, 5_000_000);
        assert_eq!(b.max_usage(VOICE, None, 60 * SECOND, true), 10 * SECOND);
        let c = b.charge(VOICE, None, 60 * SECOND, true);
        assert_eq!((c.units, c.money), (60 * SECOND, 0));
    }

    #[test]
    fn unpaid_connect_fee_grants_units_only() {
        let b = balances(5, 50_000);
        assert_eq!(
            b.max_usage(VOICE, Some(&per_minute()), 60 * SECOND, true),
            5 * SECOND
        );
        assert_eq!(
            b.max_usage(VOICE, Some(&per_minute()), 60 * SECOND, false),
            10 * SECOND
        );
    }
}
