//! The seed tutorial's CCR with the generated types: built in the tutorial's order, it
//! equals python-diameter's bytes except for the M bit python-diameter clears on
//! Origin-Host / Origin-Realm; decoded and encoded again it is byte-identical; the typed
//! and dynamic views encode alike; grammar errors carry the RFC Result-Code and AVP.

use bytes::Bytes;
use diameter::commands::credit_control::*;
use diameter::constants::*;
use diameter::message::{from_json, Avp, Message, Path};
use diameter::typed::{Command, Grouped, MessageError};
use diameter::wire::{AvpFlags, HEADER_LEN};

fn vector(name: &str) -> Bytes {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");
    let hex = std::fs::read_to_string(format!("{dir}{name}.hex")).unwrap();
    Bytes::from(diameter::hex::decode(&hex).unwrap())
}

#[path = "support/typed_seed_ccr.rs"]
mod typed_seed_ccr;
use typed_seed_ccr::seed_ccr;

#[test]
fn seed_ccr_built_in_tutorial_order_matches_python_diameter_but_the_m_bits() {
    let ours = seed_ccr().encode();
    let theirs = vector("seed_ccr");
    assert_eq!(ours.len(), 432);
    assert_eq!(ours.len(), theirs.len());
    let differing: Vec<(usize, u8, u8)> = (0..ours.len())
        .filter(|&i| ours[i] != theirs[i])
        .map(|i| (i, ours[i], theirs[i]))
        .collect();
    // Byte 68: flags of Origin-Host (AVP at offset 64); byte 84: flags of Origin-Realm
    // (AVP at offset 80). RFC 6733 §6.3/§6.4 and our dictionary say M; python-diameter
    // clears it on Credit-Control messages.
    assert_eq!(differing, vec![(68, 0x40, 0x00), (84, 0x40, 0x00)]);
}

#[test]
fn seed_ccr_decodes_and_encodes_to_identical_bytes() {
    let bytes = vector("seed_ccr");
    let ccr = CreditControlRequest::decode(bytes.clone()).unwrap();
    assert_eq!(ccr.encode(), bytes);

    assert_eq!(ccr.session_id, "smsgw.gy;65000000;00000000;00000001");
    assert_eq!(ccr.origin_host, "smsgw.gy");
    assert_eq!(ccr.cc_request_type, CcRequestType::EventRequest);
    assert_eq!(
        ccr.event_timestamp.unwrap().to_rfc3339(),
        "2024-01-02T03:04:05Z"
    );
    assert_eq!(
        ccr.subscription_id[0].subscription_id_type,
        SubscriptionIdType::EndUserE164
    );
    let mscc = &ccr.multiple_services_credit_control[0];
    let rsu = mscc.requested_service_unit.as_ref().unwrap();
    assert_eq!(rsu.cc_service_specific_units, Some(1));
    let sms = ccr
        .service_information
        .as_ref()
        .unwrap()
        .sms_information
        .as_ref()
        .unwrap();
    let address = &sms.recipient_info[0].recipient_address[0];
    assert_eq!(address.address_data.as_deref(), Some("41780000002"));
    assert!(ccr.avps.is_empty());
    assert_eq!(ccr.header.hop_by_hop, 1);

    // Only the received flags differ from what we would set: the message built from
    // scratch equals the decoded one once those are forgotten.
    // (The header keeps the received length; a new message says 20 until encoded.)
    let mut plain = ccr.clone();
    plain.flag_overrides.clear();
    plain.header.length = HEADER_LEN as u32;
    assert_eq!(plain, seed_ccr());
}

#[test]
fn seed_cca_decodes_and_encodes_to_identical_bytes() {
    let bytes = vector("seed_cca");
    let cca = CreditControlAnswer::try_from(Message::decode(bytes.clone()).unwrap()).unwrap();
    assert_eq!(cca.result_code, DIAMETER_SUCCESS);
    assert_eq!(cca.cc_request_type, E_CC_REQUEST_TYPE_EVENT_REQUEST);
    assert_eq!(cca.encode(), bytes);
}

