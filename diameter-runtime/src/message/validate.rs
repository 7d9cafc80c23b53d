//! Full check of a decoded message against the dictionary: every value decodes, grouped
//! contents are well formed and not nested too deep, M-bit AVPs are understood, and the
//! command's rules (required AVPs, maximum counts) hold.

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
    let checker = Checker {
        dict,
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
        for rule in rules.iter().filter(|r| !r.is_wildcard()) {
            let Some(def) = self.dict.rule_avp(self.app_id, rule) else {
                continue;
            };
            let count = avps
                .iter()
                .filter(|a| a.is(def.code, def.vendor_id))
                .count();
            let min = if rule.required {
                rule.min.max(1)
            } else {
                rule.min
            };
            if (count as u32) < min {
                // Failed-AVP: an example of the missing AVP, with an empty payload.
                let example = Avp::new(
                    def.code,
                    def.vendor_id,
                    def.flags.must.m,
                    &Value::OctetString(Bytes::new()),
                );
                return Err(DecodeError::new(
                    DecodeErrorKind::MissingAvp {
                        name: def.name.clone(),
                    },
                    0,
                )
                .with_avp(whole(&example)));
            }
            if let Some(max) = rule.max {
                if count as u32 > max {
                    let extra = avps
                        .iter()
                        .filter(|a| a.is(def.code, def.vendor_id))
                        .nth(max as usize)
                        .map(whole);
                    let err = DecodeError::new(
                        DecodeErrorKind::TooManyAvps {
                            name: def.name.clone(),
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
