//! Bad input gets the RFC 6733 Result-Code and the offending AVP, never a panic.

use bytes::{BufMut, Bytes, BytesMut};
use diameter_runtime::dict::Dictionary;
use diameter_runtime::message::{validate, Avp, Message, Payload};
use diameter_runtime::wire::{self, frame_length, result_code::*, DecodeErrorKind, Limits, Value};

fn seed_ccr() -> Vec<u8> {
    diameter_runtime::hex::decode(include_str!("../../tests/data/seed_ccr.hex")).unwrap()
}

fn decode(bytes: Vec<u8>) -> Result<Message, wire::DecodeError> {
    Message::decode(Bytes::from(bytes))
}

fn dict() -> Dictionary {
    Dictionary::shipped().unwrap()
}

/// A request with the given AVPs, encoded.
fn request(avps: Vec<Avp>) -> Message {
    let mut msg = Message::new(272, 4, 0xc0);
    msg.avps = avps;
    msg
}

#[test]
fn header_errors() {
    let good = seed_ccr();

    let mut bad = good.clone();
    bad[0] = 2;
    assert_eq!(
        decode(bad).unwrap_err().result_code,
        DIAMETER_UNSUPPORTED_VERSION
    );

    let mut bad = good.clone();
    bad[4] = 0xa0; // R and E together
    let err = decode(bad).unwrap_err();
    assert_eq!(err.result_code, DIAMETER_INVALID_HDR_BITS);
    assert_eq!(err.kind, DecodeErrorKind::HeaderBits(0xa0));

    let mut bad = good.clone();
    bad[4] = 0x81; // reserved bit
    assert_eq!(
        decode(bad).unwrap_err().result_code,
        DIAMETER_INVALID_HDR_BITS
    );

    let mut bad = good.clone();
    bad[3] = 0xb1; // length 433: not a multiple of 4
    assert_eq!(
        decode(bad).unwrap_err().result_code,
        DIAMETER_INVALID_MESSAGE_LENGTH
    );

    let short = good[..good.len() - 4].to_vec(); // header says 432, 428 present
    let err = decode(short).unwrap_err();
    assert_eq!(err.result_code, DIAMETER_INVALID_MESSAGE_LENGTH);
    assert!(matches!(
        err.kind,
        DecodeErrorKind::LengthMismatch {
            declared: 432,
            actual: 428
        }
    ));

    assert_eq!(
        decode(good[..10].to_vec()).unwrap_err().result_code,
        DIAMETER_INVALID_MESSAGE_LENGTH
    );
}

#[test]
fn message_size_limit_is_enforced_before_reading_the_body() {
    let limits = Limits {
        max_message_size: 256,
        max_depth: 16,
    };
    let good = seed_ccr();
    let err = frame_length(&good, &limits).unwrap_err();
    assert!(matches!(
        err.kind,
        DecodeErrorKind::TooLarge {
            length: 432,
            limit: 256
        }
    ));
    assert_eq!(frame_length(&good[..19], &limits).unwrap(), None);
    assert_eq!(frame_length(&good, &Limits::default()).unwrap(), Some(432));
}

#[test]
fn avp_length_error_carries_the_avp() {
    let mut bad = seed_ccr();
    // Session-Id at offset 20: claim a length beyond the message.
    bad[25..28].copy_from_slice(&[0x00, 0x10, 0x00]);
    let err = decode(bad.clone()).unwrap_err();
    assert_eq!(err.result_code, DIAMETER_INVALID_AVP_LENGTH);
    assert_eq!(err.offset, 20);
    let failed = err.failed_avp.unwrap();
    assert_eq!(
        &failed[..8],
        &bad[20..28],
        "Failed-AVP starts with the AVP header as received"
    );

    // A length shorter than the AVP header.
    let mut bad = seed_ccr();
    bad[27] = 4;
    assert_eq!(
        decode(bad).unwrap_err().result_code,
        DIAMETER_INVALID_AVP_LENGTH
    );
}

