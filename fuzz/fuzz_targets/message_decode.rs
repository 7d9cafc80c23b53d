//! Message decoding from untrusted bytes: decode, validate against the shipped
//! dictionaries, dump, JSON, and re-encode. Nothing may panic; a decoded message must
//! re-encode to the same length.
#![no_main]

use std::sync::OnceLock;

use bytes::Bytes;
use diameter_dict::Dictionary;
use diameter_runtime::message::{dump, to_json, validate, Message};
use diameter_runtime::wire::Limits;
use libfuzzer_sys::fuzz_target;

fn dict() -> &'static Dictionary {
    static DICT: OnceLock<Dictionary> = OnceLock::new();
    DICT.get_or_init(|| Dictionary::shipped().expect("shipped dictionaries"))
}

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_message_size: 64 * 1024,
        max_depth: 8,
    };
    if let Ok(msg) = Message::decode_with(Bytes::copy_from_slice(data), &limits) {
        let _ = validate(dict(), &msg, &limits);
        let _ = dump(dict(), &msg);
        let _ = to_json(dict(), &msg);
        assert_eq!(msg.encode().len(), data.len());
    }
});
