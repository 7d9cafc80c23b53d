//! AVP payloads as typed values: one [`Value`] variant per [`DataType`].

use std::net::{Ipv4Addr, Ipv6Addr};

use bytes::{BufMut, Bytes, BytesMut};
use diameter_dict::DataType;

use super::address::Address;
use super::avp::{decode_avps, RawAvp};
use super::filter_rule::{IpFilterRule, QosFilterRule};
use super::text_check::is_printable_ascii;
use super::time::Time;
use super::uri::DiameterUri;

/// Why an AVP payload is not a valid value of its data type.
///
/// ```
/// use diameter_runtime::wire::value::ValueError;
/// let e = ValueError::new("Unsigned32 must be 4 bytes, got 3");
/// assert_eq!(e.reason(), "Unsigned32 must be 4 bytes, got 3");
/// assert_eq!(e.to_string(), e.reason());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct ValueError {
    reason: String,
}

impl ValueError {
    /// An error with the given reason.
    pub fn new(reason: impl Into<String>) -> ValueError {
        ValueError {
            reason: reason.into(),
        }
    }

    /// The reason, in words.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// A decoded AVP payload.
///
/// `Value::decode(ty, data)` followed by `encode` reproduces `data` for every valid payload,
/// except for `DiameterURI`, which is re-encoded in its canonical form (see [`DiameterUri`]),
/// and `Grouped` when the last AVP of the payload omitted its padding.
///
/// Equality is structural; floats compare as IEEE 754 numbers (a NaN is not equal to itself),
/// compare `to_bits()` when bit-exactness matters.
///
/// ```
/// use bytes::{Bytes, BytesMut};
/// use diameter_dict::DataType;
/// use diameter_runtime::wire::Value;
///
/// let v = Value::decode(DataType::Unsigned32, &Bytes::from_static(&[0, 0, 0x07, 0xd1])).unwrap();
/// assert_eq!(v, Value::Unsigned32(2001));
/// assert_eq!(v.as_u32(), Some(2001));
///
/// let mut out = BytesMut::new();
/// Value::from("hello").encode(&mut out);
/// assert_eq!(&out[..], b"hello");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Arbitrary bytes (a zero-copy slice of the decoded buffer).
    OctetString(Bytes),
    /// 32-bit signed integer.
    Integer32(i32),
    /// 64-bit signed integer.
    Integer64(i64),
    /// 32-bit unsigned integer.
    Unsigned32(u32),
    /// 64-bit unsigned integer.
    Unsigned64(u64),
    /// IEEE 754 single precision.
    Float32(f32),
    /// IEEE 754 double precision.
    Float64(f64),
    /// The AVPs of a grouped AVP (one level; their payloads are not decoded).
    Grouped(Vec<RawAvp>),
    /// Address family and address.
    Address(Address),
    /// NTP time.
    Time(Time),
    /// UTF-8 text.
    Utf8String(String),
    /// An FQDN or realm (printable ASCII).
    DiameterIdentity(String),
    /// `aaa://` or `aaas://` URI.
    DiameterUri(DiameterUri),
    /// Enumerated (32-bit signed).
    Enumerated(i32),
    /// An IP filter rule.
    IpFilterRule(IpFilterRule),
    /// A QoS filter rule.
    QosFilterRule(QosFilterRule),
    /// go-diameter `IPv4`: a bare 4-byte address.
    Ipv4(Ipv4Addr),
    /// go-diameter `IPv6`: a bare 16-byte address.
    Ipv6(Ipv6Addr),
}

fn fixed<const N: usize>(ty: DataType, data: &[u8]) -> Result<[u8; N], ValueError> {
    data.try_into()
        .map_err(|_| ValueError::new(format!("{ty} must be {N} bytes, got {}", data.len())))
}

fn utf8(ty: DataType, data: &[u8]) -> Result<&str, ValueError> {
    std::str::from_utf8(data).map_err(|e| ValueError::new(format!("{ty} is not valid UTF-8: {e}")))
}

