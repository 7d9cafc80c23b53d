//! The `IPFilterRule` (RFC 6733 §4.3.1) and `QoSFilterRule` (RFC 3588 §4.3, RFC 7155)
//! data types.
//!
//! Both are ASCII rules of the form `action dir proto from src to dst [options]`, a subset of
//! FreeBSD ipfw(8) syntax. They are parsed token by token (tokens are separated by ASCII
//! whitespace, keywords are case-insensitive) into a structure, and the original text is kept
//! so that re-encoding is lossless ([`IpFilterRule::as_str`], [`QosFilterRule::as_str`]).
//!
//! Common parts:
//! - `dir`: `in` (from the terminal) or `out` (to the terminal);
//! - `proto`: an IP protocol number 0..=255, `ip` (any protocol), or one of the names
//!   `icmp` (1), `tcp` (6), `udp` (17), `ipv6-icmp`/`icmpv6` (58), `sctp` (132);
//! - `src`, `dst`: `[!]address [ports]` where address is `any`, `assigned`, or an IPv4/IPv6
//!   address with an optional `/bits` prefix length; `!` (attached or as its own token)
//!   inverts the match; ports are `port` or `port-port` items separated by commas.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use super::value::ValueError;

/// The action of an [`IpFilterRule`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilterAction {
    /// `permit`: allow packets that match the rule.
    Permit,
    /// `deny`: drop packets that match the rule.
    Deny,
}

/// The direction of a filter rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `in`: from the terminal.
    In,
    /// `out`: to the terminal.
    Out,
}

/// The address part of a rule endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilterAddr {
    /// `any`: any address.
    Any,
    /// `assigned`: the address(es) assigned to the terminal.
    Assigned,
    /// An address with an optional prefix length (`10.0.0.0/8`).
    Net {
        /// The address.
        addr: IpAddr,
        /// The prefix length in bits (at most 32 for IPv4, 128 for IPv6), when given.
        prefix_len: Option<u8>,
    },
}

/// An inclusive port range (`first == last` for a single port).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PortRange {
    /// First port of the range.
    pub first: u16,
    /// Last port of the range (`>= first`).
    pub last: u16,
}

/// The source or destination of a filter rule: `[!]address [ports]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FilterEndpoint {
    /// The match is inverted (`!`).
    pub negated: bool,
    /// The address.
    pub addr: FilterAddr,
    /// The ports (empty: any port).
    pub ports: Vec<PortRange>,
}

/// An option of an [`IpFilterRule`]. List arguments are kept as written (validated).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FilterOption {
    /// `frag`: fragmented packets except the first one.
    Frag,
    /// `ipoptions spec`: items `ssrr`, `lsrr`, `rr`, `ts`, optionally prefixed by `!`.
    IpOptions(String),
    /// `tcpoptions spec`: items `mss`, `window`, `sack`, `ts`, `cc`, optionally prefixed by `!`.
    TcpOptions(String),
    /// `established`: TCP packets with RST or ACK set.
    Established,
    /// `setup`: TCP packets with SYN set but not ACK.
    Setup,
    /// `tcpflags spec`: items `fin`, `syn`, `rst`, `psh`, `ack`, `urg`, optionally prefixed by `!`.
    TcpFlags(String),
    /// `icmptypes types`: ICMP type numbers, ranges `a-b` or symbolic names, comma-separated.
    IcmpTypes(String),
}

/// A parsed filter rule: `action dir proto from src to dst [options]`.
///
/// The two RFC 6733 rule types share this shape and differ in their actions and options:
/// [`IpFilterRule`] and [`QosFilterRule`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FilterRule<Action, Opt> {
    text: String,
    action: Action,
    direction: Direction,
    proto: Option<u8>,
    src: FilterEndpoint,
    dst: FilterEndpoint,
    options: Vec<Opt>,
}

/// A parsed `IPFilterRule` (actions `permit`/`deny`, options validated).
///
/// ```
/// use diameter_runtime::wire::filter_rule::{Direction, FilterAction, FilterAddr, IpFilterRule};
///
/// let r: IpFilterRule = "deny out 17 from any 53 to assigned 1000-2000,3000 frag".parse().unwrap();
/// assert_eq!(r.action(), FilterAction::Deny);
/// assert_eq!(r.direction(), Direction::Out);
/// assert_eq!(r.proto(), Some(17));
/// assert_eq!(r.src().addr, FilterAddr::Any);
/// assert_eq!(r.dst().ports.len(), 2);
/// assert_eq!(r.as_str(), "deny out 17 from any 53 to assigned 1000-2000,3000 frag");
/// ```
pub type IpFilterRule = FilterRule<FilterAction, FilterOption>;

