//! The human-readable dump, line for line in python-diameter's format.
//!
//! ```text
//! Credit-Control <Version: 0x01, Length: 432, Flags: 0xc0 (request, proxyable), Hop-by-Hop Identifier: 0x1, End-to-End Identifier: 0x1>
//!   Session-Id <Code: 0x107, Flags: 0x40 (-M-), Length: 43, Val: smsgw.gy;65000000;00000000;00000001>
//!   Origin-Host <Code: 0x108, Flags: 0x00 (---), Length: 16, Val: b'smsgw.gy'>
//! ```

use std::fmt::Write;

use diameter_dict::{DataType, Dictionary};

use super::avp::Avp;
use super::Message;
use crate::wire::{Address, CommandFlags, Limits, Time, Value};

/// The dump of `msg`: the header line, then one line per AVP, indented two spaces per level.
/// Every line ends with a newline.
pub fn dump(dict: &Dictionary, msg: &Message) -> String {
    let mut out = String::new();
    let name = dict
        .command(msg.header.application_id, msg.header.command_code)
        .map_or("Unknown", |c| c.name.as_str());
    let h = &msg.header;
    let _ = writeln!(
        out,
        "{name} <Version: 0x{:02x}, Length: {}, Flags: 0x{:02x} ({}), Hop-by-Hop Identifier: 0x{:x}, End-to-End Identifier: 0x{:x}>",
        h.version,
        msg.encoded_len(),
        h.flags.0,
        flag_words(h.flags),
        h.hop_by_hop,
        h.end_to_end
    );
    let ctx = Ctx {
        dict,
        app_id: h.application_id,
        max_depth: Limits::default().max_depth,
    };
    for avp in &msg.avps {
        ctx.avp(&mut out, avp, 1);
    }
    out
}

fn flag_words(flags: CommandFlags) -> String {
    let words = [
        (flags.is_request(), "request"),
        (flags.is_proxiable(), "proxyable"),
        (flags.is_error(), "error"),
        (flags.is_retransmit(), "retransmit"),
    ];
    words
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, w)| *w)
        .collect::<Vec<_>>()
        .join(", ")
}

struct Ctx<'a> {
    dict: &'a Dictionary,
    app_id: u32,
    max_depth: usize,
}

impl Ctx<'_> {
    fn avp(&self, out: &mut String, avp: &Avp, depth: usize) {
        let def = self.dict.avp(self.app_id, avp.code, avp.vendor_id);
        let name = def.map_or("Unknown", |d| d.name.as_str());
        let _ = write!(
            out,
            "{:indent$}{name} <Code: 0x{:02x}, Flags: 0x{:02x} ({}), Length: {}",
            "",
            avp.code,
            avp.flags.0,
            avp.flags.vmp(),
            avp.length(),
            indent = depth * 2
        );
        if avp.vendor_id != 0 {
            let _ = write!(out, ", Vnd: {}", python_vendor_name(avp.vendor_id));
        }
        let data_type = def.map_or(DataType::OctetString, |d| d.data_type);
        if data_type == DataType::Grouped && depth < self.max_depth {
            let children: Result<Vec<Avp>, _> = avp.children().collect();
            if let Ok(children) = children {
                out.push_str(">\n");
                for child in &children {
                    self.avp(out, child, depth + 1);
                }
                return;
            }
        }
        let _ = writeln!(out, ", Val: {}>", python_value(avp, data_type));
    }
}

/// A value as Python's `str()` prints what python-diameter decodes; `(unset)` when it
/// does not decode.
fn python_value(avp: &Avp, data_type: DataType) -> String {
    let data = avp.data();
    let Ok(value) = Value::decode(data_type, &data) else {
        return "(unset)".to_string();
    };
    match value {
        Value::OctetString(_)
        | Value::DiameterIdentity(_)
        | Value::IpFilterRule(_)
        | Value::QosFilterRule(_)
        | Value::Grouped(_) => python_bytes(&data),
        Value::Integer32(v) | Value::Enumerated(v) => v.to_string(),
        Value::Integer64(v) => v.to_string(),
        Value::Unsigned32(v) => v.to_string(),
        Value::Unsigned64(v) => v.to_string(),
        Value::Float32(v) => python_float(f64::from(v)),
        Value::Float64(v) => python_float(v),
        Value::Utf8String(s) => s,
        Value::DiameterUri(uri) => uri.to_string(),
        Value::Time(t) => python_time(t),
        Value::Address(a) => python_address(&a),
        Value::Ipv4(a) => format!("(1, '{a}')"),
        Value::Ipv6(a) => format!("(2, '{a}')"),
    }
}