impl Value {
    /// Decode the payload `data` (no AVP header, no padding) as a value of type `ty`.
    ///
    /// Fixed-size types must have exactly their size; `UTF8String` must be valid UTF-8;
    /// `DiameterIdentity` must be non-empty printable ASCII (0x20..=0x7e); `DiameterURI`,
    /// `IPFilterRule` and `QoSFilterRule` must parse; `Grouped` must be a valid sequence of
    /// AVPs (their payloads are not decoded). `OctetString` and the AVPs of `Grouped` are
    /// zero-copy slices of `data`.
    pub fn decode(ty: DataType, data: &Bytes) -> Result<Value, ValueError> {
        Ok(match ty {
            DataType::OctetString => Value::OctetString(data.clone()),
            DataType::Integer32 => Value::Integer32(i32::from_be_bytes(fixed(ty, data)?)),
            DataType::Integer64 => Value::Integer64(i64::from_be_bytes(fixed(ty, data)?)),
            DataType::Unsigned32 => Value::Unsigned32(u32::from_be_bytes(fixed(ty, data)?)),
            DataType::Unsigned64 => Value::Unsigned64(u64::from_be_bytes(fixed(ty, data)?)),
            DataType::Float32 => Value::Float32(f32::from_be_bytes(fixed(ty, data)?)),
            DataType::Float64 => Value::Float64(f64::from_be_bytes(fixed(ty, data)?)),
            DataType::Enumerated => Value::Enumerated(i32::from_be_bytes(fixed(ty, data)?)),
            DataType::Grouped => Value::Grouped(
                decode_avps(data)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| ValueError::new(format!("invalid Grouped payload: {e}")))?,
            ),
            DataType::Address => Value::Address(Address::decode(data)?),
            DataType::Time => Value::Time(Time::decode(data)?),
            DataType::UTF8String => Value::Utf8String(utf8(ty, data)?.to_string()),
            DataType::DiameterIdentity => {
                if data.is_empty() {
                    return Err(ValueError::new("DiameterIdentity must not be empty"));
                }
                if !is_printable_ascii(data) {
                    let b = data.iter().find(|b| !(0x20..=0x7e).contains(*b));
                    return Err(ValueError::new(format!(
                        "DiameterIdentity must be printable ASCII, found byte 0x{:02x}",
                        b.copied().unwrap_or_default()
                    )));
                }
                Value::DiameterIdentity(utf8(ty, data)?.to_string())
            }
            DataType::DiameterURI => Value::DiameterUri(utf8(ty, data)?.parse()?),
            DataType::IPFilterRule => Value::IpFilterRule(utf8(ty, data)?.parse()?),
            DataType::QoSFilterRule => Value::QosFilterRule(utf8(ty, data)?.parse()?),
            DataType::IPv4 => Value::Ipv4(Ipv4Addr::from(fixed::<4>(ty, data)?)),
            DataType::IPv6 => Value::Ipv6(Ipv6Addr::from(fixed::<16>(ty, data)?)),
        })
    }

    /// Append the payload (no AVP header, no padding).
    ///
    /// `Grouped` writes each AVP with its header and padding.
    pub fn encode(&self, out: &mut BytesMut) {
        out.reserve(self.encoded_len());
        match self {
            Value::OctetString(b) => out.put_slice(b),
            Value::Integer32(v) | Value::Enumerated(v) => out.put_i32(*v),
            Value::Integer64(v) => out.put_i64(*v),
            Value::Unsigned32(v) => out.put_u32(*v),
            Value::Unsigned64(v) => out.put_u64(*v),
            Value::Float32(v) => out.put_u32(v.to_bits()),
            Value::Float64(v) => out.put_u64(v.to_bits()),
            Value::Grouped(avps) => avps.iter().for_each(|a| a.encode(out)),
            Value::Address(a) => a.encode(out),
            Value::Time(t) => t.encode(out),
            Value::Utf8String(s) | Value::DiameterIdentity(s) => out.put_slice(s.as_bytes()),
            Value::DiameterUri(u) => out.put_slice(u.to_string().as_bytes()),
            Value::IpFilterRule(r) => out.put_slice(r.as_str().as_bytes()),
            Value::QosFilterRule(r) => out.put_slice(r.as_str().as_bytes()),
            Value::Ipv4(a) => out.put_slice(&a.octets()),
            Value::Ipv6(a) => out.put_slice(&a.octets()),
        }
    }

    /// The payload as [`Bytes`] (zero-copy for `OctetString`).
    pub fn to_bytes(&self) -> Bytes {
        if let Value::OctetString(b) = self {
            return b.clone();
        }
        let mut out = BytesMut::with_capacity(self.encoded_len());
        self.encode(&mut out);
        out.freeze()
    }

    /// Length of the payload written by [`Value::encode`] (without the AVP's own padding).
    pub fn encoded_len(&self) -> usize {
        match self {
            Value::OctetString(b) => b.len(),
            Value::Integer32(_)
            | Value::Enumerated(_)
            | Value::Unsigned32(_)
            | Value::Float32(_)
            | Value::Time(_)
            | Value::Ipv4(_) => 4,
            Value::Integer64(_) | Value::Unsigned64(_) | Value::Float64(_) => 8,
            Value::Ipv6(_) => 16,
            Value::Grouped(avps) => avps.iter().map(RawAvp::encoded_len).sum(),
            Value::Address(a) => a.encoded_len(),
            Value::Utf8String(s) | Value::DiameterIdentity(s) => s.len(),
            Value::DiameterUri(u) => u.to_string().len(),
            Value::IpFilterRule(r) => r.as_str().len(),
            Value::QosFilterRule(r) => r.as_str().len(),
        }
    }

    /// The data type of this value.
    pub fn data_type(&self) -> DataType {
        match self {
            Value::OctetString(_) => DataType::OctetString,
            Value::Integer32(_) => DataType::Integer32,
            Value::Integer64(_) => DataType::Integer64,
            Value::Unsigned32(_) => DataType::Unsigned32,
            Value::Unsigned64(_) => DataType::Unsigned64,
            Value::Float32(_) => DataType::Float32,
            Value::Float64(_) => DataType::Float64,
            Value::Grouped(_) => DataType::Grouped,
            Value::Address(_) => DataType::Address,
            Value::Time(_) => DataType::Time,
            Value::Utf8String(_) => DataType::UTF8String,
            Value::DiameterIdentity(_) => DataType::DiameterIdentity,
            Value::DiameterUri(_) => DataType::DiameterURI,
            Value::Enumerated(_) => DataType::Enumerated,
            Value::IpFilterRule(_) => DataType::IPFilterRule,
            Value::QosFilterRule(_) => DataType::QoSFilterRule,
            Value::Ipv4(_) => DataType::IPv4,
            Value::Ipv6(_) => DataType::IPv6,
        }
    }

    /// The value of an `Unsigned32`.
    pub fn as_u32(&self) -> Option<u32> {
        match self {
            Value::Unsigned32(v) => Some(*v),
            _ => None,
        }
    }

    /// The value of an `Unsigned64` or (widened) `Unsigned32`.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Unsigned64(v) => Some(*v),
            Value::Unsigned32(v) => Some(u64::from(*v)),
            _ => None,
        }
    }

    /// The value of an `Integer32` or `Enumerated`.
    pub fn as_i32(&self) -> Option<i32> {
        match self {
            Value::Integer32(v) | Value::Enumerated(v) => Some(*v),
            _ => None,
        }
    }

    /// The value of an `Integer64`, or (widened) `Integer32`, `Enumerated` or `Unsigned32`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Integer64(v) => Some(*v),
            Value::Integer32(v) | Value::Enumerated(v) => Some(i64::from(*v)),
            Value::Unsigned32(v) => Some(i64::from(*v)),
            _ => None,
        }
    }

    /// The value of a `Float32`.
    pub fn as_f32(&self) -> Option<f32> {
        match self {
            Value::Float32(v) => Some(*v),
            _ => None,
        }
    }

    /// The value of a `Float64` or (widened) `Float32`.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Float64(v) => Some(*v),
            Value::Float32(v) => Some(f64::from(*v)),
            _ => None,
        }
    }

    /// The text of a `UTF8String`, `DiameterIdentity`, `IPFilterRule` or `QoSFilterRule`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Utf8String(s) | Value::DiameterIdentity(s) => Some(s),
            Value::IpFilterRule(r) => Some(r.as_str()),
            Value::QosFilterRule(r) => Some(r.as_str()),
            _ => None,
        }
    }

    /// The bytes of an `OctetString`, or the UTF-8 bytes of a `UTF8String` or
    /// `DiameterIdentity`.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::OctetString(b) => Some(b),
            Value::Utf8String(s) | Value::DiameterIdentity(s) => Some(s.as_bytes()),
            _ => None,
        }
    }

    /// The AVPs of a `Grouped`.
    pub fn as_grouped(&self) -> Option<&[RawAvp]> {
        match self {
            Value::Grouped(avps) => Some(avps),
            _ => None,
        }
    }

    /// The address of an `Address`.
    pub fn as_address(&self) -> Option<&Address> {
        match self {
            Value::Address(a) => Some(a),
            _ => None,
        }
    }

    /// The IP address of an `Address` (IPv4/IPv6 families), `IPv4` or `IPv6`.
    pub fn as_ip(&self) -> Option<std::net::IpAddr> {
        match self {
            Value::Address(a) => a.ip(),
            Value::Ipv4(a) => Some((*a).into()),
            Value::Ipv6(a) => Some((*a).into()),
            _ => None,
        }
    }

    /// The time of a `Time`.
    pub fn as_time(&self) -> Option<Time> {
        match self {
            Value::Time(t) => Some(*t),
            _ => None,
        }
    }

    /// The URI of a `DiameterURI`.
    pub fn as_uri(&self) -> Option<&DiameterUri> {
        match self {
            Value::DiameterUri(u) => Some(u),
            _ => None,
        }
    }

    /// The rule of an `IPFilterRule`.
    pub fn as_ip_filter_rule(&self) -> Option<&IpFilterRule> {
        match self {
            Value::IpFilterRule(r) => Some(r),
            _ => None,
        }
    }

    /// The rule of a `QoSFilterRule`.
    pub fn as_qos_filter_rule(&self) -> Option<&QosFilterRule> {
        match self {
            Value::QosFilterRule(r) => Some(r),
            _ => None,
        }
    }
}