/// A parsed `QoSFilterRule`: `action` is `tag` or `meter`; the options (e.g. `DSCP <color>`,
/// `metering <rate> <color_under> <color_over>`) are kept as tokens without further validation.
///
/// ```
/// use diameter_runtime::wire::filter_rule::{QosAction, QosFilterRule};
///
/// let r: QosFilterRule = "tag in ip from 10.0.0.1 to any DSCP 46".parse().unwrap();
/// assert_eq!(r.action(), QosAction::Tag);
/// assert_eq!(r.options(), ["DSCP", "46"]);
/// ```
pub type QosFilterRule = FilterRule<QosAction, String>;

impl<Action: Copy, Opt> FilterRule<Action, Opt> {
    /// The rule text exactly as parsed (the wire form).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The action (`permit`/`deny`, or `tag`/`meter`).
    pub fn action(&self) -> Action {
        self.action
    }

    /// `in` or `out`.
    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// The IP protocol number; `None` for `ip` (any protocol).
    pub fn proto(&self) -> Option<u8> {
        self.proto
    }

    /// The source.
    pub fn src(&self) -> &FilterEndpoint {
        &self.src
    }

    /// The destination.
    pub fn dst(&self) -> &FilterEndpoint {
        &self.dst
    }

    /// The options, in order.
    pub fn options(&self) -> &[Opt] {
        &self.options
    }
}

impl<Action, Opt> fmt::Display for FilterRule<Action, Opt> {
    /// The original text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for IpFilterRule {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<IpFilterRule, ValueError> {
        parse_ip_rule(s)
            .map_err(|why| ValueError::new(format!("invalid IPFilterRule {s:?}: {why}")))
    }
}

/// The action of a [`QosFilterRule`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QosAction {
    /// `tag`: mark packets with a DSCP.
    Tag,
    /// `meter`: meter traffic.
    Meter,
}

impl FromStr for QosFilterRule {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<QosFilterRule, ValueError> {
        parse_qos_rule(s)
            .map_err(|why| ValueError::new(format!("invalid QoSFilterRule {s:?}: {why}")))
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing

type Tokens<'a> = std::iter::Peekable<std::str::SplitAsciiWhitespace<'a>>;

/// The part shared by both rule kinds: `dir proto from src to dst`.
struct Common {
    direction: Direction,
    proto: Option<u8>,
    src: FilterEndpoint,
    dst: FilterEndpoint,
}

fn next<'a>(tokens: &mut Tokens<'a>, what: &str) -> Result<&'a str, String> {
    tokens.next().ok_or_else(|| format!("missing {what}"))
}

fn parse_common(tokens: &mut Tokens<'_>) -> Result<Common, String> {
    let dir = next(tokens, "direction")?;
    let direction = if dir.eq_ignore_ascii_case("in") {
        Direction::In
    } else if dir.eq_ignore_ascii_case("out") {
        Direction::Out
    } else {
        return Err(format!("direction must be in or out, got {dir:?}"));
    };
    let proto = parse_proto(next(tokens, "protocol")?)?;
    keyword(tokens, "from")?;
    let src = parse_endpoint(tokens, "source")?;
    keyword(tokens, "to")?;
    let dst = parse_endpoint(tokens, "destination")?;
    Ok(Common {
        direction,
        proto,
        src,
        dst,
    })
}

fn keyword(tokens: &mut Tokens<'_>, kw: &str) -> Result<(), String> {
    let t = next(tokens, kw)?;
    if t.eq_ignore_ascii_case(kw) {
        Ok(())
    } else {
        Err(format!("expected {kw:?}, got {t:?}"))
    }
}

fn parse_proto(t: &str) -> Result<Option<u8>, String> {
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return t
            .parse::<u8>()
            .map(Some)
            .map_err(|_| format!("protocol number {t} out of range 0..=255"));
    }
    let named = [
        ("icmp", 1),
        ("tcp", 6),
        ("udp", 17),
        ("ipv6-icmp", 58),
        ("icmpv6", 58),
        ("sctp", 132),
    ];
    if t.eq_ignore_ascii_case("ip") {
        return Ok(None);
    }
    named
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(t))
        .map(|(_, n)| Some(*n))
        .ok_or_else(|| format!("unknown protocol {t:?}"))
}

