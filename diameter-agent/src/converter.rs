//! Value converters (`{*duration_seconds&*round:2}` at the end of a value rule).

use std::sync::atomic::{AtomicU64, Ordering};

use crate::datum::Datum;
use crate::time::{Timestamp, Zone};

/// Rounding of `*round`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundMethod {
    /// Half up (`*middle`, the default).
    Middle,
    /// Towards +infinity (`*up`).
    Up,
    /// Towards -infinity (`*down`).
    Down,
}

/// Which end `*strip` works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// `*prefix`.
    Prefix,
    /// `*suffix`.
    Suffix,
    /// `*both`.
    Both,
}

/// One converter.
#[derive(Debug, Clone, PartialEq)]
pub enum Converter {
    /// `*duration_seconds`: duration -> float seconds.
    DurationSeconds,
    /// `*duration_nanoseconds`: duration -> integer ns.
    DurationNanoseconds,
    /// `*duration_minutes`: duration -> float minutes.
    DurationMinutes,
    /// `*duration`: to a duration (printed `5m0s`).
    Duration,
    /// `*durfmt[:layout]`: duration shown as a clock (`15:04:05`).
    DurationFormat(String),
    /// `*round[:decimals[:method]]`.
    Round(i32, RoundMethod),
    /// `*multiply:<f>`.
    Multiply(f64),
    /// `*divide:<f>`.
    Divide(f64),
    /// `*json`: JSON encoding of the value.
    Json,
    /// `*ip2hex`: IPv4 -> `0x` + 8 hex digits.
    IpToHex,
    /// `*string2hex`: bytes as `0x...` hex.
    StringToHex,
    /// `*sipuri_host`.
    SipUriHost,
    /// `*sipuri_user`.
    SipUriUser,
    /// `*sipuri_method`.
    SipUriMethod,
    /// `*unixtime`: time -> Unix seconds.
    UnixTime,
    /// `*timestring[:tz[:layout]]`.
    TimeString(Zone, String),
    /// `*datetime:<layout>`: time formatted with a Go layout.
    DateTime(String),
    /// `*len`: length of the text.
    Len,
    /// `*slice`: JSON array text kept as a list.
    Slice,
    /// `*float64`.
    Float64,
    /// `*e164Domain`: domain of a NAPTR name.
    E164Domain,
    /// `*e164`: number of a NAPTR name.
    E164,
    /// `*urldecode`.
    UrlDecode,
    /// `*urlencode`.
    UrlEncode,
    /// `*random[:min[:max]]`.
    Random(i64, i64),
    /// `*strip:<side>:...`: `substr` empty strips `amount` characters; `amount` -1 strips all.
    Strip {
        /// Which end.
        side: Side,
        /// Text removed (repeated `amount` times when amount is given).
        substr: String,
        /// Count, or -1 for all.
        amount: i64,
    },
    /// `*gigawords`: x 2^32.
    Gigawords,
    /// `*join[:sep]`: a list joined (single values unchanged).
    Join(String),
}

fn invalid(def: &str, why: impl std::fmt::Display) -> String {
    format!("invalid converter <{def}>: {why}")
}

