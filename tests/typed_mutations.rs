//! Property: the typed decoder takes any bytes without panicking, and what it accepts is
//! sound. Inputs are the seed CCR with its top-level AVPs repeated, dropped and shuffled
//! (several Multiple-Services-Credit-Control, a second Service-Information, ...) and then
//! bytes overwritten anywhere after the header. For each one:
//!
//! - decoding into `CreditControlRequest` never panics; an error carries a 3xxx or 5xxx
//!   Result-Code;
//! - what the typed decoder accepts, the dynamic decoder accepts too (the typed one only
//!   adds the grammar);
//! - an accepted message encodes to bytes that decode to the same value, and encoding that
//!   value again gives the same bytes.

use bytes::{Bytes, BytesMut};
use diameter::commands::credit_control::CreditControlRequest;
use diameter::message::Message;
use diameter::typed::Command;
use diameter::wire::HEADER_LEN;
use proptest::prelude::*;

fn seed() -> Bytes {
    Bytes::from(diameter::hex::decode(include_str!("data/seed_ccr.hex")).unwrap())
}

/// The seed's top-level AVPs, each as encoded.
fn seed_avps() -> Vec<Bytes> {
    let msg = Message::decode(seed()).unwrap();
    msg.avps
        .iter()
        .map(|avp| {
            let mut out = BytesMut::new();
            avp.encode(&mut out);
            out.freeze()
        })
        .collect()
}

/// The seed's header followed by `avps`, with the Message Length set.
fn message(avps: &[Bytes]) -> BytesMut {
    let mut out = BytesMut::from(&seed()[..HEADER_LEN]);
    for avp in avps {
        out.extend_from_slice(avp);
    }
    let len = (out.len() as u32).to_be_bytes();
    out[1..4].copy_from_slice(&len[1..]);
    out
}

/// The seed's top-level AVPs with copies of some inserted anywhere and a few removed, then
/// bytes overwritten after the header (none in half the cases).
fn mutated() -> impl Strategy<Value = Bytes> {
    let count = seed_avps().len();
    (
        proptest::collection::vec((0..count, any::<usize>()), 0..6),
        proptest::collection::vec(any::<usize>(), 0..2),
        prop_oneof![
            Just(Vec::new()),
            proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4),
        ],
    )
        .prop_map(|(copies, removals, writes)| {
            let avps = seed_avps();
            let mut chosen = avps.clone();
            for (avp, at) in copies {
                chosen.insert(at % (chosen.len() + 1), avps[avp].clone());
            }
            for at in removals {
                if !chosen.is_empty() {
                    chosen.remove(at % chosen.len());
                }
            }
            let mut bytes = message(&chosen);
            let body = bytes.len() - HEADER_LEN;
            if body > 0 {
                for (at, value) in writes {
                    bytes[HEADER_LEN + at % body] = value;
                }
            }
            bytes.freeze()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn typed_decoding_of_altered_messages_is_sound(bytes in mutated()) {
        match CreditControlRequest::decode(bytes.clone()) {
            Ok(ccr) => {
                prop_assert!(Message::decode(bytes.clone()).is_ok());
                let encoded = ccr.encode();
                let again = CreditControlRequest::decode(encoded.clone())
                    .expect("an encoded CCR decodes");
                prop_assert_eq!(&again, &ccr);
                prop_assert_eq!(again.encode(), encoded);
            }
            Err(e) => {
                let code = e.result_code();
                prop_assert!((3000..4000).contains(&code) || (5000..6000).contains(&code), "{e}");
            }
        }
    }
}

#[test]
fn the_altered_messages_are_often_accepted() {
    // The property above is only as good as its accepted cases: check they are many.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let cases = 1000;
    let accepted = (0..cases)
        .filter(|_| {
            let bytes = mutated().new_tree(&mut runner).unwrap().current();
            CreditControlRequest::decode(bytes).is_ok()
        })
        .count();
    assert!(accepted * 20 > cases, "{accepted} of {cases} accepted");
    assert!(accepted < cases, "every altered message accepted");
}

#[test]
fn repeated_groups_decode_in_order() {
    // Three Multiple-Services-Credit-Control in a row: the `Vec` grows past its first room.
    let avps = seed_avps();
    let mscc = avps
        .iter()
        .position(|a| a[..4] == 456u32.to_be_bytes())
        .expect("the seed has an MSCC");
    let mut chosen = avps.clone();
    chosen.insert(mscc, avps[mscc].clone());
    chosen.insert(mscc, avps[mscc].clone());
    let bytes = message(&chosen).freeze();
    let ccr = CreditControlRequest::decode(bytes.clone()).unwrap();
    assert_eq!(ccr.multiple_services_credit_control.len(), 3);
    assert!(ccr
        .multiple_services_credit_control
        .iter()
        .all(|m| *m == ccr.multiple_services_credit_control[0]));
    assert_eq!(ccr.encode(), bytes);
}