fn python_time(t: Time) -> String {
    t.python_str()
}

fn python_address(a: &Address) -> String {
    match a {
        Address::Ipv4(ip) => format!("(1, '{ip}')"),
        Address::Ipv6(ip) => format!("(2, '{ip}')"),
        Address::E164(s) => format!("(8, '{s}')"),
        Address::Other { family, data } => {
            let hex: String = data.iter().map(|b| format!("{b:02x}")).collect();
            format!("({family}, '{hex}')")
        }
    }
}

/// Python's `repr(bytes)`: `b'...'`, printable ASCII kept, the rest escaped.
fn python_bytes(data: &[u8]) -> String {
    let quote = if data.contains(&b'\'') && !data.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(data.len() + 3);
    out.push('b');
    out.push(quote);
    for &b in data {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            _ if b as char == quote => {
                out.push('\\');
                out.push(quote);
            }
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push(quote);
    out
}

/// Python's `repr(float)`: shortest round-trip digits, `.0` on integral values,
/// exponent form below 1e-4 and from 1e16.
fn python_float(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.into();
    }
    let sci = format!("{v:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = mantissa
        .strip_prefix('-')
        .map_or(("", mantissa), |m| ("-", m));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if (-4..16).contains(&exp) {
        let point = exp + 1;
        let s = if point <= 0 {
            format!("0.{}{}", "0".repeat((-point) as usize), digits)
        } else if point as usize >= digits.len() {
            format!("{}{}.0", digits, "0".repeat(point as usize - digits.len()))
        } else {
            format!(
                "{}.{}",
                &digits[..point as usize],
                &digits[point as usize..]
            )
        };
        format!("{sign}{s}")
    } else {
        let frac = &digits[1..];
        let m = if frac.is_empty() {
            digits[..1].to_string()
        } else {
            format!("{}.{}", &digits[..1], frac)
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{m}e{esign}{:02}", exp.abs())
    }
}

/// The vendor name python-diameter prints after `Vnd:` (its `VENDORS` table); `None` when unknown.
pub fn python_vendor_name(vendor_id: u32) -> &'static str {
    match vendor_id {
        0 => "None",
        9 => "CiscoSystems",
        11 => "HP",
        42 => "Sun",
        61 => "Merit",
        94 => "Nokia",
        193 => "Ericsson",
        311 => "Microsoft",
        323 => "OracleTekelec",
        429 => "USR",
        637 => "ALU",
        1751 => "Lucent",
        2011 => "Huawei",
        2636 => "Juniper",
        2937 => "Deutsche_Telekom_AG",
        3830 => "Acision",
        4329 => "Siemens_AG",
        5535 => "TGPP2",
        5771 => "Cisco",
        5806 => "SKT",
        8164 => "Starent",
        10415 => "TGPP",
        12645 => "Vodafone",
        12951 => "VerizonWireless",
        13019 => "ETSI",
        13421 => "Tango",
        19444 => "Metaswitch",
        27640 => "Telefonica_Moviles_Espa_S.A.",
        28458 => "NokiaSolutionsAndNetworks",
        41897 => "Inovar",
        45687 => "oneM2M",
        81000 => "ChinaTelecom",
        16777216 => "TGPPCX",
        _ => "None",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_python() {
        assert_eq!(python_float(1.0), "1.0");
        assert_eq!(python_float(0.1), "0.1");
        assert_eq!(python_float(-2.5), "-2.5");
        assert_eq!(python_float(f64::from(0.1f32)), "0.10000000149011612");
        assert_eq!(python_float(1e16), "1e+16");
        assert_eq!(python_float(1.5e-5), "1.5e-05");
        assert_eq!(python_float(0.0001), "0.0001");
        assert_eq!(python_float(123456789012345.0), "123456789012345.0");
    }

    #[test]
    fn bytes_print_like_python() {
        assert_eq!(python_bytes(b"smsgw.gy"), "b'smsgw.gy'");
        assert_eq!(python_bytes(b"a'b"), "b\"a'b\"");
        assert_eq!(python_bytes(b"a'\"b"), "b'a\\'\"b'");
        assert_eq!(
            python_bytes(&[0, 0xff, b'\n', b'\\']),
            "b'\\x00\\xff\\n\\\\'"
        );
    }
}
