//! The RFC 6733 `DiameterURI` data type (§4.3.1).
//!
//! ```text
//! DiameterURI         = "aaa://" FQDN [ port ] [ transport ] [ protocol ]
//!                     / "aaas://" FQDN [ port ] [ transport ] [ protocol ]
//! port                = ":" 1*DIGIT
//! transport           = ";transport=" transport-protocol
//! transport-protocol  = ( "tcp" / "sctp" / "udp" )
//! protocol            = ";protocol=" aaa-protocol
//! aaa-protocol        = ( "diameter" / "radius" / "tacacs+" )
//! ```

use std::fmt;
use std::net::Ipv6Addr;
use std::str::FromStr;

use super::value::ValueError;

/// The `transport` parameter of a DiameterURI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// `tcp`
    Tcp,
    /// `sctp`
    Sctp,
    /// `udp`
    Udp,
}

impl Transport {
    /// The parameter value, in lower case.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Tcp => "tcp",
            Transport::Sctp => "sctp",
            Transport::Udp => "udp",
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Transport {
    type Err = ValueError;

    /// `tcp`, `sctp` or `udp`, case-insensitively.
    fn from_str(s: &str) -> Result<Transport, ValueError> {
        [Transport::Tcp, Transport::Sctp, Transport::Udp]
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| ValueError::new(format!("unknown DiameterURI transport {s:?}")))
    }
}

/// The `protocol` parameter of a DiameterURI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// `diameter`
    Diameter,
    /// `radius`
    Radius,
    /// `tacacs+`
    TacacsPlus,
}

impl Protocol {
    /// The parameter value, in lower case.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Diameter => "diameter",
            Protocol::Radius => "radius",
            Protocol::TacacsPlus => "tacacs+",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Protocol {
    type Err = ValueError;

    /// `diameter`, `radius` or `tacacs+`, case-insensitively.
    fn from_str(s: &str) -> Result<Protocol, ValueError> {
        [Protocol::Diameter, Protocol::Radius, Protocol::TacacsPlus]
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| ValueError::new(format!("unknown DiameterURI protocol {s:?}")))
    }
}

/// A parsed DiameterURI.
///
/// Parsing ([`FromStr`]) is strict about the grammar: the scheme must be `aaa` or `aaas`,
/// the host non-empty (letters, digits, `-`, `.`, `_`, or an IPv6 address in brackets),
/// the port 1..=65535 in decimal digits, and the only parameters are `transport` and
/// `protocol` (each at most once, any order) with known values. Scheme, parameter names and
/// parameter values are case-insensitive; the host keeps its case.
///
/// [`fmt::Display`] writes the canonical form: lower-case scheme and parameters, the port only
/// if it was given, `transport` before `protocol`, IPv6 hosts in brackets.
///
/// ```
/// use diameter_runtime::wire::uri::{DiameterUri, Transport};
///
/// let u: DiameterUri = "aaa://host.example.com:6666;transport=tcp".parse().unwrap();
/// assert_eq!(u.fqdn, "host.example.com");
/// assert_eq!(u.port, Some(6666));
/// assert_eq!(u.transport, Some(Transport::Tcp));
/// assert_eq!(u.to_string(), "aaa://host.example.com:6666;transport=tcp");
/// assert_eq!("aaas://peer".parse::<DiameterUri>().unwrap().effective_port(), 5658);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DiameterUri {
    /// `aaas://` (true) rather than `aaa://`.
    pub secure: bool,
    /// The host: an FQDN or an IP address (an IPv6 address without the brackets).
    pub fqdn: String,
    /// The port, when given.
    pub port: Option<u16>,
    /// The `transport` parameter, when given.
    pub transport: Option<Transport>,
    /// The `protocol` parameter, when given.
    pub protocol: Option<Protocol>,
}

