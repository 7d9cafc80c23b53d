//! Full check of a decoded message against the dictionary: every value decodes, grouped
//! contents are well formed and not nested too deep, M-bit AVPs are understood, and the
//! command's rules (required AVPs, maximum counts, AVPs a `0*0` rule forbids) hold.
//!
//! Each AVP list (the message's, a grouped AVP's) is walked once: the AVPs are read in
//! place, their values checked without being built, and counted against the rules as they
//! go by. [`validate`] resolves the rules' AVP names on every call; a [`Validator`]
//! resolves each rule list once and keeps it, for a receiver checking many messages.

mod members;
mod rule_set;
mod value_check;

use std::cell::Cell;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use diameter_dict::{DataType, Dictionary};

use self::members::{Item, Members};
use self::rule_set::{CacheView, Found, RuleCache, RuleSet};
use super::avp::Avp;
use super::Message;
use crate::wire::{DecodeError, DecodeErrorKind, Limits, Value};

/// Check `msg` as a receiver must before processing it. The error carries the Result-Code
/// for the answer and the offending AVP for Failed-AVP.
///
/// Command rules are checked only for commands the dictionary knows; unknown non-M AVPs
/// are accepted and kept.
pub fn validate(dict: &Dictionary, msg: &Message, limits: &Limits) -> Result<(), DecodeError> {
    check(dict, &mut CacheView::uncached(), msg, limits)
}

/// [`validate`] with the rules of commands and grouped AVPs resolved once per
/// application and kept, for a receiver checking many messages against one dictionary.
#[derive(Debug)]
pub struct Validator {
    dict: Arc<Dictionary>,
    rules: RuleCache,
}

impl Validator {
    /// A validator for messages read with `dict`.
    pub fn new(dict: Arc<Dictionary>) -> Validator {
        Validator {
            dict,
            rules: RuleCache::default(),
        }
    }

    /// The dictionary messages are checked against.
    pub fn dictionary(&self) -> &Arc<Dictionary> {
        &self.dict
    }

    /// Check `msg` as [`validate`] does.
    pub fn validate(&self, msg: &Message, limits: &Limits) -> Result<(), DecodeError> {
        self.rules.with_view(msg.header.application_id, |view| {
            check(&self.dict, view, msg, limits)
        })
    }
}

/// The rules of a command the dictionary does not know.
static NO_RULES: RuleSet = RuleSet::empty();

fn check(
    dict: &Dictionary,
    view: &mut CacheView,
    msg: &Message,
    limits: &Limits,
) -> Result<(), DecodeError> {
    let app_id = msg.header.application_id;
    let rules = dict
        .command(app_id, msg.header.command_code)
        .map(|cmd| match msg.is_request() {
            true => &cmd.request,
            false => &cmd.answer,
        });
    let set = match rules {
        Some(rules) => view.get(dict, app_id, rules),
        None => Found::Cached(&NO_RULES),
    };
    // Answers with the E bit carry only what the error needs.
    let enforce = rules.is_some() && !msg.header.flags.is_error();
    let mut checker = Checker {
        dict,
        view,
        app_id,
        limits,
        counts: COUNTS.with(Cell::take),
    };
    let result = checker.list(&Members::built(&msg.avps), &set, 1, enforce);
    let mut counts = checker.counts;
    if counts.capacity() <= MAX_KEPT_COUNTS {
        counts.clear();
        COUNTS.with(|kept| kept.set(counts));
    }
    result
}

thread_local! {
    /// The counts buffer of the last check on this thread, kept for the next one.
    static COUNTS: Cell<Vec<u32>> = const { Cell::new(Vec::new()) };
}

/// The largest counts buffer kept between checks.
const MAX_KEPT_COUNTS: usize = 4096;

struct Checker<'c, 'v> {
    dict: &'c Dictionary,
    view: &'c mut CacheView<'v>,
    app_id: u32,
    limits: &'c Limits,
    /// How many AVPs of each rule slot the lists being walked hold so far: each list open
    /// on the way down has its slots, after its parent's.
    counts: Vec<u32>,
}

