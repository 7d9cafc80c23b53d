//! [`AvpData`] for the Rust types that hold AVP payloads.
//!
//! Payloads are read through [`Value::decode`], so typed and dynamic decoding accept and
//! refuse exactly the same bytes.

use std::net::{Ipv4Addr, Ipv6Addr};

use bytes::{BufMut, Bytes, BytesMut};
use diameter_dict::DataType;

use super::text::Text;
use super::{AvpData, AvpRef, DecodeContext, Identity, Utf8String};
use crate::wire::filter_rule::{IpFilterRule, QosFilterRule};
use crate::wire::{Address, DecodeError, DecodeErrorKind, DiameterUri, Time, Value};

/// Decode `avp` as `ty` and take the payload out of the value with `extract`.
fn decode_as<T>(
    avp: &AvpRef<'_>,
    ctx: &DecodeContext,
    ty: DataType,
    extract: impl FnOnce(Value) -> Option<T>,
) -> Result<T, DecodeError> {
    let reason = match Value::decode(ty, &avp.bytes()) {
        Ok(value) => match extract(value) {
            Some(v) => return Ok(v),
            None => format!("not a {ty}"),
        },
        Err(e) => e.to_string(),
    };
    Err(ctx.error(
        DecodeErrorKind::AvpValue {
            code: avp.code,
            reason,
        },
        avp,
    ))
}

/// [`decode_as`] for a payload the fast path refused: out of line, to keep that path short.
#[cold]
#[inline(never)]
fn refused<T>(
    avp: &AvpRef<'_>,
    ctx: &DecodeContext,
    ty: DataType,
    extract: impl FnOnce(Value) -> Option<T>,
) -> Result<T, DecodeError> {
    decode_as(avp, ctx, ty, extract)
}

macro_rules! fixed_data {
    ($($t:ty => $ty:ident, $variant:ident, $put:ident($conv:expr);)*) => {
        $(
            impl AvpData for $t {
                const FIXED_LEN: Option<usize> = Some(std::mem::size_of::<$t>());
                #[inline]
                fn data_len(&self) -> usize {
                    std::mem::size_of::<$t>()
                }
                #[inline]
                fn fixed_data(&self) -> [u8; 8] {
                    let mut out = [0; 8];
                    out[..std::mem::size_of::<$t>()].copy_from_slice(&self.to_be_bytes());
                    out
                }
                #[inline]
                fn encode_data(&self, out: &mut BytesMut) {
                    #[allow(clippy::redundant_closure_call)]
                    out.$put(($conv)(*self));
                }
                #[inline]
                fn decode_data(avp: &AvpRef<'_>, ctx: &mut DecodeContext) -> Result<Self, DecodeError> {
                    match avp.data().try_into() {
                        Ok(bytes) => Ok(<$t>::from_be_bytes(bytes)),
                        // The wire layer says why.
                        Err(_) => refused(avp, ctx, DataType::$ty, |v| match v {
                            Value::$variant(v) => Some(v),
                            _ => None,
                        }),
                    }
                }
            }
        )*
    };
}

fixed_data! {
    u32 => Unsigned32, Unsigned32, put_u32(|v| v);
    u64 => Unsigned64, Unsigned64, put_u64(|v| v);
    i32 => Integer32, Integer32, put_i32(|v| v);
    i64 => Integer64, Integer64, put_i64(|v| v);
    f32 => Float32, Float32, put_u32(f32::to_bits);
    f64 => Float64, Float64, put_u64(f64::to_bits);
}

impl AvpData for Utf8String {
    /// `UTF8String` (zero-copy: shares the received message's buffer).
    #[inline]
    fn data_len(&self) -> usize {
        self.len()
    }
    #[inline]
    fn encode_data(&self, out: &mut BytesMut) {
        out.extend_from_slice(self.as_bytes());
    }
    #[inline]
    fn decode_data(avp: &AvpRef<'_>, ctx: &mut DecodeContext) -> Result<Self, DecodeError> {
        match Utf8String::from_utf8(avp.bytes()) {
            Ok(s) => Ok(s),
            // The wire layer says why.
            Err(_) => refused(avp, ctx, DataType::UTF8String, |v| match v {
                Value::Utf8String(s) => Some(Utf8String::from(s)),
                _ => None,
            }),
        }
    }
}

