//! Full check of a decoded message against the dictionary: every value decodes, grouped
//! contents are well formed and not nested too deep, M-bit AVPs are understood, and the
//! command's rules (required AVPs, maximum counts, AVPs a `0*0` rule forbids) hold.
//!
//! [`validate`] resolves the rules' AVP names on every call; a [`Validator`] resolves
//! each rule list once and keeps it, for a receiver checking many messages.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use bytes::{Bytes, BytesMut};
use diameter_dict::{DataType, Dictionary, Rule};

use super::avp::Avp;
use super::Message;
use crate::wire::{DecodeError, DecodeErrorKind, Limits, Value};

/// Check `msg` as a receiver must before processing it. The error carries the Result-Code
/// for the answer and the offending AVP for Failed-AVP.
///
/// Command rules are checked only for commands the dictionary knows; unknown non-M AVPs
/// are accepted and kept.
pub fn validate(dict: &Dictionary, msg: &Message, limits: &Limits) -> Result<(), DecodeError> {
    check(dict, None, msg, limits)
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
        check(&self.dict, Some(&self.rules), msg, limits)
    }
}

/// Resolved rule lists by application and list address. The dictionary is held by the
/// [`Validator`] behind an `Arc` and never changes, so the addresses of its lists are
/// stable.
#[derive(Debug, Default)]
struct RuleCache(RwLock<HashMap<RulesKey, Arc<[Resolved]>>>);

/// Application-Id and the address of a rule list in the dictionary.
type RulesKey = (u32, usize);

impl RuleCache {
    fn get(&self, dict: &Dictionary, app_id: u32, rules: &[Rule]) -> Arc<[Resolved]> {
        let key = (app_id, rules.as_ptr() as usize);
        if let Some(found) = self.0.read().ok().and_then(|m| m.get(&key).cloned()) {
            return found;
        }
        let resolved: Arc<[Resolved]> = resolve(dict, app_id, rules).into();
        if let Ok(mut m) = self.0.write() {
            m.insert(key, resolved.clone());
        }
        resolved
    }
}

/// A rule with its AVP found in the dictionary.
#[derive(Debug)]
struct Resolved {
    code: u32,
    vendor_id: u32,
    /// M bit of the AVP (for the Failed-AVP example of a missing one).
    mandatory: bool,
    name: String,
    min: u32,
    max: Option<u32>,
}

/// The rules of `rules` whose AVP the dictionary knows, seen from `app_id`.
fn resolve(dict: &Dictionary, app_id: u32, rules: &[Rule]) -> Vec<Resolved> {
    rules
        .iter()
        .filter(|r| !r.is_wildcard())
        .filter_map(|rule| {
            let def = dict.rule_avp(app_id, rule)?;
            Some(Resolved {
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
            })
        })
        .collect()
}

fn check(
    dict: &Dictionary,
    cache: Option<&RuleCache>,
    msg: &Message,
    limits: &Limits,
) -> Result<(), DecodeError> {
    let checker = Checker {
        dict,
        cache,
        app_id: msg.header.application_id,
        limits,
    };
    checker.avps(&msg.avps, 1)?;
    if let Some(cmd) = dict.command(msg.header.application_id, msg.header.command_code) {
        let rules = if msg.is_request() {
            &cmd.request
        } else {
            &cmd.answer
        };
        // Answers with the E bit carry only what the error needs.
        if !msg.header.flags.is_error() {
            checker.rules(rules, &msg.avps)?;
        }
    }
    Ok(())
}

struct Checker<'a> {
    dict: &'a Dictionary,
    cache: Option<&'a RuleCache>,
    app_id: u32,
    limits: &'a Limits,
}

impl Checker<'_> {
    fn avps(&self, avps: &[Avp], depth: usize) -> Result<(), DecodeError> {
        avps.iter().try_for_each(|avp| self.avp(avp, depth))
    }

    fn avp(&self, avp: &Avp, depth: usize) -> Result<(), DecodeError> {
        let Some(def) = self.dict.avp(self.app_id, avp.code, avp.vendor_id) else {
            if avp.flags.is_mandatory() {
                return Err(self.fail(
                    DecodeErrorKind::UnsupportedAvp {
                        code: avp.code,
                        vendor_id: avp.vendor_id,
                    },
                    avp,
                ));
            }
            return Ok(());
        };
        if def.data_type != DataType::Grouped {
            return Value::decode(def.data_type, &avp.data())
                .map(drop)
                .map_err(|e| {
                    self.fail(
                        DecodeErrorKind::AvpValue {
                            code: avp.code,
                            reason: e.to_string(),
                        },
                        avp,
                    )
                });
        }
        if depth >= self.limits.max_depth {
            return Err(self.fail(DecodeErrorKind::TooDeep(self.limits.max_depth), avp));
        }
        let children = avp.children().collect::<Result<Vec<_>, _>>().map_err(|e| {
            match e.failed_avp.is_some() {
                // Report the innermost offending AVP, as RFC 6733 §7.5 allows.
                true => e,
                false => e.with_avp(whole(avp)),
            }
        })?;
        self.avps(&children, depth + 1)?;
        self.rules(&def.rules, &children)
    }

    fn rules(&self, rules: &[Rule], avps: &[Avp]) -> Result<(), DecodeError> {
        match self.cache {
            Some(cache) => self.resolved(&cache.get(self.dict, self.app_id, rules), avps),
            None => self.resolved(&resolve(self.dict, self.app_id, rules), avps),
        }
    }

    fn resolved(&self, rules: &[Resolved], avps: &[Avp]) -> Result<(), DecodeError> {
        for rule in rules {
            let count = avps
                .iter()
                .filter(|a| a.is(rule.code, rule.vendor_id))
                .count();
            if (count as u32) < rule.min {
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
                let first = avps.iter().find(|a| a.is(rule.code, rule.vendor_id));
                let err = DecodeError::new(
                    DecodeErrorKind::AvpNotAllowed {
                        name: rule.name.clone(),
                    },
                    0,
                );
                return Err(match first {
                    Some(avp) => err.with_avp(whole(avp)),
                    None => err,
                });
            }
            if let Some(max) = rule.max {
                if count as u32 > max {
                    let extra = avps
                        .iter()
                        .filter(|a| a.is(rule.code, rule.vendor_id))
                        .nth(max as usize)
                        .map(whole);
                    let err = DecodeError::new(
                        DecodeErrorKind::TooManyAvps {
                            name: rule.name.clone(),
                            count,
                            max,
                        },
                        0,
                    );
                    return Err(match extra {
                        Some(bytes) => err.with_avp(bytes),
                        None => err,
                    });
                }
            }
        }
        Ok(())
    }

    fn fail(&self, kind: DecodeErrorKind, avp: &Avp) -> DecodeError {
        DecodeError::new(kind, 0).with_avp(whole(avp))
    }
}

/// The AVP as it goes on the wire (header, data, padding).
fn whole(avp: &Avp) -> Bytes {
    let mut out = BytesMut::with_capacity(avp.encoded_len());
    avp.encode(&mut out);
    out.freeze()
}
