//! Property: any typed CCR the generated types can hold encodes to bytes that decode back
//! to the same value, and the dynamic decoder reads the same bytes back unchanged.

use diameter::commands::credit_control::*;
use diameter::message::Message;
use diameter::typed::Command;
use diameter::wire::Time;
use proptest::prelude::*;

fn subscription_id() -> impl Strategy<Value = SubscriptionId> {
    (any::<i32>(), "[0-9]{0,15}")
        .prop_map(|(kind, data)| SubscriptionId::new(SubscriptionIdType::from(kind), data))
}

fn mscc() -> impl Strategy<Value = MultipleServicesCreditControl> {
    (
        proptest::option::of(any::<u64>()),
        proptest::collection::vec(any::<u32>(), 0..3),
        proptest::option::of(any::<u32>()),
    )
        .prop_map(|(units, ids, rating_group)| MultipleServicesCreditControl {
            requested_service_unit: units.map(|u| {
                Box::new(RequestedServiceUnit {
                    cc_service_specific_units: Some(u),
                    ..Default::default()
                })
            }),
            service_identifier: ids,
            rating_group,
            ..Default::default()
        })
}

fn ccr() -> impl Strategy<Value = CreditControlRequest> {
    (
        "\\PC{0,40}",
        "[a-z.]{1,20}",
        any::<u32>(),
        any::<i32>(),
        proptest::option::of(any::<u32>()),
        proptest::collection::vec(subscription_id(), 0..3),
        proptest::collection::vec(mscc(), 0..3),
        proptest::option::of(any::<i32>()),
    )
        .prop_map(|(session, host, number, kind, time, subs, msccs, dcs)| {
            CreditControlRequest {
                session_id: session.into(),
                origin_host: host.as_str().into(),
                origin_realm: host.as_str().into(),
                destination_realm: host.into(),
                cc_request_number: number,
                cc_request_type: CcRequestType::from(kind),
                event_timestamp: time.map(Time::from_ntp),
                subscription_id: subs,
                multiple_services_credit_control: msccs,
                service_information: dcs.map(|dcs| {
                    Box::new(ServiceInformation {
                        sms_information: Some(Box::new(SmsInformation {
                            data_coding_scheme: Some(dcs),
                            ..Default::default()
                        })),
                        ..Default::default()
                    })
                }),
                ..Default::default()
            }
        })
}

proptest! {
    #[test]
    fn typed_round_trip(ccr in ccr()) {
        let bytes = ccr.encode();
        prop_assert_eq!(bytes.len(), ccr.encoded_len());
        let mut back = CreditControlRequest::decode(bytes.clone()).unwrap();
        prop_assert_eq!(back.encode(), bytes.clone());
        back.header.length = ccr.header.length;
        prop_assert_eq!(&back, &ccr);
        prop_assert_eq!(Message::decode(bytes.clone()).unwrap().encode(), bytes);
    }
}