impl Converter {
    /// Parse one converter definition (`*round:2:*up`).
    pub fn parse(def: &str) -> Result<Converter, String> {
        let (name, params) = match def.split_once(':') {
            Some((n, p)) => (n, Some(p)),
            None => (def, None),
        };
        let float_param = |p: Option<&str>| -> Result<f64, String> {
            let p = p
                .filter(|p| !p.is_empty())
                .ok_or_else(|| invalid(def, "missing parameter"))?;
            p.parse()
                .map_err(|_| invalid(def, format!("{p} is not a number")))
        };
        let no_params = |c: Converter| match params {
            None => Ok(c),
            Some(_) => Err(invalid(def, "takes no parameter")),
        };
        match name {
            "*duration_seconds" => no_params(Converter::DurationSeconds),
            "*duration_nanoseconds" => no_params(Converter::DurationNanoseconds),
            "*duration_minutes" => no_params(Converter::DurationMinutes),
            "*duration" => no_params(Converter::Duration),
            "*durfmt" => Ok(Converter::DurationFormat(
                params
                    .filter(|p| !p.is_empty())
                    .unwrap_or("15:04:05")
                    .to_string(),
            )),
            "*round" => {
                let mut parts = params
                    .map(|p| p.split(':').collect::<Vec<_>>())
                    .unwrap_or_default();
                if parts.len() > 2 {
                    return Err(invalid(def, "expected *round[:decimals[:method]]"));
                }
                let method = match parts.get(1).copied() {
                    None | Some("*middle") => RoundMethod::Middle,
                    Some("*up") => RoundMethod::Up,
                    Some("*down") => RoundMethod::Down,
                    Some(m) => return Err(invalid(def, format!("unknown rounding method {m}"))),
                };
                let decimals = match parts.drain(..).next() {
                    None => 0,
                    Some(d) => d.parse().map_err(|_| {
                        invalid(def, format!("decimals must be an integer, have: <{d}>"))
                    })?,
                };
                Ok(Converter::Round(decimals, method))
            }
            "*multiply" => Ok(Converter::Multiply(float_param(params)?)),
            "*divide" => Ok(Converter::Divide(float_param(params)?)),
            "*json" => no_params(Converter::Json),
            "*ip2hex" => no_params(Converter::IpToHex),
            "*string2hex" => no_params(Converter::StringToHex),
            "*sipuri_host" => no_params(Converter::SipUriHost),
            "*sipuri_user" => no_params(Converter::SipUriUser),
            "*sipuri_method" => no_params(Converter::SipUriMethod),
            "*unixtime" => no_params(Converter::UnixTime),
            "*timestring" => {
                let mut parts = params.unwrap_or("").splitn(2, ':');
                let zone = Zone::parse(parts.next().unwrap_or("")).map_err(|e| invalid(def, e))?;
                let layout = parts
                    .next()
                    .filter(|l| !l.is_empty())
                    .unwrap_or("2006-01-02 15:04:05");
                Ok(Converter::TimeString(zone, layout.to_string()))
            }
            "*datetime" => Ok(Converter::DateTime(
                params
                    .filter(|p| !p.is_empty())
                    .unwrap_or("2006-01-02T15:04:05Z07:00")
                    .to_string(),
            )),
            "*len" => no_params(Converter::Len),
            "*slice" => no_params(Converter::Slice),
            "*float64" => no_params(Converter::Float64),
            "*e164Domain" => no_params(Converter::E164Domain),
            "*e164" => no_params(Converter::E164),
            "*urldecode" => no_params(Converter::UrlDecode),
            "*urlencode" => no_params(Converter::UrlEncode),
            "*random" => {
                let parts: Vec<&str> = params.map(|p| p.split(':').collect()).unwrap_or_default();
                let num = |s: Option<&&str>| -> Result<i64, String> {
                    match s.filter(|s| !s.is_empty()) {
                        None => Ok(0),
                        Some(s) => s
                            .parse()
                            .map_err(|_| invalid(def, format!("{s} is not an integer"))),
                    }
                };
                if parts.len() > 2 {
                    return Err(invalid(def, "expected *random[:min[:max]]"));
                }
                Ok(Converter::Random(num(parts.first())?, num(parts.get(1))?))
            }
            "*strip" => parse_strip(def, params.unwrap_or("")),
            "*gigawords" => no_params(Converter::Gigawords),
            "*join" => Ok(Converter::Join(params.unwrap_or(";").to_string())),
            "*libphonenumber" | "*3gpp_uli" | "*conn_status" => {
                Err(format!("converter <{name}> is not supported by this agent"))
            }
            _ => Err(format!("unsupported converter definition: <{def}>")),
        }
    }

