//! Property tests: random AVP trees survive encode -> decode -> encode unchanged, and no
//! byte string makes the decoder panic.

use bytes::Bytes;
use diameter_runtime::message::{Avp, Message, Payload};
use diameter_runtime::wire::{AvpFlags, CommandFlags};
use proptest::prelude::*;

fn leaf() -> impl Strategy<Value = Avp> {
    (
        any::<u32>(),
        any::<bool>(),
        1u32..100_000,
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(any::<u8>(), 0..40),
    )
        .prop_map(|(code, vendor, vendor_id, m, p, data)| {
            avp(
                code,
                vendor.then_some(vendor_id),
                m,
                p,
                Payload::Raw(Bytes::from(data)),
            )
        })
}

fn avp(code: u32, vendor: Option<u32>, m: bool, p: bool, payload: Payload) -> Avp {
    let mut flags = 0;
    if vendor.is_some() {
        flags |= AvpFlags::VENDOR;
    }
    if m {
        flags |= AvpFlags::MANDATORY;
    }
    if p {
        flags |= AvpFlags::PROTECTED;
    }
    Avp {
        code,
        flags: AvpFlags(flags),
        vendor_id: vendor.unwrap_or(0),
        payload,
    }
}

fn tree() -> impl Strategy<Value = Avp> {
    leaf().prop_recursive(4, 64, 6, |inner| {
        (
            any::<u32>(),
            prop::option::of(1u32..100_000),
            any::<bool>(),
            prop::collection::vec(inner, 0..6),
        )
            .prop_map(|(code, vendor, m, children)| {
                avp(code, vendor, m, false, Payload::Group(children))
            })
    })
}

/// The same tree with every group turned into its raw bytes, as a decoder sees it.
fn flatten(avp: &Avp) -> Avp {
    Avp {
        payload: Payload::Raw(avp.data()),
        ..avp.clone()
    }
}

/// Walk a decoded AVP against the built one: groups decode back into the same children.
fn assert_same(built: &Avp, decoded: &Avp) {
    assert_eq!(
        (built.code, built.flags, built.vendor_id),
        (decoded.code, decoded.flags, decoded.vendor_id)
    );
    match &built.payload {
        Payload::Raw(data) => assert_eq!(&decoded.data(), data),
        Payload::Group(children) => {
            let again: Vec<Avp> = decoded.children().collect::<Result<_, _>>().unwrap();
            assert_eq!(children.len(), again.len());
            for (b, d) in children.iter().zip(&again) {
                assert_same(b, d);
            }
        }
    }
}

proptest! {
    #[test]
    fn random_trees_round_trip(avps in prop::collection::vec(tree(), 0..8), hbh: u32, e2e: u32, app: u32, code in 0u32..0x00ff_ffff, request: bool) {
        let flags = if request { CommandFlags::REQUEST } else { 0 };
        let mut msg = Message::new(code, app, flags);
        msg.header.hop_by_hop = hbh;
        msg.header.end_to_end = e2e;
        msg.avps = avps;
        let bytes = msg.encode();
        prop_assert_eq!(bytes.len(), msg.encoded_len());
        prop_assert_eq!(bytes.len() % 4, 0);
        let decoded = Message::decode(bytes.clone()).unwrap();
        prop_assert_eq!(decoded.encode(), bytes.clone());
        prop_assert_eq!(decoded.header.hop_by_hop, hbh);
        prop_assert_eq!(decoded.avps.len(), msg.avps.len());
        for (b, d) in msg.avps.iter().zip(&decoded.avps) {
            assert_same(b, d);
            prop_assert_eq!(&flatten(b), d);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(msg) = Message::decode(Bytes::from(data.clone())) {
            // Same length: only non-zero padding bytes may differ after re-encoding.
            prop_assert_eq!(msg.encode().len(), data.len());
            for avp in &msg.avps {
                for child in avp.children() {
                    let _ = child;
                }
            }
        }
    }

    #[test]
    fn corrupted_valid_messages_never_panic(pos in 0usize..432, byte: u8) {
        let mut data = diameter_runtime::hex::decode(include_str!("../../tests/data/seed_ccr.hex")).unwrap();
        data[pos] = byte;
        let dict = diameter_runtime::dict::Dictionary::shipped().unwrap();
        if let Ok(msg) = Message::decode(Bytes::from(data)) {
            let _ = diameter_runtime::message::validate(&dict, &msg, &Default::default());
            let _ = diameter_runtime::message::dump(&dict, &msg);
            let _ = diameter_runtime::message::to_json(&dict, &msg);
        }
    }
}