impl AvpData for String {
    /// `UTF8String`, copied out of the message.
    fn data_len(&self) -> usize {
        self.len()
    }
    fn encode_data(&self, out: &mut BytesMut) {
        out.extend_from_slice(self.as_bytes());
    }
    fn decode_data(avp: &AvpRef<'_>, ctx: &mut DecodeContext) -> Result<Self, DecodeError> {
        Utf8String::decode_data(avp, ctx).map(String::from)
    }
}

impl AvpData for Identity {
    /// `DiameterIdentity` (zero-copy: shares the received message's buffer).
    #[inline]
    fn data_len(&self) -> usize {
        self.len()
    }
    #[inline]
    fn encode_data(&self, out: &mut BytesMut) {
        out.extend_from_slice(self.as_bytes());
    }
    #[inline]
    fn decode_data(avp: &AvpRef<'_>, ctx: &mut DecodeContext) -> Result<Self, DecodeError> {
        if let Some(text) = Text::from_identity(avp.bytes()) {
            return Ok(Identity(text));
        }
        // The wire layer says why.
        refused(avp, ctx, DataType::DiameterIdentity, |v| match v {
            Value::DiameterIdentity(s) => Some(Identity::from(s)),
            _ => None,
        })
    }
}

impl AvpData for Bytes {
    /// `OctetString` (zero-copy: a slice of the received message).
    fn data_len(&self) -> usize {
        self.len()
    }
    fn encode_data(&self, out: &mut BytesMut) {
        out.put_slice(self);
    }
    fn decode_data(avp: &AvpRef<'_>, _ctx: &mut DecodeContext) -> Result<Self, DecodeError> {
        Ok(avp.bytes())
    }
}

impl AvpData for Address {
    fn data_len(&self) -> usize {
        self.encoded_len()
    }
    fn encode_data(&self, out: &mut BytesMut) {
        self.encode(out);
    }
    fn decode_data(avp: &AvpRef<'_>, ctx: &mut DecodeContext) -> Result<Self, DecodeError> {
        decode_as(avp, ctx, DataType::Address, |v| match v {
            Value::Address(a) => Some(a),
            _ => None,
        })
    }
}

impl AvpData for Time {
    const FIXED_LEN: Option<usize> = Some(Time::ENCODED_LEN);
    #[inline]
    fn data_len(&self) -> usize {
        Time::ENCODED_LEN
    }
    #[inline]
    fn fixed_data(&self) -> [u8; 8] {
        let mut out = [0; 8];
        out[..4].copy_from_slice(&self.ntp_seconds().to_be_bytes());
        out
    }
    #[inline]
    fn encode_data(&self, out: &mut BytesMut) {
        self.encode(out);
    }
    #[inline]
    fn decode_data(avp: &AvpRef<'_>, ctx: &mut DecodeContext) -> Result<Self, DecodeError> {
        match Time::decode(avp.data()) {
            Ok(time) => Ok(time),
            // With the AVP's code and offset.
            Err(_) => refused(avp, ctx, DataType::Time, |v| v.as_time()),
        }
    }
}

/// Text payloads kept as a parsed type, written back as their canonical text.
macro_rules! text_data {
    ($($t:ty => $ty:ident, $variant:ident;)*) => {
        $(
            impl AvpData for $t {
                fn data_len(&self) -> usize {
                    Value::$variant(self.clone()).encoded_len()
                }
                fn encode_data(&self, out: &mut BytesMut) {
                    Value::$variant(self.clone()).encode(out);
                }
                fn decode_data(avp: &AvpRef<'_>, ctx: &mut DecodeContext) -> Result<Self, DecodeError> {
                    decode_as(avp, ctx, DataType::$ty, |v| match v {
                        Value::$variant(v) => Some(v),
                        _ => None,
                    })
                }
            }
        )*
    };
}

text_data! {
    DiameterUri => DiameterURI, DiameterUri;
    IpFilterRule => IPFilterRule, IpFilterRule;
    QosFilterRule => QoSFilterRule, QosFilterRule;
}

impl AvpData for Ipv4Addr {
    /// go-diameter's `IPv4`: a bare 4-byte address.
    fn data_len(&self) -> usize {
        4
    }
    fn encode_data(&self, out: &mut BytesMut) {
        out.put_slice(&self.octets());
    }
    fn decode_data(avp: &AvpRef<'_>, ctx: &mut DecodeContext) -> Result<Self, DecodeError> {
        decode_as(avp, ctx, DataType::IPv4, |v| match v {
            Value::Ipv4(a) => Some(a),
            _ => None,
        })
    }
}