    /// Convert one value.
    pub fn convert(&self, input: Datum) -> Result<Datum, String> {
        Ok(match self {
            Converter::DurationSeconds => Datum::Float(input.as_duration()? as f64 / 1e9),
            Converter::DurationNanoseconds => Datum::Int(input.as_duration()?),
            Converter::DurationMinutes => Datum::Float(input.as_duration()? as f64 / 6e10),
            Converter::Duration => Datum::Duration(input.as_duration()?),
            Converter::DurationFormat(layout) => {
                let d = input.as_duration()?;
                Datum::from(Timestamp::from_unix(0, 0).add_nanos(d).format(layout))
            }
            Converter::Round(decimals, method) => {
                Datum::Float(round(input.as_f64()?, *decimals, *method))
            }
            Converter::Multiply(f) => Datum::Float(input.as_f64()? * f),
            Converter::Divide(f) => Datum::Float(input.as_f64()? / f),
            Converter::Json => Datum::from(input.to_json().to_string()),
            Converter::IpToHex => Datum::from(ip_to_hex(&input.text())),
            Converter::StringToHex => {
                let text = input.text();
                if text.is_empty() {
                    Datum::from("")
                } else {
                    Datum::from(format!("0x{}", hex(text.as_bytes())))
                }
            }
            Converter::SipUriHost => Datum::from(sip_uri(&input.text()).1),
            Converter::SipUriUser => Datum::from(sip_uri(&input.text()).0),
            Converter::SipUriMethod => Datum::from(
                input
                    .text()
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_string(),
            ),
            Converter::UnixTime => Datum::Int(input.as_time(Zone::UTC)?.unix()),
            Converter::TimeString(zone, layout) => {
                Datum::from(input.as_time(Zone::UTC)?.in_zone(*zone).format(layout))
            }
            Converter::DateTime(layout) => Datum::from(input.as_time(Zone::UTC)?.format(layout)),
            Converter::Len => Datum::Int(input.text().len() as i64),
            Converter::Slice => {
                let text = input.text();
                match serde_json::from_str::<serde_json::Value>(&text) {
                    Ok(v @ serde_json::Value::Array(_)) => Datum::from(v.to_string()),
                    _ => Datum::from(text.into_owned()),
                }
            }
            Converter::Float64 => Datum::Float(input.as_f64()?),
            Converter::E164Domain => {
                let text = input.text();
                let name = match text.find(".e164.") {
                    Some(i) => &text[i..],
                    None => &text,
                };
                Datum::from(name.trim_matches('.'))
            }
            Converter::E164 => {
                let text = input.text();
                let i = text
                    .find(".e164.")
                    .ok_or_else(|| "unknown format".to_string())?;
                Datum::from(text[..i].replace('.', "").chars().rev().collect::<String>())
            }
            Converter::UrlDecode => Datum::from(url_decode(&input.text())?),
            Converter::UrlEncode => Datum::from(url_encode(&input.text())),
            Converter::Random(begin, end) => Datum::Int(random_in(*begin, *end)),
            Converter::Strip {
                side,
                substr,
                amount,
            } => Datum::from(strip(&input.text(), *side, substr, *amount)),
            Converter::Gigawords => Datum::Int(
                input
                    .as_i64()?
                    .checked_mul(1 << 32)
                    .ok_or_else(|| "gigawords overflow".to_string())?,
            ),
            Converter::Join(sep) => {
                let text = input.text();
                match serde_json::from_str::<Vec<serde_json::Value>>(&text) {
                    Ok(items) => Datum::from(
                        items
                            .iter()
                            .map(|v| Datum::from_json(v).text().into_owned())
                            .collect::<Vec<_>>()
                            .join(sep),
                    ),
                    Err(_) => Datum::from(text.into_owned()),
                }
            }
        })
    }
}

fn parse_strip(def: &str, params: &str) -> Result<Converter, String> {
    let parts: Vec<&str> = params.split(':').collect();
    let side = match parts[0] {
        "*prefix" => Side::Prefix,
        "*suffix" => Side::Suffix,
        "*both" => Side::Both,
        other => {
            return Err(invalid(
                def,
                format!("side must be *prefix, *suffix or *both, not <{other}>"),
            ))
        }
    };
    let amount_at = |i: usize| -> Result<i64, String> {
        parts[i]
            .parse()
            .map_err(|_| invalid(def, format!("invalid amount <{}>", parts[i])))
    };
    if parts.len() < 2 || parts.len() > 4 {
        return Err(invalid(
            def,
            "expected *strip:<side>:<substr|*nil|*space|*char:c|n>[:amount]",
        ));
    }
    let (substr, amount) = match parts[1] {
        "" => return Err(invalid(def, "substr cannot be empty")),
        "*nil" | "*space" => {
            let unit = if parts[1] == "*nil" { "\u{0}" } else { " " };
            match parts.len() {
                2 => (unit.to_string(), -1),
                3 => {
                    let n = amount_at(2)?;
                    (unit.repeat(n.max(0) as usize), n)
                }
                _ => return Err(invalid(def, "too many parameters for *nil/*space")),
            }
        }
        "*char" => {
            if parts.len() < 3 || parts[2].is_empty() {
                return Err(invalid(def, "*char needs a substring"));
            }
            match parts.len() {
                3 => (parts[2].to_string(), -1),
                _ => {
                    let n = amount_at(3)?;
                    (parts[2].repeat(n.max(0) as usize), n)
                }
            }
        }
        _ => {
            if parts.len() > 2 {
                return Err(invalid(
                    def,
                    "just the amount specified, cannot have more parameters",
                ));
            }
            (String::new(), amount_at(1)?)
        }
    };
    Ok(Converter::Strip {
        side,
        substr,
        amount,
    })
}