impl Checker<'_, '_> {
    /// Check every AVP of a list, then (if `enforce`) the list's rules.
    fn list(
        &mut self,
        members: &Members,
        set: &RuleSet,
        depth: usize,
        enforce: bool,
    ) -> Result<(), DecodeError> {
        let base = self.counts.len();
        self.counts.resize(base + set.slot_count(), 0);
        // Whether an AVP is there more often than a rule allows.
        let mut over = false;
        let mut iter = members.iter();
        while let Some(item) = iter.next() {
            let (data_type, rules) = match set.slot(item.code(), item.vendor_id()) {
                Some((ix, slot)) => {
                    let count = &mut self.counts[base + ix];
                    *count += 1;
                    over |= *count > slot.max;
                    (slot.data_type, slot.rules.and_then(|a| self.view.cached(a)))
                }
                None => {
                    let def = self.dict.avp(self.app_id, item.code(), item.vendor_id());
                    (def.map(|def| def.data_type), None)
                }
            };
            if let Err(e) = self.avp(item, data_type, rules, depth) {
                // The whole list is read before any member is checked: a malformed AVP
                // further on is the error.
                return Err(iter.find_malformed().unwrap_or(e));
            }
        }
        if let Some(e) = iter.malformed() {
            return Err(e);
        }
        let counts = &self.counts[base..];
        if enforce && (over || set.short(counts)) {
            rules(set, counts, members)?;
        }
        self.counts.truncate(base);
        Ok(())
    }

    /// Check one AVP, of type `data_type` (`None`: the dictionary does not know it); the
    /// rules of a grouped AVP are `rules` when the caller has them at hand.
    fn avp(
        &mut self,
        item: Item,
        data_type: Option<DataType>,
        rules: Option<&RuleSet>,
        depth: usize,
    ) -> Result<(), DecodeError> {
        let Some(data_type) = data_type else {
            if item.flags().is_mandatory() {
                return Err(fail(
                    DecodeErrorKind::UnsupportedAvp {
                        code: item.code(),
                        vendor_id: item.vendor_id(),
                    },
                    &item,
                ));
            }
            return Ok(());
        };
        if data_type != DataType::Grouped {
            return item.check_value(data_type).map_err(|e| {
                fail(
                    DecodeErrorKind::AvpValue {
                        code: item.code(),
                        reason: e.to_string(),
                    },
                    &item,
                )
            });
        }
        if depth >= self.limits.max_depth {
            return Err(fail(DecodeErrorKind::TooDeep(self.limits.max_depth), &item));
        }
        let set = match rules {
            Some(set) => Found::Cached(set),
            None => {
                let Some(def) = self.dict.avp(self.app_id, item.code(), item.vendor_id()) else {
                    return Ok(());
                };
                self.view.get(self.dict, self.app_id, &def.rules)
            }
        };
        // A malformed member is reported itself (the innermost offending AVP, as RFC 6733
        // §7.5 allows).
        self.list(&item.members(), &set, depth + 1, true)
    }
}

/// Check the counts of a list's AVPs (`counts`, by slot) against its rules, in rule order:
/// the first rule broken is the error.
fn rules(set: &RuleSet, counts: &[u32], members: &Members) -> Result<(), DecodeError> {
    for rule in set.constraints() {
        let count = counts[rule.slot];
        // The AVPs of the rule, in list order (for Failed-AVP).
        let matching = || {
            members
                .iter()
                .filter(|a| a.code() == rule.code && a.vendor_id() == rule.vendor_id)
        };
        if count < rule.min {
            // Failed-AVP: an example of the missing AVP, with an empty payload.
            let example = Avp::new(
                rule.code,
                rule.vendor_id,
                rule.mandatory,
                &Value::OctetString(Bytes::new()),
            );
            return Err(DecodeError::new(
                DecodeErrorKind::MissingAvp {
                    name: rule.name.clone(),
                },
                0,
            )
            .with_avp(whole(&example)));
        }
        if rule.max == Some(0) && count > 0 {
            // A `0*0` rule: the AVP must not be there (RFC 6733 §7.1.5, 5008).
            let err = DecodeError::new(
                DecodeErrorKind::AvpNotAllowed {
                    name: rule.name.clone(),
                },
                0,
            );
            return Err(match matching().next() {
                Some(avp) => err.with_avp(avp.whole()),
                None => err,
            });
        }
        if let Some(max) = rule.max {
            if count > max {
                let err = DecodeError::new(
                    DecodeErrorKind::TooManyAvps {
                        name: rule.name.clone(),
                        count: count as usize,
                        max,
                    },
                    0,
                );
                return Err(match matching().nth(max as usize) {
                    Some(extra) => err.with_avp(extra.whole()),
                    None => err,
                });
            }
        }
    }
    Ok(())
}