macro_rules! value_from {
    ($($t:ty => $variant:ident),* $(,)?) => {
        $(
            impl From<$t> for Value {
                #[doc = concat!("`Value::", stringify!($variant), "`.")]
                fn from(v: $t) -> Value {
                    Value::$variant(v)
                }
            }
        )*
    };
}

value_from! {
    i32 => Integer32,
    i64 => Integer64,
    u32 => Unsigned32,
    u64 => Unsigned64,
    f32 => Float32,
    f64 => Float64,
    String => Utf8String,
    Bytes => OctetString,
    Vec<RawAvp> => Grouped,
    Address => Address,
    Time => Time,
    DiameterUri => DiameterUri,
    IpFilterRule => IpFilterRule,
    QosFilterRule => QosFilterRule,
}

impl From<&str> for Value {
    /// `Value::Utf8String`.
    fn from(s: &str) -> Value {
        Value::Utf8String(s.to_string())
    }
}

impl From<Vec<u8>> for Value {
    /// `Value::OctetString`.
    fn from(b: Vec<u8>) -> Value {
        Value::OctetString(Bytes::from(b))
    }
}

impl From<&[u8]> for Value {
    /// `Value::OctetString` (copies).
    fn from(b: &[u8]) -> Value {
        Value::OctetString(Bytes::copy_from_slice(b))
    }
}