fn strip(text: &str, side: Side, substr: &str, amount: i64) -> String {
    if amount <= 0 && amount != -1 {
        return text.to_string();
    }
    if substr.is_empty() {
        let chars: Vec<char> = text.chars().collect();
        let n = amount.max(0) as usize;
        let range = match side {
            Side::Prefix => n.min(chars.len())..chars.len(),
            Side::Suffix => 0..chars.len().saturating_sub(n),
            Side::Both if 2 * n < chars.len() => n..chars.len() - n,
            Side::Both => 0..0,
        };
        return chars[range].iter().collect();
    }
    let trim_start = |s: &str| -> String {
        if amount == -1 {
            let mut s = s;
            while let Some(r) = s.strip_prefix(substr) {
                s = r;
            }
            s.to_string()
        } else {
            s.strip_prefix(substr).unwrap_or(s).to_string()
        }
    };
    let trim_end = |s: &str| -> String {
        if amount == -1 {
            let mut s = s;
            while let Some(r) = s.strip_suffix(substr) {
                s = r;
            }
            s.to_string()
        } else {
            s.strip_suffix(substr).unwrap_or(s).to_string()
        }
    };
    match side {
        Side::Prefix => trim_start(text),
        Side::Suffix => trim_end(text),
        Side::Both => trim_end(&trim_start(text)),
    }
}

/// CGRateS' `Round`: to `decimals` places, half up, up or down.
pub fn round(x: f64, decimals: i32, method: RoundMethod) -> f64 {
    let pow = 10f64.powi(decimals);
    // Cut float noise (0.1 * 3 = 0.30000000000000004) before deciding.
    let scaled = (x * pow * 1e7).round() / 1e7;
    let rounded = match method {
        RoundMethod::Middle => {
            let floor = scaled.floor();
            if scaled - floor >= 0.5 {
                floor + 1.0
            } else {
                floor
            }
        }
        RoundMethod::Up => scaled.ceil(),
        RoundMethod::Down => scaled.floor(),
    };
    rounded / pow
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn ip_to_hex(text: &str) -> String {
    let bytes: Vec<u8> = match text.trim().parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(a)) => a.to_ipv6_mapped().octets().to_vec(),
        Ok(std::net::IpAddr::V6(a)) => a.octets().to_vec(),
        Err(_) => return String::new(),
    };
    let h = hex(&bytes);
    format!("0x{}", &h[h.len() - 8..])
}

/// `(user, host)` of a SIP URI such as `"Bob" <sip:1001@10.0.0.1:5060;transport=udp>`.
fn sip_uri(text: &str) -> (String, String) {
    let inner = match (text.find('<'), text.rfind('>')) {
        (Some(a), Some(b)) if a < b => &text[a + 1..b],
        _ => text.trim(),
    };
    let inner = inner
        .strip_prefix("sips:")
        .or_else(|| inner.strip_prefix("sip:"))
        .or_else(|| inner.strip_prefix("tel:"))
        .unwrap_or(inner);
    let end = inner.find([';', '?', '>', ' ']).unwrap_or(inner.len());
    let uri = &inner[..end];
    match uri.split_once('@') {
        Some((user, host)) => (user.to_string(), host.to_string()),
        None => (String::new(), uri.to_string()),
    }
}

fn url_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let h = text
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        format!(
                            "invalid URL escape {:?}",
                            text.get(i..(i + 3).min(text.len())).unwrap_or("%")
                        )
                    })?;
                out.push(h);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|e| e.to_string())
}

fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A pseudo-random 64-bit number (splitmix64 over a counter and the clock; not for secrets).
pub(crate) fn random_u64() -> u64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let seed = STATE.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed)
        ^ Timestamp::now().unix_nanos() as u64;
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A pseudo-random integer in `[begin, end)` (`end` 0: no upper bound).
fn random_in(begin: i64, end: i64) -> i64 {
    let r = random_u64() >> 1;
    if end > begin {
        begin + (r % (end - begin) as u64) as i64
    } else {
        begin.saturating_add((r >> 1) as i64)
    }
}