fn parse_endpoint(tokens: &mut Tokens<'_>, what: &str) -> Result<FilterEndpoint, String> {
    let mut t = next(tokens, what)?;
    let mut negated = false;
    if t == "!" {
        negated = true;
        t = next(tokens, what)?;
    } else if let Some(rest) = t.strip_prefix('!') {
        negated = true;
        t = rest;
    }
    let addr = if t.eq_ignore_ascii_case("any") {
        FilterAddr::Any
    } else if t.eq_ignore_ascii_case("assigned") {
        FilterAddr::Assigned
    } else {
        let (addr_text, bits) = match t.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (t, None),
        };
        let addr: IpAddr = addr_text
            .parse()
            .map_err(|_| format!("invalid {what} address {t:?}"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix_len = match bits {
            None => None,
            Some(b) => match b.parse::<u8>() {
                Ok(n) if n <= max && b.bytes().all(|c| c.is_ascii_digit()) => Some(n),
                _ => return Err(format!("invalid prefix length in {what} {t:?}")),
            },
        };
        FilterAddr::Net { addr, prefix_len }
    };
    // Ports are recognised by their leading digit (options and keywords are alphabetic).
    let mut ports = Vec::new();
    if let Some(p) = tokens.peek().copied() {
        if p.starts_with(|c: char| c.is_ascii_digit()) {
            tokens.next();
            ports = parse_ports(p).map_err(|why| format!("{what} ports: {why}"))?;
        }
    }
    Ok(FilterEndpoint {
        negated,
        addr,
        ports,
    })
}

fn parse_ports(t: &str) -> Result<Vec<PortRange>, String> {
    let port = |s: &str| -> Result<u16, String> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("invalid port {s:?}"));
        }
        s.parse::<u16>()
            .map_err(|_| format!("port {s} out of range 0..=65535"))
    };
    t.split(',')
        .map(|item| {
            let (first, last) = match item.split_once('-') {
                Some((a, b)) => (port(a)?, port(b)?),
                None => {
                    let p = port(item)?;
                    (p, p)
                }
            };
            if first > last {
                return Err(format!("empty port range {item:?}"));
            }
            Ok(PortRange { first, last })
        })
        .collect()
}

fn parse_ip_rule(s: &str) -> Result<IpFilterRule, String> {
    let mut tokens = s.split_ascii_whitespace().peekable();
    let act = next(&mut tokens, "action")?;
    let action = if act.eq_ignore_ascii_case("permit") {
        FilterAction::Permit
    } else if act.eq_ignore_ascii_case("deny") {
        FilterAction::Deny
    } else {
        return Err(format!("action must be permit or deny, got {act:?}"));
    };
    let common = parse_common(&mut tokens)?;
    let mut options = Vec::new();
    while let Some(t) = tokens.next() {
        let opt = match t.to_ascii_lowercase().as_str() {
            "frag" => FilterOption::Frag,
            "established" => FilterOption::Established,
            "setup" => FilterOption::Setup,
            "ipoptions" => FilterOption::IpOptions(list_arg(
                &mut tokens,
                "ipoptions",
                &["ssrr", "lsrr", "rr", "ts"],
            )?),
            "tcpoptions" => FilterOption::TcpOptions(list_arg(
                &mut tokens,
                "tcpoptions",
                &["mss", "window", "sack", "ts", "cc"],
            )?),
            "tcpflags" => FilterOption::TcpFlags(list_arg(
                &mut tokens,
                "tcpflags",
                &["fin", "syn", "rst", "psh", "ack", "urg"],
            )?),
            "icmptypes" => FilterOption::IcmpTypes(icmp_types(&mut tokens)?),
            _ => return Err(format!("unknown option {t:?}")),
        };
        options.push(opt);
    }
    Ok(FilterRule {
        text: s.to_string(),
        action,
        direction: common.direction,
        proto: common.proto,
        src: common.src,
        dst: common.dst,
        options,
    })
}

/// A comma-separated list of known words, each optionally prefixed by `!`.
fn list_arg(tokens: &mut Tokens<'_>, opt: &str, allowed: &[&str]) -> Result<String, String> {
    let t = next(tokens, &format!("argument of {opt}"))?;
    for item in t.split(',') {
        let word = item.strip_prefix('!').unwrap_or(item);
        if !allowed.iter().any(|a| a.eq_ignore_ascii_case(word)) {
            return Err(format!("invalid {opt} item {item:?}"));
        }
    }
    Ok(t.to_string())
}

/// A comma-separated list of ICMP types: numbers, ranges `a-b`, or symbolic names.
fn icmp_types(tokens: &mut Tokens<'_>) -> Result<String, String> {
    let t = next(tokens, "argument of icmptypes")?;
    for item in t.split(',') {
        let ok = if item.starts_with(|c: char| c.is_ascii_digit()) {
            let (a, b) = item.split_once('-').unwrap_or((item, item));
            matches!((a.parse::<u8>(), b.parse::<u8>()), (Ok(x), Ok(y)) if x <= y)
        } else {
            !item.is_empty() && item.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
        };
        if !ok {
            return Err(format!("invalid icmptypes item {item:?}"));
        }
    }
    Ok(t.to_string())
}

fn parse_qos_rule(s: &str) -> Result<QosFilterRule, String> {
    let mut tokens = s.split_ascii_whitespace().peekable();
    let act = next(&mut tokens, "action")?;
    let action = if act.eq_ignore_ascii_case("tag") {
        QosAction::Tag
    } else if act.eq_ignore_ascii_case("meter") {
        QosAction::Meter
    } else {
        return Err(format!("action must be tag or meter, got {act:?}"));
    };
    let common = parse_common(&mut tokens)?;
    Ok(FilterRule {
        text: s.to_string(),
        action,
        direction: common.direction,
        proto: common.proto,
        src: common.src,
        dst: common.dst,
        options: tokens.map(str::to_string).collect(),
    })
}
