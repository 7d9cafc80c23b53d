//! The RFC 6733 `Address` data type (§4.3.1): a 2-byte IANA address family followed by the
//! address itself.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use bytes::{BufMut, Bytes, BytesMut};

use super::value::ValueError;

/// An `Address` AVP value.
///
/// Families 1 (IPv4, 4 bytes), 2 (IPv6, 16 bytes) and 8 (E.164, ASCII digits) are decoded;
/// any other family is kept as-is in [`Address::Other`].
///
/// Text form ([`fmt::Display`] / [`FromStr`]):
/// - IPv4: `10.0.0.1`; IPv6: `2001:db8::1` (parsing also accepts `[2001:db8::1]`);
/// - E.164: the digits, e.g. `41780000000` (parsing also accepts an `E164:` prefix, any case,
///   and a leading `+`, which is dropped);
/// - other families: `af<family>:0x<hex>`, e.g. `af26:0x0a0b` (parsing such text with
///   family 1, 2 or 8 yields the corresponding variant, after validation).
///
/// ```
/// use diameter_runtime::wire::Address;
/// use std::net::Ipv4Addr;
///
/// let a: Address = "10.0.0.1".parse().unwrap();
/// assert_eq!(a, Address::Ipv4(Ipv4Addr::new(10, 0, 0, 1)));
/// assert_eq!(a.family(), 1);
/// assert_eq!(a.to_bytes().as_ref(), &[0, 1, 10, 0, 0, 1]);
/// assert_eq!("E164:+41780000000".parse::<Address>().unwrap().to_string(), "41780000000");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Address {
    /// Family 1: an IPv4 address.
    Ipv4(Ipv4Addr),
    /// Family 2: an IPv6 address.
    Ipv6(Ipv6Addr),
    /// Family 8: an E.164 number as ASCII digits (without `+`).
    E164(String),
    /// Any other address family, with the raw address bytes.
    Other {
        /// The IANA address family number.
        family: u16,
        /// The address bytes following the family.
        data: Bytes,
    },
}

impl Address {
    /// IANA address family number of IPv4.
    pub const FAMILY_IPV4: u16 = 1;
    /// IANA address family number of IPv6.
    pub const FAMILY_IPV6: u16 = 2;
    /// IANA address family number of E.164.
    pub const FAMILY_E164: u16 = 8;

    /// The IANA address family number.
    pub fn family(&self) -> u16 {
        match self {
            Address::Ipv4(_) => Self::FAMILY_IPV4,
            Address::Ipv6(_) => Self::FAMILY_IPV6,
            Address::E164(_) => Self::FAMILY_E164,
            Address::Other { family, .. } => *family,
        }
    }

    /// The IP address, for the IPv4 and IPv6 families.
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            Address::Ipv4(a) => Some(IpAddr::V4(*a)),
            Address::Ipv6(a) => Some(IpAddr::V6(*a)),
            _ => None,
        }
    }

    /// Decode the wire form (family + address).
    ///
    /// Errors: fewer than 2 bytes; an IPv4 address that is not 4 bytes or an IPv6 address
    /// that is not 16 bytes; an E.164 address that is empty or not all ASCII digits.
    /// For other families the address bytes are a zero-copy slice of `data`.
    pub fn decode(data: &Bytes) -> Result<Address, ValueError> {
        if data.len() < 2 {
            return Err(ValueError::new(format!(
                "Address must be at least 2 bytes, got {}",
                data.len()
            )));
        }
        let family = u16::from_be_bytes([data[0], data[1]]);
        let addr = &data[2..];
        match family {
            Self::FAMILY_IPV4 => {
                let octets: [u8; 4] = addr.try_into().map_err(|_| {
                    ValueError::new(format!(
                        "IPv4 Address must have 4 address bytes, got {}",
                        addr.len()
                    ))
                })?;
                Ok(Address::Ipv4(Ipv4Addr::from(octets)))
            }
            Self::FAMILY_IPV6 => {
                let octets: [u8; 16] = addr.try_into().map_err(|_| {
                    ValueError::new(format!(
                        "IPv6 Address must have 16 address bytes, got {}",
                        addr.len()
                    ))
                })?;
                Ok(Address::Ipv6(Ipv6Addr::from(octets)))
            }
            Self::FAMILY_E164 => {
                if addr.is_empty() || !addr.iter().all(u8::is_ascii_digit) {
                    return Err(ValueError::new(
                        "E.164 Address must be a non-empty string of ASCII digits",
                    ));
                }
                // All ASCII digits: valid UTF-8.
                Ok(Address::E164(String::from_utf8_lossy(addr).into_owned()))
            }
            _ => Ok(Address::Other {
                family,
                data: data.slice(2..),
            }),
        }
    }

    /// Append the wire form (family + address).
    pub fn encode(&self, out: &mut BytesMut) {
        out.reserve(self.encoded_len());
        out.put_u16(self.family());
        match self {
            Address::Ipv4(a) => out.put_slice(&a.octets()),
            Address::Ipv6(a) => out.put_slice(&a.octets()),
            Address::E164(s) => out.put_slice(s.as_bytes()),
            Address::Other { data, .. } => out.put_slice(data),
        }
    }

    /// The wire form as [`Bytes`].
    pub fn to_bytes(&self) -> Bytes {
        let mut out = BytesMut::with_capacity(self.encoded_len());
        self.encode(&mut out);
        out.freeze()
    }

    /// Length of the wire form (2 + address length).
    pub fn encoded_len(&self) -> usize {
        2 + match self {
            Address::Ipv4(_) => 4,
            Address::Ipv6(_) => 16,
            Address::E164(s) => s.len(),
            Address::Other { data, .. } => data.len(),
        }
    }
}

