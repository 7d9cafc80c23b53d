//! Typed decoding from untrusted bytes: read as a Credit-Control-Request and as a
//! Credit-Control-Answer. Nothing may panic; an error carries a 3xxx or 5xxx Result-Code;
//! what the typed decoder accepts the dynamic one accepts too, and it encodes to bytes
//! that decode to the same value.
#![no_main]

use bytes::Bytes;
use diameter::commands::credit_control::{CreditControlAnswer, CreditControlRequest};
use diameter::message::Message;
use diameter::typed::{Command, MessageError};
use libfuzzer_sys::fuzz_target;

fn check<C: Command + PartialEq + std::fmt::Debug>(bytes: &Bytes) {
    match C::decode(bytes.clone()) {
        Ok(typed) => {
            assert!(Message::decode(bytes.clone()).is_ok());
            let encoded = typed.encode();
            let again = C::decode(encoded.clone()).expect("an encoded message decodes");
            assert_eq!(again, typed);
            assert_eq!(again.encode(), encoded);
        }
        Err(MessageError::WrongCommand { .. }) => {}
        Err(e) => {
            let code = e.result_code();
            assert!((3000..4000).contains(&code) || (5000..6000).contains(&code), "{e}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let bytes = Bytes::copy_from_slice(data);
    check::<CreditControlRequest>(&bytes);
    check::<CreditControlAnswer>(&bytes);
});
