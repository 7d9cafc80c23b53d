//! Fuzz the dictionary XML loader: any input must load or fail cleanly, never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let mut d = diameter_dict::Dictionary::new();
        let _ = d.load_str("fuzz", s);
        let _ = d.check();
    }
});