#[test]
fn avp_reserved_bits_give_3009() {
    let mut bad = seed_ccr();
    bad[24] = 0x41; // Session-Id flags: M + a reserved bit
    let err = decode(bad).unwrap_err();
    assert_eq!(err.result_code, DIAMETER_INVALID_AVP_BITS);
    assert_eq!(err.failed_avp.unwrap().len(), 43);
}

#[test]
fn nested_length_error_is_found_by_validate() {
    let dict = dict();
    let mut bad = seed_ccr();
    // Subscription-Id-Type inside Subscription-Id (at 216): length 12 -> 200.
    assert_eq!(&bad[224..228], &[0, 0, 0x01, 0xc2]);
    bad[231] = 200;
    let msg = decode(bad.clone()).expect("top level is intact");
    let err = validate(&dict, &msg, &Limits::default()).unwrap_err();
    assert_eq!(err.result_code, DIAMETER_INVALID_AVP_LENGTH);
    assert_eq!(&err.failed_avp.unwrap()[..8], &bad[224..232]);
}

#[test]
fn validate_accepts_the_seed_vectors() {
    let dict = dict();
    for hex in [
        include_str!("../../tests/data/seed_ccr.hex"),
        include_str!("../../tests/data/seed_cca.hex"),
    ] {
        let msg =
            Message::decode(Bytes::from(diameter_runtime::hex::decode(hex).unwrap())).unwrap();
        validate(&dict, &msg, &Limits::default()).unwrap();
    }
}

#[test]
fn bad_value_gives_5004() {
    let dict = dict();
    let mut msg = decode(seed_ccr()).unwrap();
    // CC-Request-Number (Unsigned32) with 3 bytes.
    let idx = msg.avps.iter().position(|a| a.code == 415).unwrap();
    msg.avps[idx].payload = Payload::Raw(Bytes::from_static(&[0, 0, 1]));
    let err = validate(&dict, &msg, &Limits::default()).unwrap_err();
    assert_eq!(err.result_code, DIAMETER_INVALID_AVP_VALUE);
    let failed = err.failed_avp.unwrap();
    assert_eq!(&failed[..4], &415u32.to_be_bytes());

    // Invalid UTF-8 in User-Name.
    let mut msg = decode(seed_ccr()).unwrap();
    let idx = msg.avps.iter().position(|a| a.code == 1).unwrap();
    msg.avps[idx].payload = Payload::Raw(Bytes::from_static(&[0xff, 0xfe]));
    assert_eq!(
        validate(&dict, &msg, &Limits::default())
            .unwrap_err()
            .result_code,
        DIAMETER_INVALID_AVP_VALUE
    );
}

#[test]
fn unknown_mandatory_avp_gives_5001_and_unknown_optional_is_kept() {
    let dict = dict();
    let mut msg = decode(seed_ccr()).unwrap();
    msg.avps
        .push(Avp::new(99_999, 0, false, &Value::Unsigned32(7)));
    validate(&dict, &msg, &Limits::default()).unwrap();
    let again = Message::decode(msg.encode()).unwrap();
    assert_eq!(
        again.avps.last().unwrap().code,
        99_999,
        "unknown AVP kept in place"
    );

    msg.avps
        .push(Avp::new(99_998, 0, true, &Value::Unsigned32(7)));
    let err = validate(&dict, &msg, &Limits::default()).unwrap_err();
    assert_eq!(err.result_code, DIAMETER_AVP_UNSUPPORTED);
    assert_eq!(&err.failed_avp.unwrap()[..4], &99_998u32.to_be_bytes());
}

