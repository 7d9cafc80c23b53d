//! Checks of text payloads, read in place: the rules the decoder ([`Value::decode`]), the
//! validator and the typed layer share.
//!
//! [`Value::decode`]: super::Value::decode

/// Whether `data` is a DiameterIdentity payload: non-empty printable ASCII (RFC 6733 §4.3.1).
#[inline]
pub fn is_identity(data: &[u8]) -> bool {
    !data.is_empty() && is_printable_ascii(data)
}

/// Whether `data` is valid UTF-8; ASCII, the usual case, is checked a word at a time.
#[inline]
pub fn is_utf8(data: &[u8]) -> bool {
    data.is_ascii() || std::str::from_utf8(data).is_ok()
}

/// Whether every byte of `bytes` is printable ASCII (0x20 to 0x7e), checked eight bytes
/// at a time.
#[inline]
pub fn is_printable_ascii(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte below 0x20 borrows into its high bit; 0x7f and above have it set once 1 is
    // added (carries only leave a byte that is itself out of range).
    let out_of_range = |x: u64| (x.wrapping_sub(ONES * 0x20) & !x) | x.wrapping_add(ONES) | x;
    let word = |b: &[u8]| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
    if bytes.len() < 8 {
        return bytes.iter().all(|b| (0x20..0x7f).contains(b));
    }
    let mut bad = 0;
    for chunk in bytes.chunks_exact(8) {
        bad |= out_of_range(word(chunk));
    }
    // The last eight bytes (overlapping the words above) cover the remainder.
    bad |= out_of_range(word(&bytes[bytes.len() - 8..]));
    bad & HIGH == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_ascii_as_byte_by_byte() {
        let naive = |b: &[u8]| b.iter().all(|b| (0x20..=0x7e).contains(b));
        for len in 0..20 {
            for at in 0..len {
                for v in 0..=255u8 {
                    let mut b = vec![b'~'; len];
                    b[at] = v;
                    // Neighbours at both ends of the range, to catch carries and borrows.
                    if at + 1 < len {
                        b[at + 1] = b' ';
                    }
                    assert_eq!(is_printable_ascii(&b), naive(&b), "{b:?}");
                }
            }
        }
        assert!(is_printable_ascii(b""));
        assert!(is_printable_ascii(b" !smsgw.gy~testrealm.local"));
    }

    #[test]
    fn identities_and_utf8() {
        assert!(is_identity(b"smsgw.gy"));
        assert!(!is_identity(b""));
        assert!(!is_identity(b"a b\x7f"));
        assert!(is_utf8("aé".as_bytes()));
        assert!(!is_utf8(&[b'a', 0xff]));
    }
}
