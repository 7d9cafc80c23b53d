//! A user crate with its own vendor dictionary: its `build.rs` runs the codegen over the
//! shipped dictionaries and `dictionaries/acme.xml`, and the types appear here.
//!
//! Run with `cargo run -p custom-dictionary`.

// Not every generated type is used here.
#[allow(dead_code)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/diameter_generated.rs"));
}

use diameter::typed::{Command, Grouped};
use generated::avps::{AcmeSubscriberInfo, AcmeTier};
use generated::commands::credit_control::CreditControlRequest;
use generated::constants::*;

/// A CCR carrying the vendor's grouped AVP in the `*[ AVP ]` part.
// Field by field, as the tutorial assigns attributes.
#[allow(clippy::field_reassign_with_default)]
fn request() -> CreditControlRequest {
    let mut ccr = CreditControlRequest::default();
    ccr.session_id = "client.example;1;2;3".into();
    ccr.origin_host = "client.example".into();
    ccr.origin_realm = "example".into();
    ccr.destination_realm = "example".into();
    ccr.auth_application_id = APP_DIAMETER_CREDIT_CONTROL_APPLICATION;
    ccr.service_context_id = "32274@3gpp.org".into();
    ccr.cc_request_type = E_CC_REQUEST_TYPE_EVENT_REQUEST;
    ccr.cc_request_number = 1;
    let mut info = AcmeSubscriberInfo::new(E_ACME_TIER_GOLD);
    info.add_acme_note("loyal since 2001");
    ccr.avps.push(info.to_avp());
    ccr
}

fn main() {
    let ccr = request();
    let bytes = ccr.encode();
    // The receiver reads the vendor AVP back through the generated type.
    let received = CreditControlRequest::decode(bytes).expect("our own CCR decodes");
    let avp = &received.avps[0];
    assert_eq!(
        (avp.code, avp.vendor_id),
        (AVP_ACME_ACME_SUBSCRIBER_INFO, VENDOR_ACME)
    );
    let msg = received.to_message();
    println!("{}", diameter::message::dump(generated::dictionary(), &msg));
    let tier = generated::dictionary()
        .avp(4, AVP_ACME_ACME_TIER, VENDOR_ACME)
        .map(|def| def.name.clone());
    println!("tier AVP: {tier:?}, gold = {}", i32::from(AcmeTier::Gold));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_avp_round_trips() {
        let ccr = request();
        let bytes = ccr.encode();
        let decoded = CreditControlRequest::decode(bytes.clone()).unwrap();
        assert_eq!(decoded.encode(), bytes);
        assert_eq!(decoded.avps, ccr.avps);
        let info = AcmeSubscriberInfo::from_avp(&decoded.avps[0]).unwrap();
        assert_eq!(info.acme_tier, AcmeTier::Gold);
        assert_eq!(info.acme_note, vec!["loyal since 2001".to_string()]);
        assert_eq!(<AcmeSubscriberInfo as Grouped>::AVP.vendor_id, 32473);
    }

    #[test]
    fn dump_names_the_vendor_avps() {
        let msg = request().to_message();
        let text = diameter::message::dump(generated::dictionary(), &msg);
        assert!(text.contains("Acme-Subscriber-Info"), "{text}");
        assert!(text.contains("Acme-Tier"), "{text}");
    }
}