#[test]
fn missing_and_repeated_avps_give_5005_and_5009() {
    let dict = dict();
    let mut msg = decode(seed_ccr()).unwrap();
    msg.avps.retain(|a| a.code != 416); // CC-Request-Type
    let err = validate(&dict, &msg, &Limits::default()).unwrap_err();
    assert_eq!(err.result_code, DIAMETER_MISSING_AVP);
    assert_eq!(&err.failed_avp.unwrap()[..4], &416u32.to_be_bytes());

    let mut msg = decode(seed_ccr()).unwrap();
    let session = msg.avps[0].clone();
    msg.avps.push(session);
    let err = validate(&dict, &msg, &Limits::default()).unwrap_err();
    assert_eq!(err.result_code, DIAMETER_AVP_OCCURS_TOO_MANY_TIMES);
}

#[test]
fn an_avp_a_0star0_rule_forbids_gives_5008_with_the_avp() {
    // A vendor command whose request must not carry Result-Code (`0*0 [ Result-Code ]`).
    let mut dict = dict();
    dict.load_str(
        "forbid.xml",
        r#"<diameter><application id="16777999" name="Forbid">
            <command code="8388999" short="FB" name="Forbid">
                <request>
                    <rule avp="Session-Id" required="true" max="1"/>
                    <rule avp="Result-Code" required="false" allowed="false"/>
                </request>
                <answer><rule avp="Session-Id" required="true" max="1"/></answer>
            </command></application></diameter>"#,
    )
    .unwrap();
    let session = Avp::new(263, 0, true, &Value::Utf8String("s;1".into()));
    let mut msg = Message::new(8_388_999, 16_777_999, 0x80);
    msg.avps = vec![session.clone()];
    validate(&dict, &msg, &Limits::default()).unwrap();

    let result_code = Avp::new(268, 0, true, &Value::Unsigned32(2001));
    msg.avps.push(result_code);
    let err = validate(&dict, &msg, &Limits::default()).unwrap_err();
    assert_eq!(err.result_code, DIAMETER_AVP_NOT_ALLOWED);
    assert!(
        matches!(err.kind, DecodeErrorKind::AvpNotAllowed { ref name } if name == "Result-Code")
    );
    // Failed-AVP: the offending AVP itself, value included.
    let failed = err.failed_avp.unwrap();
    assert_eq!(&failed[..4], &268u32.to_be_bytes());
    assert_eq!(&failed[8..12], &2001u32.to_be_bytes());
}

#[test]
fn nesting_depth_is_bounded() {
    let dict = dict();
    // Service-Information -> SMS-Information -> Recipient-Info -> Recipient-Address: depth 4.
    let msg = decode(seed_ccr()).unwrap();
    let shallow = Limits {
        max_depth: 3,
        ..Limits::default()
    };
    let err = validate(&dict, &msg, &shallow).unwrap_err();
    assert_eq!(err.kind, DecodeErrorKind::TooDeep(3));
    validate(
        &dict,
        &msg,
        &Limits {
            max_depth: 5,
            ..Limits::default()
        },
    )
    .unwrap();
}

#[test]
fn deeply_nested_garbage_does_not_overflow_the_stack() {
    // 10,000 nested Service-Information headers, each claiming to hold the rest.
    let dict = dict();
    let depth = 10_000usize;
    let mut body = BytesMut::new();
    for i in 0..depth {
        body.put_u32(873);
        body.put_u32(0xc000_0000 | (((depth - i) * 12) as u32));
        body.put_u32(10415);
    }
    let msg = request(vec![Avp {
        code: 263,
        flags: wire::AvpFlags(0x40),
        vendor_id: 0,
        payload: Payload::Raw(Bytes::from_static(b"x;1")),
    }]);
    let mut bytes = BytesMut::from(&msg.encode()[..]);
    bytes.extend_from_slice(&body);
    let len = bytes.len() as u32;
    bytes[1..4].copy_from_slice(&len.to_be_bytes()[1..]);
    let msg = Message::decode(bytes.freeze()).unwrap();
    let err = validate(&dict, &msg, &Limits::default()).unwrap_err();
    assert_eq!(err.kind, DecodeErrorKind::TooDeep(16));
    let _ = diameter_runtime::message::dump(&dict, &msg);
    let _ = diameter_runtime::message::to_json(&dict, &msg);
}
