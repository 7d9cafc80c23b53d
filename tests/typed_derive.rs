//! A hand-written struct with the derives works exactly like a generated one.

use diameter::avps;
use diameter::message::Avp;
use diameter::typed::{AvpSet, Command, Enumerated, FlagOverrides, Grouped};
use diameter::wire::{Header, Value};

/// Subscription-Id written by hand, with a plain `i32` for the type.
#[derive(Debug, Clone, PartialEq, Default, Grouped)]
#[diameter(code = 443, mandatory, name = "Subscription-Id")]
struct MySubscription {
    #[avp(code = 450, mandatory)]
    kind: i32,
    #[avp(code = 444, mandatory)]
    data: String,
    #[avp(extra)]
    avps: Vec<Avp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Enumerated)]
enum Tier {
    #[avp(value = 1)]
    Gold,
    #[avp(unknown)]
    Unknown(i32),
}

/// A made-up command with just what this test needs; its grammar forbids Result-Code
/// (`0*0 [ Result-Code ]`).
#[derive(Debug, Clone, PartialEq, Command)]
#[diameter(code = 8_388_000, application = 4, request)]
#[diameter(not_allowed(code = 268, name = "Result-Code"))]
struct Probe {
    #[avp(header)]
    header: Header,
    #[avp(code = 263, mandatory, name = "Session-Id")]
    session_id: String,
    #[avp(code = 443, mandatory, min = 1, max = 2)]
    subs: Vec<MySubscription>,
    #[avp(code = 1, vendor = 32473)]
    tier: Option<Tier>,
    #[avp(flags)]
    flags: FlagOverrides,
}

#[test]
fn hand_written_and_generated_groups_encode_alike() {
    let generated = avps::SubscriptionId::new(avps::SubscriptionIdType::EndUserImsi, "001");
    let mine = MySubscription {
        kind: 1,
        data: "001".into(),
        ..Default::default()
    };
    assert_eq!(generated.to_avp(), mine.to_avp());
    let back = MySubscription::from_avp(&generated.to_avp()).unwrap();
    assert_eq!(back, mine);
    assert_eq!(MySubscription::AVP, avps::SubscriptionId::AVP);
}

#[test]
#[allow(clippy::field_reassign_with_default)]
fn hand_written_command_checks_its_grammar() {
    let mut probe = Probe::default();
    probe.session_id = "s".into();
    probe.tier = Some(Tier::Gold);
    // No Subscription-Id: min = 1.
    let err = Probe::decode(probe.encode()).unwrap_err();
    assert_eq!(err.result_code(), 5005);
    probe.add_subs(MySubscription::new(0, "1"));
    let back = Probe::decode(probe.encode()).unwrap();
    assert_eq!(back.subs, probe.subs);
    assert_eq!(back.tier.map(Enumerated::value), Some(1));
    // A third Subscription-Id: max = 2.
    probe.add_subs(MySubscription::new(0, "2"));
    probe.add_subs(MySubscription::new(0, "3"));
    let err = Probe::decode(probe.encode()).unwrap_err();
    assert_eq!(err.result_code(), 5009);
    assert_eq!(probe.avps_len() + 20, probe.encode().len());
    // An AVP the grammar forbids: 5008 with that AVP in Failed-AVP.
    probe.subs.truncate(1);
    let mut msg = probe.to_message();
    msg.avps
        .push(Avp::new(268, 0, true, &Value::Unsigned32(2001)));
    let err = Probe::decode(msg.encode()).unwrap_err();
    assert_eq!(err.result_code(), 5008);
    let failed = err.decode_error().and_then(|e| e.failed_avp.clone());
    assert_eq!(&failed.unwrap()[..4], &268u32.to_be_bytes());
}
