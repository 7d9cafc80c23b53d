//! The seed tutorial's CCR built with the generated types, shared by tests/typed_seed.rs and
//! benches/typed_message.rs.

use diameter::commands::credit_control::*;
use diameter::constants::*;
use diameter::wire::Time;

/// The CCR of the seed tutorial, step by step in its order, with the vector's fixed values
/// (Session-Id, time, identifiers) where the tutorial takes them from the node or the clock.
// Field by field, as the tutorial assigns attributes.
#[allow(clippy::field_reassign_with_default)]
pub fn seed_ccr() -> CreditControlRequest {
    let mut ccr = CreditControlRequest::default();

    // These are required:
    ccr.session_id = "smsgw.gy;65000000;00000000;00000001".into();
    ccr.origin_host = "smsgw.gy".into();
    ccr.origin_realm = "testrealm.local".into();
    ccr.destination_realm = "testrealm.local".into();
    ccr.auth_application_id = APP_DIAMETER_CREDIT_CONTROL_APPLICATION;
    ccr.service_context_id = "32274@3gpp.org".into();
    ccr.cc_request_type = E_CC_REQUEST_TYPE_EVENT_REQUEST;
    ccr.cc_request_number = 1;

    // These are usually wanted by charging servers:
    ccr.user_name = Some("diameter".into());
    ccr.event_timestamp = Some(Time::from_unix(1_704_164_645).unwrap());
    ccr.requested_action = Some(E_REQUESTED_ACTION_DIRECT_DEBITING);

    ccr.add_subscription_id(SubscriptionId::new(
        E_SUBSCRIPTION_ID_TYPE_END_USER_E164,
        "41780000001",
    ));
    ccr.add_multiple_services_credit_control(MultipleServicesCreditControl {
        requested_service_unit: Some(Box::new(RequestedServiceUnit {
            cc_service_specific_units: Some(1),
            ..Default::default()
        })),
        service_identifier: vec![1],
        ..Default::default()
    });

    ccr.service_information = Some(Box::new(ServiceInformation {
        sms_information: Some(Box::new(SmsInformation {
            data_coding_scheme: Some(8),
            sm_message_type: Some(E_SM_MESSAGE_TYPE_SUBMISSION),
            recipient_info: vec![RecipientInfo {
                recipient_address: vec![RecipientAddress {
                    address_type: Some(E_ADDRESS_TYPE_MSISDN),
                    address_data: Some("41780000002".into()),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        })),
        ..Default::default()
    }));

    // Set by the node when sending; fixed in the vector.
    ccr.header.hop_by_hop = 1;
    ccr.header.end_to_end = 1;
    ccr
}