#[test]
fn typed_and_dynamic_views_encode_alike() {
    // Typed -> dynamic.
    let ccr = seed_ccr();
    let msg = Message::from(&ccr);
    assert_eq!(msg.encode(), ccr.encode());

    // Dynamic (built from the vector's JSON tree) -> typed.
    let dict = diameter::dictionary();
    let json = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/seed_ccr.json"
    ))
    .unwrap();
    let dynamic = from_json(dict, &serde_json::from_str(&json).unwrap()).unwrap();
    let typed = CreditControlRequest::try_from(&dynamic).unwrap();
    assert_eq!(typed.encode(), dynamic.encode());
    assert_eq!(dynamic.encode(), vector("seed_ccr"));

    // Generic access to any AVP of a typed message, by path.
    let path = Path::compile(
        dict,
        4,
        "Service-Information.SMS-Information.Data-Coding-Scheme",
    )
    .unwrap();
    let dcs = typed.get(&path).unwrap();
    assert_eq!(dcs.value(path.data_type()).unwrap().as_i32(), Some(8));

    // A grouped value as a dynamic AVP.
    let sub = &typed.subscription_id[0];
    let avp = sub.to_avp();
    assert_eq!((avp.code, avp.vendor_id), (AVP_SUBSCRIPTION_ID, 0));
    assert_eq!(avp.encoded_len(), 40);
}

fn without(bytes: Bytes, code: u32) -> Bytes {
    let mut msg = Message::decode(bytes).unwrap();
    msg.avps.retain(|a| a.code != code);
    msg.encode()
}

#[test]
fn missing_required_avp_is_5005_with_that_avp() {
    let bytes = without(vector("seed_ccr"), AVP_SERVICE_CONTEXT_ID);
    let err = CreditControlRequest::decode(bytes).unwrap_err();
    assert_eq!(err.result_code(), DIAMETER_MISSING_AVP);
    let e = err.decode_error().unwrap();
    assert!(e.to_string().contains("Service-Context-Id"), "{e}");
    // Failed-AVP: the missing AVP (code 461, M bit), empty.
    assert_eq!(
        e.failed_avp.as_deref(),
        Some(&[0, 0, 0x01, 0xcd, 0x40, 0, 0, 8][..])
    );
}

#[test]
fn missing_required_member_of_a_group_is_5005_with_that_member() {
    let mut msg = Message::decode(vector("seed_ccr")).unwrap();
    let sub = msg
        .avps
        .iter_mut()
        .find(|a| a.code == AVP_SUBSCRIPTION_ID)
        .unwrap();
    let children: Vec<Avp> = sub
        .children()
        .map(Result::unwrap)
        .filter(|c| c.code != AVP_SUBSCRIPTION_ID_DATA)
        .collect();
    *sub = Avp::group(
        diameter::dictionary()
            .avp(4, AVP_SUBSCRIPTION_ID, 0)
            .unwrap(),
        children,
    );
    let err = CreditControlRequest::decode(msg.encode()).unwrap_err();
    assert_eq!(err.result_code(), DIAMETER_MISSING_AVP);
    let failed = err.decode_error().unwrap().failed_avp.clone().unwrap();
    assert_eq!(&failed[..4], &AVP_SUBSCRIPTION_ID_DATA.to_be_bytes());
}

#[test]
fn a_second_single_avp_is_5009_with_the_second_one() {
    let mut msg = Message::decode(vector("seed_ccr")).unwrap();
    let extra = Avp::new(AVP_CC_REQUEST_NUMBER, 0, true, &2u32.into());
    msg.avps.push(extra.clone());
    let err = CreditControlRequest::decode(msg.encode()).unwrap_err();
    assert_eq!(err.result_code(), DIAMETER_AVP_OCCURS_TOO_MANY_TIMES);
    let e = err.decode_error().unwrap();
    assert_eq!(e.failed_avp.as_deref(), Some(&extra.data_with_header()[..]));
    assert_eq!(
        e.offset, 432,
        "the extra AVP starts right after the vector's AVPs"
    );
}

trait WholeAvp {
    fn data_with_header(&self) -> Bytes;
}