impl AvpData for Ipv6Addr {
    /// go-diameter's `IPv6`: a bare 16-byte address.
    fn data_len(&self) -> usize {
        16
    }
    fn encode_data(&self, out: &mut BytesMut) {
        out.put_slice(&self.octets());
    }
    fn decode_data(avp: &AvpRef<'_>, ctx: &mut DecodeContext) -> Result<Self, DecodeError> {
        decode_as(avp, ctx, DataType::IPv6, |v| match v {
            Value::Ipv6(a) => Some(a),
            _ => None,
        })
    }
}

impl<T: AvpData> AvpData for Box<T> {
    const GROUPED: bool = T::GROUPED;

    /// Grouped structs are boxed in their parents to keep the parents small.
    #[inline]
    fn data_len(&self) -> usize {
        (**self).data_len()
    }
    #[inline]
    fn encode_data(&self, out: &mut BytesMut) {
        (**self).encode_data(out)
    }
    #[inline]
    fn decode_data(avp: &AvpRef<'_>, ctx: &mut DecodeContext) -> Result<Self, DecodeError> {
        T::decode_boxed(avp, ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Limits;

    /// Decode `data` as the payload of an AVP.
    fn decode<T: AvpData>(data: &'static [u8]) -> Result<T, DecodeError> {
        let mut buf = BytesMut::new();
        crate::wire::RawAvp::new(1, 0, true, Bytes::from_static(data)).encode(&mut buf);
        let buf = buf.freeze();
        let mut ctx = ctx();
        let mut out = None;
        ctx.walk(&buf, 0..buf.len(), |avp, ctx| {
            out = Some(T::decode_data(avp, ctx));
            Ok(())
        })?;
        out.unwrap()
    }

    fn ctx() -> DecodeContext {
        DecodeContext::new(&Limits::default())
    }

    #[test]
    fn round_trips() {
        fn check<T: AvpData + PartialEq + std::fmt::Debug>(v: T, wire: &'static [u8]) {
            let mut out = BytesMut::new();
            v.encode_data(&mut out);
            assert_eq!(&out[..], wire);
            assert_eq!(v.data_len(), wire.len());
            assert_eq!(decode::<T>(wire).unwrap(), v);
        }
        check(2001u32, &[0, 0, 7, 0xd1]);
        check(-2i32, &[0xff, 0xff, 0xff, 0xfe]);
        check(1u64, &[0, 0, 0, 0, 0, 0, 0, 1]);
        check(1.5f32, &[0x3f, 0xc0, 0, 0]);
        check("é".to_string(), "é".as_bytes());
        check(Utf8String::from("é"), "é".as_bytes());
        check(Identity::from("a.b"), b"a.b");
        check(
            Address::from(Ipv4Addr::new(10, 0, 0, 1)),
            &[0, 1, 10, 0, 0, 1],
        );
        check(Time::from_ntp(0xe93d_fba5), &[0xe9, 0x3d, 0xfb, 0xa5]);
        check(Ipv4Addr::new(1, 2, 3, 4), &[1, 2, 3, 4]);
        check(Box::new(7u32), &[0, 0, 0, 7]);
        check("aaa://a.b".parse::<DiameterUri>().unwrap(), b"aaa://a.b");
    }

    #[test]
    fn bad_values_are_5004_with_the_avp() {
        let err = decode::<u32>(&[0, 0, 1]).unwrap_err();
        assert_eq!(err.result_code, 5004);
        assert_eq!(
            err.to_string(),
            "AVP 1: invalid value: Unsigned32 must be 4 bytes, got 3 (Result-Code 5004, at byte 0)"
        );
        // Failed-AVP: the AVP as received, padding included.
        assert_eq!(err.failed_avp.unwrap().len(), 12);
        let err = decode::<Identity>(b"").unwrap_err();
        assert_eq!(err.result_code, 5004);
        assert!(decode::<String>(&[0xff]).is_err());
        let err = decode::<Utf8String>(&[b'a', 0xff]).unwrap_err();
        assert_eq!(err.result_code, 5004);
        assert!(err.to_string().contains("UTF8String"), "{err}");
        let err = decode::<Identity>(b"a b\x01").unwrap_err();
        assert!(err.to_string().contains("printable ASCII"), "{err}");
    }
}