fn fail(kind: DecodeErrorKind, item: &Item) -> DecodeError {
    DecodeError::new(kind, 0).with_avp(item.whole())
}

/// The AVP as it goes on the wire (header, data, padding).
fn whole(avp: &Avp) -> Bytes {
    let mut out = BytesMut::with_capacity(avp.encoded_len());
    avp.encode(&mut out);
    out.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::result_code::{DIAMETER_INVALID_AVP_LENGTH, DIAMETER_INVALID_AVP_VALUE};
    use crate::wire::RawAvp;

    /// A CCR-shaped request (command rules not enforced: an answer with the E bit) holding
    /// one Subscription-Id with `payload`.
    fn with_subscription_id(payload: Vec<u8>) -> Message {
        let mut msg = Message::new(272, 4, 0x20);
        let raw = RawAvp::new(443, 0, true, Bytes::from(payload));
        msg.push(Avp::from(raw));
        msg
    }

    fn encoded(code: u32, data: &[u8]) -> Vec<u8> {
        let mut out = BytesMut::new();
        RawAvp::new(code, 0, true, Bytes::copy_from_slice(data)).encode(&mut out);
        out.to_vec()
    }

    #[test]
    fn a_malformed_member_further_on_comes_before_a_bad_value() {
        let dict = Dictionary::shipped().unwrap();
        let limits = Limits::default();
        // Subscription-Id-Type (Enumerated) with 3 bytes.
        let bad_value = encoded(450, &[0, 0, 1]);
        let err = validate(&dict, &with_subscription_id(bad_value.clone()), &limits).unwrap_err();
        assert_eq!(err.result_code, DIAMETER_INVALID_AVP_VALUE);
        assert_eq!(err.failed_avp.as_deref(), Some(&bad_value[..]));

        // Then a header claiming more bytes than there are.
        let mut payload = bad_value.clone();
        let truncated = [0, 0, 0x01, 0xbc, 0x40, 0, 0, 100];
        payload.extend_from_slice(&truncated);
        let err = validate(&dict, &with_subscription_id(payload), &limits).unwrap_err();
        assert_eq!(err.result_code, DIAMETER_INVALID_AVP_LENGTH);
        assert_eq!(
            err.offset,
            bad_value.len(),
            "offset within the group's payload"
        );
        assert_eq!(err.failed_avp.as_deref(), Some(&truncated[..]));
    }

    #[test]
    fn a_validator_and_validate_agree_and_leave_no_counts_behind() {
        let dict = Arc::new(Dictionary::shipped().unwrap());
        let validator = Validator::new(dict.clone());
        let limits = Limits::default();
        let good = with_subscription_id([encoded(450, &[0, 0, 0, 1]), encoded(444, b"1")].concat());
        for _ in 0..3 {
            assert_eq!(validator.validate(&good, &limits), Ok(()));
            assert_eq!(validate(&dict, &good, &limits), Ok(()));
        }
        // Subscription-Id-Data is required in Subscription-Id.
        let missing = with_subscription_id(encoded(450, &[0, 0, 0, 1]));
        let err = validator.validate(&missing, &limits).unwrap_err();
        assert_eq!(Err(err), validate(&dict, &missing, &limits));
        assert_eq!(COUNTS.with(|c| c.take()).len(), 0);
    }
}