impl WholeAvp for Avp {
    fn data_with_header(&self) -> Bytes {
        let mut out = bytes::BytesMut::new();
        self.encode(&mut out);
        out.freeze()
    }
}

#[test]
fn unknown_avps_are_kept_in_order_unless_they_have_m_where_the_grammar_has_no_wildcard() {
    // CCR has *[ AVP ]: kept, with or without M, and encoded again in order.
    let mut msg = Message::decode(vector("seed_ccr")).unwrap();
    let a = Avp::new(9999, 0, true, &"x".into());
    let b = Avp::new(9998, 12345, false, &7u32.into());
    msg.avps.push(a.clone());
    msg.avps.push(b.clone());
    let bytes = msg.encode();
    let ccr = CreditControlRequest::decode(bytes.clone()).unwrap();
    assert_eq!(ccr.avps, vec![a.clone(), b.clone()]);
    assert_eq!(ccr.encode(), bytes);

    // Service-Information has no wildcard: an unknown AVP with M is 5001, without M kept.
    let si = diameter::dictionary()
        .avp(4, AVP_TGPP_SERVICE_INFORMATION, VENDOR_TGPP)
        .unwrap();
    let mut msg = Message::decode(vector("seed_ccr")).unwrap();
    msg.avps.retain(|x| x.code != AVP_TGPP_SERVICE_INFORMATION);
    msg.avps.push(Avp::group(si, vec![b.clone()]));
    let ccr = CreditControlRequest::decode(msg.encode()).unwrap();
    assert_eq!(ccr.service_information.unwrap().avps, vec![b]);
    msg.avps.pop();
    msg.avps.push(Avp::group(si, vec![a.clone()]));
    let err = CreditControlRequest::decode(msg.encode()).unwrap_err();
    assert_eq!(err.result_code(), DIAMETER_AVP_UNSUPPORTED);
    assert_eq!(
        err.decode_error().unwrap().failed_avp.as_deref(),
        Some(&a.data_with_header()[..])
    );
}

#[test]
fn unknown_enumerated_values_are_kept() {
    let mut bytes = vector("seed_ccr").to_vec();
    // CC-Request-Type (offset 164): value in the last byte of the 12-byte AVP.
    assert_eq!(bytes[175], 4);
    bytes[175] = 99;
    let ccr = CreditControlRequest::decode(Bytes::from(bytes.clone())).unwrap();
    assert_eq!(ccr.cc_request_type, CcRequestType::Unknown(99));
    assert_eq!(i32::from(ccr.cc_request_type), 99);
    assert_eq!(ccr.encode(), Bytes::from(bytes));
}

#[test]
fn received_flags_are_kept_and_can_be_forgotten() {
    let bytes = vector("seed_ccr");
    let mut ccr = CreditControlRequest::decode(bytes).unwrap();
    assert!(!ccr.flag_overrides.is_empty());
    ccr.flag_overrides.clear();
    let encoded = ccr.encode();
    assert_eq!(encoded[68], AvpFlags::MANDATORY);
    assert_eq!(encoded[84], AvpFlags::MANDATORY);
}

#[test]
fn an_answer_is_not_a_request() {
    let err = CreditControlRequest::decode(vector("seed_cca")).unwrap_err();
    assert!(matches!(
        err,
        MessageError::WrongCommand {
            command_code: 272,
            request: false,
            ..
        }
    ));
    assert_eq!(err.result_code(), DIAMETER_COMMAND_UNSUPPORTED);
}

#[test]
fn the_generated_dictionary_is_the_shipped_one() {
    let dict = diameter::dictionary();
    assert_eq!(
        dict.command_by_name("CCR").unwrap().code,
        CMD_CREDIT_CONTROL
    );
    assert_eq!(dict.vendor_name(VENDOR_TGPP), Some("3GPP"));
    assert_eq!(
        dict.avp(4, AVP_TGPP_SMS_INFORMATION, VENDOR_TGPP)
            .unwrap()
            .name,
        "SMS-Information"
    );
    assert_eq!(CreditControlRequest::CODE, 272);
    assert_eq!(<ServiceInformation as Grouped>::AVP.code, 873);
}