impl DiameterUri {
    /// Default port of `aaa://` URIs.
    pub const DEFAULT_PORT: u16 = 3868;
    /// Default port of `aaas://` URIs.
    pub const DEFAULT_SECURE_PORT: u16 = 5658;

    /// An `aaa://` URI for `fqdn`, without port or parameters.
    pub fn new(fqdn: impl Into<String>) -> DiameterUri {
        DiameterUri {
            secure: false,
            fqdn: fqdn.into(),
            port: None,
            transport: None,
            protocol: None,
        }
    }

    /// The scheme: `aaa` or `aaas`.
    pub fn scheme(&self) -> &'static str {
        if self.secure {
            "aaas"
        } else {
            "aaa"
        }
    }

    /// The default port of the scheme: 3868 for `aaa`, 5658 for `aaas`.
    pub fn default_port(&self) -> u16 {
        if self.secure {
            Self::DEFAULT_SECURE_PORT
        } else {
            Self::DEFAULT_PORT
        }
    }

    /// The given port, or the scheme's default port.
    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or_else(|| self.default_port())
    }
}

impl fmt::Display for DiameterUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://", self.scheme())?;
        if self.fqdn.contains(':') {
            write!(f, "[{}]", self.fqdn)?;
        } else {
            f.write_str(&self.fqdn)?;
        }
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        if let Some(t) = self.transport {
            write!(f, ";transport={t}")?;
        }
        if let Some(p) = self.protocol {
            write!(f, ";protocol={p}")?;
        }
        Ok(())
    }
}

impl FromStr for DiameterUri {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<DiameterUri, ValueError> {
        parse(s).map_err(|why| ValueError::new(format!("invalid DiameterURI {s:?}: {why}")))
    }
}

fn parse(s: &str) -> Result<DiameterUri, String> {
    let (scheme, rest) = s.split_once("://").ok_or("missing scheme")?;
    let secure = if scheme.eq_ignore_ascii_case("aaa") {
        false
    } else if scheme.eq_ignore_ascii_case("aaas") {
        true
    } else {
        return Err(format!("unknown scheme {scheme:?}"));
    };
    let (authority, params) = match rest.split_once(';') {
        Some((a, p)) => (a, Some(p)),
        None => (rest, None),
    };

    let (host, port_text) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (inner, after) = bracketed.split_once(']').ok_or("unterminated '['")?;
        if inner.parse::<Ipv6Addr>().is_err() {
            return Err(format!("invalid IPv6 address {inner:?}"));
        }
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or("garbage after ']'")?),
        };
        (inner, port)
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        if host.is_empty() {
            return Err("empty host".into());
        }
        if let Some(c) = host
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')))
        {
            return Err(format!("invalid character {c:?} in host"));
        }
        (host, port)
    };

    let port = match port_text {
        None => None,
        Some(p) => {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("invalid port {p:?}"));
            }
            match p.parse::<u16>() {
                Ok(n) if n != 0 => Some(n),
                _ => return Err(format!("port {p} out of range 1..=65535")),
            }
        }
    };

    let mut transport = None;
    let mut protocol = None;
    if let Some(params) = params {
        for param in params.split(';') {
            let (name, value) = param
                .split_once('=')
                .ok_or_else(|| format!("parameter {param:?} without '='"))?;
            if name.eq_ignore_ascii_case("transport") {
                if transport.is_some() {
                    return Err("duplicate transport parameter".into());
                }
                transport = Some(value.parse::<Transport>().map_err(|e| e.to_string())?);
            } else if name.eq_ignore_ascii_case("protocol") {
                if protocol.is_some() {
                    return Err("duplicate protocol parameter".into());
                }
                protocol = Some(value.parse::<Protocol>().map_err(|e| e.to_string())?);
            } else {
                return Err(format!("unknown parameter {name:?}"));
            }
        }
    }

    Ok(DiameterUri {
        secure,
        fqdn: host.to_string(),
        port,
        transport,
        protocol,
    })
}