/// Apply converters in order to `input`.
pub fn convert_all(converters: &[Converter], input: Datum) -> Result<Datum, String> {
    converters.iter().try_fold(input, |v, c| c.convert(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(def: &str, input: &str) -> String {
        Converter::parse(def)
            .unwrap()
            .convert(Datum::from(input))
            .unwrap()
            .text()
            .into_owned()
    }

    #[test]
    fn durations() {
        assert_eq!(conv("*duration_seconds", "5m0s"), "300");
        // A bare number is nanoseconds.
        assert_eq!(conv("*duration_seconds", "300"), "0.0000003");
        assert_eq!(conv("*duration_seconds", "-1ns"), "-0.000000001");
        assert_eq!(conv("*duration_nanoseconds", "1s"), "1000000000");
        assert_eq!(conv("*duration_minutes", "90s"), "1.5");
        assert_eq!(conv("*duration", "300000000000"), "5m0s");
        assert_eq!(conv("*durfmt", "1h2m3s"), "01:02:03");
        assert_eq!(conv("*durfmt:04m05s", "2m3s"), "02m03s");
        assert_eq!(
            Converter::DurationSeconds.convert(Datum::Duration(300_000_000_000)),
            Ok(Datum::Float(300.0))
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(conv("*round", "2.5"), "3");
        assert_eq!(conv("*round:2", "1.005"), "1.01");
        assert_eq!(conv("*round:1:*up", "1.01"), "1.1");
        assert_eq!(conv("*round:1:*down", "1.09"), "1");
        assert_eq!(conv("*multiply:1024", "2"), "2048");
        assert_eq!(conv("*divide:4", "10"), "2.5");
        assert_eq!(conv("*float64", "10"), "10");
        assert_eq!(conv("*gigawords", "2"), "8589934592");
        assert!(Converter::parse("*multiply").is_err());
        assert!(Converter::parse("*round:x").is_err());
    }

    #[test]
    fn text() {
        assert_eq!(conv("*json", "abc"), "\"abc\"");
        assert_eq!(conv("*ip2hex", "10.0.0.1"), "0x0a000001");
        assert_eq!(conv("*ip2hex", "not an ip"), "");
        assert_eq!(conv("*string2hex", "ab"), "0x6162");
        assert_eq!(conv("*string2hex", ""), "");
        assert_eq!(conv("*len", "abcd"), "4");
        assert_eq!(conv("*slice", "[1, 2]"), "[1,2]");
        assert_eq!(conv("*e164", "4.3.2.1.e164.arpa"), "1234");
        assert_eq!(conv("*e164Domain", "4.3.2.1.e164.arpa"), "e164.arpa");
        assert_eq!(conv("*urldecode", "a%20b+c"), "a b c");
        assert_eq!(conv("*urlencode", "a b/c"), "a+b%2Fc");
        assert_eq!(conv("*join:,", "[\"a\",\"b\"]"), "a,b");
    }

    #[test]
    fn sip() {
        let uri = "\"Bob\" <sip:1001@10.0.0.1:5060;transport=udp>";
        assert_eq!(conv("*sipuri_user", uri), "1001");
        assert_eq!(conv("*sipuri_host", uri), "10.0.0.1:5060");
        assert_eq!(
            conv("*sipuri_method", "INVITE sip:1002@x SIP/2.0"),
            "INVITE"
        );
    }

    #[test]
    fn times() {
        assert_eq!(conv("*unixtime", "2024-01-02T03:04:05Z"), "1704164645");
        assert_eq!(
            conv("*timestring", "2024-01-02T03:04:05Z"),
            "2024-01-02 03:04:05"
        );
        assert_eq!(
            conv("*timestring:+0100:15:04", "2024-01-02T03:04:05Z"),
            "04:04"
        );
        assert_eq!(
            conv("*datetime:20060102", "2024-01-02T03:04:05Z"),
            "20240102"
        );
    }

    #[test]
    fn strip_variants() {
        assert_eq!(conv("*strip:*prefix:2", "abcd"), "cd");
        assert_eq!(conv("*strip:*suffix:*nil", "ab\u{0}\u{0}"), "ab");
        assert_eq!(conv("*strip:*both:*space:1", "  ab  "), " ab ");
        assert_eq!(conv("*strip:*prefix:*char:0", "000123"), "123");
        assert_eq!(conv("*strip:*prefix:*char:0:2", "000123"), "0123");
        assert!(Converter::parse("*strip:*middle:1").is_err());
    }

    #[test]
    fn random_stays_in_range() {
        for _ in 0..100 {
            let v: i64 = conv("*random:5:10", "").parse().unwrap();
            assert!((5..10).contains(&v));
        }
    }

    #[test]
    fn unknown_converter() {
        assert!(Converter::parse("*nope")
            .unwrap_err()
            .contains("unsupported converter"));
        assert!(Converter::parse("*libphonenumber:49").is_err());
    }
}
