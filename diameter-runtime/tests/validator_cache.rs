//! A [`Validator`] (rules resolved once and kept) gives what [`validate`] gives, for the
//! seed messages and every variant with one AVP removed or repeated, at any depth.

use std::sync::Arc;

use bytes::Bytes;
use diameter_runtime::dict::{DataType, Dictionary};
use diameter_runtime::message::{validate, Avp, Message, Payload, Validator};
use diameter_runtime::wire::Limits;

fn seed(hex: &str) -> Message {
    Message::decode(Bytes::from(diameter_runtime::hex::decode(hex).unwrap())).unwrap()
}

/// `avps` with one AVP removed or doubled, for every AVP of the tree (grouped AVPs as
/// `dict` defines them).
fn variants(dict: &Dictionary, app_id: u32, avps: &[Avp]) -> Vec<Vec<Avp>> {
    let mut out = Vec::new();
    for (i, avp) in avps.iter().enumerate() {
        let mut removed = avps.to_vec();
        removed.remove(i);
        out.push(removed);
        let mut doubled = avps.to_vec();
        doubled.insert(i, avp.clone());
        out.push(doubled);
        let grouped = dict
            .avp(app_id, avp.code, avp.vendor_id)
            .is_some_and(|d| d.data_type == DataType::Grouped);
        if !grouped {
            continue;
        }
        let children: Vec<Avp> = avp.children().collect::<Result<_, _>>().unwrap();
        for inner in variants(dict, app_id, &children) {
            let mut changed = avps.to_vec();
            changed[i].payload = Payload::Group(inner);
            out.push(changed);
        }
    }
    out
}

#[test]
fn validator_agrees_with_validate_on_every_variant() {
    let dict = Arc::new(Dictionary::shipped().unwrap());
    let validator = Validator::new(dict.clone());
    let limits = Limits::default();
    let mut failures = 0;
    let mut checked = 0;
    for hex in [
        include_str!("../../tests/data/seed_ccr.hex"),
        include_str!("../../tests/data/seed_cca.hex"),
    ] {
        let msg = seed(hex);
        validator.validate(&msg, &limits).unwrap();
        for avps in variants(&dict, msg.header.application_id, &msg.avps) {
            let variant = Message {
                header: msg.header,
                avps,
            };
            // Twice: the first call fills the cache, the second reads it.
            let expected = validate(&dict, &variant, &limits);
            assert_eq!(validator.validate(&variant, &limits), expected);
            assert_eq!(validator.validate(&variant, &limits), expected);
            failures += usize::from(expected.is_err());
            checked += 1;
        }
    }
    assert!(
        failures > 4 && failures < checked,
        "the variants exercise both outcomes ({failures} of {checked} fail)"
    );
}
