//! Whether an AVP payload is a valid value of its data type, read in place: what
//! [`Value::decode`] accepts, without building the value (no `String` per text AVP).
//!
//! Only the answer is computed here; the reason for a rejection comes from
//! [`Value::decode`] itself, so the error a receiver sends is the decoder's, word for word.

use bytes::Bytes;
use diameter_dict::DataType;

use crate::wire::text_check::{is_identity, is_utf8};
use crate::wire::value::ValueError;
use crate::wire::{Address, Value};

/// Check `data` as a value of `ty`: `Ok` exactly when [`Value::decode`] accepts it, else
/// the decoder's error. `bytes` gives the payload as [`Bytes`] for the types checked by
/// decoding (URIs and filter rules) and for the error.
#[inline]
pub(super) fn check_value(
    ty: DataType,
    data: &[u8],
    bytes: impl FnOnce() -> Bytes,
) -> Result<(), ValueError> {
    match is_valid(ty, data) {
        Some(true) => Ok(()),
        // Rejected, or not checked in place: the decoder decides and gives the reason.
        Some(false) | None => Value::decode(ty, &bytes()).map(drop),
    }
}

/// `Some(valid)` for the types checked in place, `None` for those only parsing can check.
#[inline]
fn is_valid(ty: DataType, data: &[u8]) -> Option<bool> {
    Some(match ty {
        DataType::OctetString => true,
        DataType::Integer32
        | DataType::Unsigned32
        | DataType::Float32
        | DataType::Enumerated
        | DataType::Time
        | DataType::IPv4 => data.len() == 4,
        DataType::Integer64 | DataType::Unsigned64 | DataType::Float64 => data.len() == 8,
        DataType::IPv6 => data.len() == 16,
        DataType::UTF8String => is_utf8(data),
        // Printable ASCII is valid UTF-8.
        DataType::DiameterIdentity => is_identity(data),
        DataType::Address => is_address(data),
        DataType::Grouped
        | DataType::DiameterURI
        | DataType::IPFilterRule
        | DataType::QoSFilterRule => return None,
    })
}

/// What [`Address::decode`] accepts: a family, then 4 bytes for IPv4, 16 for IPv6,
/// ASCII digits for E.164, anything for other families.
fn is_address(data: &[u8]) -> bool {
    let [hi, lo, addr @ ..] = data else {
        return false;
    };
    match u16::from_be_bytes([*hi, *lo]) {
        Address::FAMILY_IPV4 => addr.len() == 4,
        Address::FAMILY_IPV6 => addr.len() == 16,
        Address::FAMILY_E164 => !addr.is_empty() && addr.iter().all(u8::is_ascii_digit),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn agrees(ty: DataType, data: &[u8]) {
        let bytes = Bytes::copy_from_slice(data);
        let decoded = Value::decode(ty, &bytes).map(drop);
        assert_eq!(
            check_value(ty, data, || bytes.clone()),
            decoded,
            "{ty} {data:02x?}"
        );
        if let Some(valid) = is_valid(ty, data) {
            assert_eq!(valid, decoded.is_ok(), "{ty} {data:02x?}");
        }
    }

    #[test]
    fn edge_cases_agree_with_the_decoder() {
        let cases: &[&[u8]] = &[
            b"",
            b"\x00",
            b"\x00\x01",
            b"\x00\x01\x0a\x00\x00\x01",
            b"\x00\x01\x0a\x00\x00",
            b"\x00\x02\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01",
            b"\x00\x08",
            b"\x00\x08417800",
            b"\x00\x08+41",
            b"\x00\x1a\x0a\x0b",
            b"abc",
            b"abcd",
            b"abcdefgh",
            b"host.example",
            b"host example\x7f",
            b"\xc3\xa9t\xc3\xa9",
            b"\xc3",
            b"\xff\xfe",
            b"aaa://host.example:3868;transport=tcp",
            b"permit in ip from any to any",
        ];
        for ty in DataType::ALL {
            for data in cases {
                agrees(ty, data);
            }
        }
    }

    proptest! {
        #[test]
        fn agrees_with_the_decoder(
            ty in proptest::sample::select(DataType::ALL.to_vec()),
            data in proptest::collection::vec(any::<u8>(), 0..24),
        ) {
            agrees(ty, &data);
        }

        #[test]
        fn agrees_on_addresses_and_text(
            family in 0u16..10,
            ascii in "[0-9a-z .+]{0,20}",
        ) {
            let mut data = family.to_be_bytes().to_vec();
            data.extend_from_slice(ascii.as_bytes());
            agrees(DataType::Address, &data);
            agrees(DataType::DiameterIdentity, ascii.as_bytes());
            agrees(DataType::UTF8String, ascii.as_bytes());
        }
    }
}