impl From<Ipv4Addr> for Address {
    fn from(a: Ipv4Addr) -> Address {
        Address::Ipv4(a)
    }
}

impl From<Ipv6Addr> for Address {
    fn from(a: Ipv6Addr) -> Address {
        Address::Ipv6(a)
    }
}

impl From<IpAddr> for Address {
    fn from(a: IpAddr) -> Address {
        match a {
            IpAddr::V4(a) => Address::Ipv4(a),
            IpAddr::V6(a) => Address::Ipv6(a),
        }
    }
}

impl fmt::Display for Address {
    /// The plain address; see the type documentation for the format.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Ipv4(a) => a.fmt(f),
            Address::Ipv6(a) => a.fmt(f),
            Address::E164(s) => f.write_str(s),
            Address::Other { family, data } => {
                write!(f, "af{family}:0x")?;
                for b in data.iter() {
                    write!(f, "{b:02x}")?;
                }
                Ok(())
            }
        }
    }
}

impl FromStr for Address {
    type Err = ValueError;

    /// Parse the text form described on [`Address`].
    fn from_str(s: &str) -> Result<Address, ValueError> {
        let bad = || ValueError::new(format!("invalid Address {s:?}"));
        if let Ok(a) = s.parse::<Ipv4Addr>() {
            return Ok(Address::Ipv4(a));
        }
        if let Ok(a) = s.parse::<Ipv6Addr>() {
            return Ok(Address::Ipv6(a));
        }
        if let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            return inner
                .parse::<Ipv6Addr>()
                .map(Address::Ipv6)
                .map_err(|_| bad());
        }
        let e164 = match s.get(..5) {
            Some(p) if p.eq_ignore_ascii_case("e164:") => &s[5..],
            _ => s,
        };
        let digits = e164.strip_prefix('+').unwrap_or(e164);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Address::E164(digits.to_string()));
        }
        // af<family>:0x<hex>
        let rest = match s.get(..2) {
            Some(p) if p.eq_ignore_ascii_case("af") => &s[2..],
            _ => return Err(bad()),
        };
        let (family, hex) = rest.split_once(':').ok_or_else(bad)?;
        if family.is_empty() || !family.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let family: u16 = family.parse().map_err(|_| bad())?;
        let hex = hex
            .strip_prefix("0x")
            .or_else(|| hex.strip_prefix("0X"))
            .ok_or_else(bad)?;
        let data = decode_hex(hex).ok_or_else(bad)?;
        let mut wire = BytesMut::with_capacity(2 + data.len());
        wire.put_u16(family);
        wire.put_slice(&data);
        Address::decode(&wire.freeze())
    }
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if hex.len() % 2 != 0 {
        return None;
    }
    hex.as_bytes()
        .chunks(2)
        .map(|pair| {
            let hi = (pair[0] as char).to_digit(16)?;
            let lo = (pair[1] as char).to_digit(16)?;
            Some((hi * 16 + lo) as u8)
        })
        .collect()
}
