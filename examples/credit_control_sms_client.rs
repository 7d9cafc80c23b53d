//! The python-diameter seed tutorial (`credit_control_sms_client.py`) in Rust, step for
//! step: a node `smsgw.gy` with one persistent peer `aaa://ocs.gy`, a Credit-Control
//! client application, one SMS charging request, the Result-Code printed, then stop.
//!
//! ```text
//! cargo run --example credit_control_sms_client -- --host 127.0.0.1 --port 3868
//! ```

use std::time::Duration;

use clap::Parser;
use diameter::commands::credit_control::*;
use diameter::constants::*;
use diameter::node::{Node, NodeConfig, PeerConfig};
use diameter::peer::AppId;
use diameter::wire::Time;

#[derive(Parser)]
struct Args {
    /// Address of the OCS (`ocs.gy`).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port of the OCS.
    #[arg(long, default_value_t = 3868)]
    port: u16,
}

// The request is filled attribute by attribute, as the tutorial does.
#[allow(clippy::field_reassign_with_default)]
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // This shows a human-readable message dump in the logs.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter("warn,diameter::peer::msg=debug")
        .init();

    // Configure our client node
    let mut config = NodeConfig::new("smsgw.gy", "testrealm.local");
    config.supported_vendor_ids = vec![VENDOR_ETSI, VENDOR_TGPP, VENDOR_TGPP2];
    let node = Node::new(config)?;
    // Add the destination peer
    let ocs_cfg = node.add_peer(
        PeerConfig::new(&format!("aaa://ocs.gy:{}", args.port), "testrealm.local")?
            .ip_addresses([args.host.as_str()])?
            .persistent(true),
    )?;

    // Configure our client application; Credit Control advertises its application id
    // in Auth-Application-Id.
    let client = node.add_application(
        AppId::auth(APP_DIAMETER_CREDIT_CONTROL_APPLICATION),
        &[ocs_cfg],
    )?;
    node.start().await?;

    // Construct a credit control request, attribute by attribute as the tutorial does.
    let mut ccr = CreditControlRequest::default();

    // These are required:
    ccr.session_id = node.next_session_id().into();
    ccr.origin_host = node.origin_host().into();
    ccr.origin_realm = node.realm().into();
    ccr.destination_realm = node.realm().into();
    ccr.auth_application_id = client.application_id();
    ccr.service_context_id = "32274@3gpp.org".into(); // SMS
    ccr.cc_request_type = E_CC_REQUEST_TYPE_EVENT_REQUEST;
    ccr.cc_request_number = 1;

    // These are usually wanted by charging servers:
    ccr.user_name = Some("diameter".into());
    ccr.event_timestamp = Some(Time::now());
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

    // The 3GPP SMS-Information with the recipient. Recipient-Info and Recipient-Address
    // are lists, as the specification allows more than one recipient.
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

    // Wait for CER/CEA to complete
    client.wait_for_ready(Duration::from_secs(30)).await?;
    let cca =
        CreditControlAnswer::try_from(client.send_request(ccr, Duration::from_secs(5)).await?)?;

    // Should print 2001, if all goes well
    println!("{}", cca.result_code);

    // Disconnect from peer and exit
    node.stop(Duration::from_secs(5)).await;
    Ok(())
}
