//! Building and reading dynamic messages through the dictionary.

use bytes::Bytes;
use diameter::dict::Dictionary;
use diameter::message::{Avp, Message, Path, PathError};
use diameter::wire::{AvpFlags, CommandFlags, Value};

fn dict() -> Dictionary {
    Dictionary::shipped().unwrap()
}

fn leaf(dict: &Dictionary, name: &str, value: Value) -> Avp {
    Avp::with_def(dict.avp_by_name(4, name).unwrap(), &value)
}

fn group(dict: &Dictionary, name: &str, children: Vec<Avp>) -> Avp {
    Avp::group(dict.avp_by_name(4, name).unwrap(), children)
}

/// A CCR with two Subscription-Ids and two MSCCs, built through the dictionary.
fn ccr(dict: &Dictionary) -> Message {
    let mut msg = Message::new(272, 4, CommandFlags::REQUEST | CommandFlags::PROXIABLE);
    msg.push(leaf(dict, "Session-Id", "gw;1;2".into()));
    for (kind, data) in [(0, "41780000001"), (1, "228011234567890")] {
        msg.push(group(
            dict,
            "Subscription-Id",
            vec![
                leaf(dict, "Subscription-Id-Type", Value::Enumerated(kind)),
                leaf(dict, "Subscription-Id-Data", data.into()),
            ],
        ));
    }
    for (rg, octets) in [(10u32, 1000u64), (20, 2000)] {
        msg.push(group(
            dict,
            "Multiple-Services-Credit-Control",
            vec![
                leaf(dict, "Rating-Group", rg.into()),
                group(
                    dict,
                    "Used-Service-Unit",
                    vec![leaf(dict, "CC-Total-Octets", octets.into())],
                ),
            ],
        ));
    }
    msg
}

#[test]
fn repeated_paths_give_every_instance_in_order() {
    let dict = dict();
    let bytes = ccr(&dict).encode();
    let msg = Message::decode(bytes).unwrap();
    let data = Path::compile(&dict, 4, "Subscription-Id.Subscription-Id-Data").unwrap();
    let values: Vec<String> = msg
        .get_all(&data)
        .iter()
        .map(|a| {
            a.value(data.data_type())
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(values, ["41780000001", "228011234567890"]);

    let octets = Path::compile(
        &dict,
        4,
        "Multiple-Services-Credit-Control.Used-Service-Unit.CC-Total-Octets",
    )
    .unwrap();
    let total: u64 = msg
        .get_all(&octets)
        .iter()
        .map(|a| a.value(octets.data_type()).unwrap().as_u64().unwrap())
        .sum();
    assert_eq!(total, 3000);
    assert_eq!(
        msg.get(&octets).unwrap().value(octets.data_type()).unwrap(),
        Value::Unsigned64(1000)
    );
}

#[test]
fn built_and_decoded_messages_encode_alike() {
    let dict = dict();
    let built = ccr(&dict);
    let bytes = built.encode();
    assert_eq!(bytes.len(), built.encoded_len());
    let decoded = Message::decode(bytes.clone()).unwrap();
    assert_eq!(decoded.encode(), bytes);
    // Flags come from the dictionary: M set, V clear for these IETF AVPs.
    assert!(decoded
        .avps
        .iter()
        .all(|a| a.flags == AvpFlags(AvpFlags::MANDATORY)));
}

#[test]
fn unknown_avps_and_odd_flags_survive_byte_for_byte() {
    let dict = dict();
    let mut msg = ccr(&dict);
    // An unknown vendor AVP with the P bit, and a known AVP sent without its M bit.
    msg.avps.insert(
        1,
        Avp {
            code: 7777,
            flags: AvpFlags(AvpFlags::VENDOR | AvpFlags::PROTECTED),
            vendor_id: 99_999,
            payload: diameter::message::Payload::Raw(Bytes::from_static(b"\x01\x02\x03")),
        },
    );
    msg.avps[0].flags = AvpFlags(0);
    let bytes = msg.encode();
    let again = Message::decode(bytes.clone()).unwrap();
    assert_eq!(again.avps[1].code, 7777);
    assert_eq!(again.avps[1].vendor_id, 99_999);
    assert_eq!(again.avps[0].flags, AvpFlags(0));
    assert_eq!(again.encode(), bytes);
    let dump = diameter::message::dump(&dict, &again);
    assert!(dump.contains("  Unknown <Code: 0x1e61, Flags: 0xa0 (V-P), Length: 15, Vnd: None, Val: b'\\x01\\x02\\x03'>"), "{dump}");
}

#[test]
fn bad_paths_are_refused_when_compiled() {
    let dict = dict();
    assert!(matches!(
        Path::compile(&dict, 4, "Subscription-Id.No-Such-AVP"),
        Err(PathError::UnknownAvp { name, .. }) if name == "No-Such-AVP"
    ));
    assert!(matches!(
        Path::compile(&dict, 4, "Session-Id.User-Name"),
        Err(PathError::NotGrouped { name, .. }) if name == "Session-Id"
    ));
    assert_eq!(
        Path::compile(&dict, 4, "Subscription-Id..Subscription-Id-Data"),
        Err(PathError::Empty)
    );
}
