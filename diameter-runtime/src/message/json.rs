//! The JSON form of a message: header and AVP tree with names, codes, vendors, flags and
//! typed values; read back to build a message.
//!
//! Reading accepts less than writing gives: an AVP needs `code` (with `vendor_id`) or
//! `name`; `flags` defaults to the dictionary's; `value` is typed by the dictionary;
//! `payload_hex` gives raw bytes instead; `avps` gives grouped children.

use bytes::Bytes;
use diameter_dict::{AvpDef, DataType, Dictionary};
use serde_json::{json, Map, Value as Json};

use super::avp::Avp;
use super::Message;
use crate::hex;
use crate::wire::filter_rule::{IpFilterRule, QosFilterRule};
use crate::wire::{Address, AvpFlags, CommandFlags, DiameterUri, Limits, RawAvp, Time, Value};

/// A JSON document that does not describe a message; `at` is where (`avps[3].value`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct JsonError {
    pub at: String,
    pub message: String,
}

fn err(at: &str, message: impl Into<String>) -> JsonError {
    JsonError {
        at: at.to_string(),
        message: message.into(),
    }
}

/// The JSON form of `msg`.
pub fn to_json(dict: &Dictionary, msg: &Message) -> Json {
    let h = &msg.header;
    let command = dict
        .command(h.application_id, h.command_code)
        .map(|c| c.name.clone());
    let ctx = Ctx {
        dict,
        app_id: h.application_id,
    };
    json!({
        "command": command,
        "header": {
            "version": h.version,
            "length": msg.encoded_len(),
            "flags": format!("0x{:02x}", h.flags.0),
            "R": h.flags.is_request(),
            "P": h.flags.is_proxiable(),
            "E": h.flags.is_error(),
            "T": h.flags.is_retransmit(),
            "command_code": h.command_code,
            "application_id": h.application_id,
            "hop_by_hop": format!("0x{:08x}", h.hop_by_hop),
            "end_to_end": format!("0x{:08x}", h.end_to_end),
        },
        "avps": msg.avps.iter().map(|a| ctx.avp_json(a, 1)).collect::<Vec<_>>(),
    })
}

struct Ctx<'a> {
    dict: &'a Dictionary,
    app_id: u32,
}

impl Ctx<'_> {
    fn avp_json(&self, avp: &Avp, depth: usize) -> Json {
        let def = self.dict.avp(self.app_id, avp.code, avp.vendor_id);
        let mut obj = Map::new();
        obj.insert("name".into(), json!(def.map(|d| d.name.as_str())));
        obj.insert("code".into(), json!(avp.code));
        obj.insert("vendor_id".into(), json!(avp.vendor_id));
        obj.insert("flags".into(), json!(format!("0x{:02x}", avp.flags.0)));
        obj.insert("flags_vmp".into(), json!(avp.flags.vmp()));
        obj.insert("length".into(), json!(avp.length()));
        let data_type = def.map(|d| d.data_type);
        obj.insert("type".into(), json!(data_type.map(|t| t.name())));
        if data_type == Some(DataType::Grouped) && depth < Limits::default().max_depth {
            if let Ok(children) = avp.children().collect::<Result<Vec<_>, _>>() {
                let children: Vec<Json> = children
                    .iter()
                    .map(|c| self.avp_json(c, depth + 1))
                    .collect();
                obj.insert("avps".into(), Json::Array(children));
                return Json::Object(obj);
            }
        }
        let data = avp.data();
        if let Some(def) = def {
            if let Ok(value) = Value::decode(def.data_type, &data) {
                obj.insert("value".into(), value_json(&value, &data));
                if let Value::Enumerated(code) = value {
                    if let Some(name) = def.enum_name(code) {
                        obj.insert("enum".into(), json!(name));
                    }
                }
            }
        }
        obj.insert("payload_hex".into(), json!(hex::encode(&data)));
        Json::Object(obj)
    }
}

fn value_json(value: &Value, data: &[u8]) -> Json {
    match value {
        Value::OctetString(b) => {
            let ascii = b.iter().all(|c| (0x20..0x7f).contains(c));
            let mut o = Map::new();
            if ascii {
                o.insert("ascii".into(), json!(String::from_utf8_lossy(b)));
            }
            o.insert("hex".into(), json!(hex::encode(b)));
            Json::Object(o)
        }
        Value::Integer32(v) | Value::Enumerated(v) => json!(v),
        Value::Integer64(v) => json!(v),
        Value::Unsigned32(v) => json!(v),
        Value::Unsigned64(v) => json!(v),
        Value::Float32(v) => json!(v),
        Value::Float64(v) => json!(v),
        Value::Grouped(_) => json!({ "hex": hex::encode(data) }),
        Value::Address(a) => match a {
            Address::Ipv4(ip) => json!(ip.to_string()),
            Address::Ipv6(ip) => json!(ip.to_string()),
            Address::E164(s) => json!({ "family": 8, "value": s }),
            Address::Other { family, data } => {
                json!({ "family": family, "hex": hex::encode(data) })
            }
        },
        Value::Time(t) => json!({
            "ntp_seconds": t.ntp_seconds(),
            "unix": t.to_unix(),
            "utc": t.to_rfc3339().replace('Z', "+00:00"),
        }),
        Value::Utf8String(s) | Value::DiameterIdentity(s) => json!(s),
        Value::DiameterUri(u) => json!(u.to_string()),
        Value::IpFilterRule(r) => json!(r.as_str()),
        Value::QosFilterRule(r) => json!(r.as_str()),
        Value::Ipv4(ip) => json!(ip.to_string()),
        Value::Ipv6(ip) => json!(ip.to_string()),
    }
}

/// Build a message from its JSON form.
pub fn from_json(dict: &Dictionary, doc: &Json) -> Result<Message, JsonError> {
    let header = doc.get("header").ok_or_else(|| err("header", "missing"))?;
    let app_id = u32_field(header, "application_id", "header.application_id")?
        .or_else(|| {
            let name = doc.get("command")?.as_str()?;
            dict.command_by_name(name).map(|c| c.app_id)
        })
        .unwrap_or(0);
    let code = match u32_field(header, "command_code", "header.command_code")? {
        Some(code) => code,
        None => {
            let name = doc
                .get("command")
                .and_then(Json::as_str)
                .ok_or_else(|| err("header.command_code", "missing (and no `command` name)"))?;
            dict.command_by_name(name)
                .ok_or_else(|| err("command", format!("unknown command `{name}`")))?
                .code
        }
    };
    let flags = match u32_field(header, "flags", "header.flags")? {
        Some(f) if f <= 0xff => f as u8,
        Some(f) => return Err(err("header.flags", format!("{f} does not fit in 8 bits"))),
        None => {
            let bit = |k: &str, mask: u8| {
                if header.get(k).and_then(Json::as_bool).unwrap_or(false) {
                    mask
                } else {
                    0
                }
            };
            bit("R", CommandFlags::REQUEST)
                | bit("P", CommandFlags::PROXIABLE)
                | bit("E", CommandFlags::ERROR)
                | bit("T", CommandFlags::RETRANSMIT)
        }
    };
    let mut msg = Message::new(code, app_id, flags);
    if let Some(v) = u32_field(header, "version", "header.version")? {
        msg.header.version = v as u8;
    }
    msg.header.hop_by_hop = u32_field(header, "hop_by_hop", "header.hop_by_hop")?.unwrap_or(0);
    msg.header.end_to_end = u32_field(header, "end_to_end", "header.end_to_end")?.unwrap_or(0);
    let reader = Reader { dict, app_id };
    msg.avps = reader.avps(doc.get("avps"), "avps")?;
    Ok(msg)
}

/// A u32 given as a number or as text (decimal or `0x` hex).
fn u32_field(obj: &Json, key: &str, at: &str) -> Result<Option<u32>, JsonError> {
    match obj.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => n
            .as_u64()
            .and_then(|v| u32::try_from(v).ok())
            .map(Some)
            .ok_or_else(|| err(at, format!("{n} is not an unsigned 32-bit number"))),
        Some(Json::String(s)) => parse_u32(s)
            .map(Some)
            .ok_or_else(|| err(at, format!("`{s}` is not an unsigned 32-bit number"))),
        Some(other) => Err(err(at, format!("expected a number, found {other}"))),
    }
}

fn parse_u32(s: &str) -> Option<u32> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u32::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

struct Reader<'a> {
    dict: &'a Dictionary,
    app_id: u32,
}

impl Reader<'_> {
    fn avps(&self, list: Option<&Json>, at: &str) -> Result<Vec<Avp>, JsonError> {
        match list {
            None | Some(Json::Null) => Ok(Vec::new()),
            Some(Json::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| self.avp(item, &format!("{at}[{i}]")))
                .collect(),
            Some(_) => Err(err(at, "expected an array of AVPs")),
        }
    }

    fn avp(&self, item: &Json, at: &str) -> Result<Avp, JsonError> {
        let code = u32_field(item, "code", &format!("{at}.code"))?;
        let vendor_id = u32_field(item, "vendor_id", &format!("{at}.vendor_id"))?;
        let name = item.get("name").and_then(Json::as_str);
        let def = match (code, name) {
            (Some(code), _) => self.dict.avp(self.app_id, code, vendor_id.unwrap_or(0)),
            (None, Some(name)) => Some(
                self.dict
                    .avp_by_name(self.app_id, name)
                    .ok_or_else(|| err(at, format!("unknown AVP `{name}`")))?,
            ),
            (None, None) => return Err(err(at, "an AVP needs `code` or `name`")),
        };
        let code = code.or(def.map(|d| d.code)).unwrap_or(0);
        let vendor_id = vendor_id.or(def.map(|d| d.vendor_id)).unwrap_or(0);
        let flags = match u32_field(item, "flags", &format!("{at}.flags"))? {
            Some(f) if f <= 0xff => AvpFlags(f as u8),
            Some(f) => {
                return Err(err(
                    &format!("{at}.flags"),
                    format!("{f} does not fit in 8 bits"),
                ))
            }
            None => {
                let mandatory = def.is_some_and(|d| d.flags.must.m);
                RawAvp::new(code, vendor_id, mandatory, Bytes::new()).flags
            }
        };
        let mut avp = Avp {
            code,
            flags,
            vendor_id,
            payload: super::avp::Payload::Raw(Bytes::new()),
        };
        if let Some(children) = item.get("avps") {
            avp.payload =
                super::avp::Payload::Group(self.avps(Some(children), &format!("{at}.avps"))?);
        } else if let Some(value) = item.get("value").filter(|v| !v.is_null()) {
            let def = def.ok_or_else(|| {
                err(
                    at,
                    format!("AVP {code}/{vendor_id} is not in the dictionary: give `payload_hex`"),
                )
            })?;
            let value = typed_value(def, value).map_err(|m| err(&format!("{at}.value"), m))?;
            avp.payload = super::avp::Payload::Raw(encode_value(&value));
        } else if let Some(hex_text) = item.get("payload_hex").and_then(Json::as_str) {
            let data = hex::decode(hex_text).map_err(|m| err(&format!("{at}.payload_hex"), m))?;
            avp.payload = super::avp::Payload::Raw(Bytes::from(data));
        } else {
            return Err(err(at, "an AVP needs `value`, `avps` or `payload_hex`"));
        }
        Ok(avp)
    }
}

fn encode_value(value: &Value) -> Bytes {
    let mut out = bytes::BytesMut::with_capacity(value.encoded_len());
    value.encode(&mut out);
    out.freeze()
}

/// The typed value for `def` from its JSON form.
fn typed_value(def: &AvpDef, v: &Json) -> Result<Value, String> {
    let text = || {
        v.as_str()
            .ok_or_else(|| format!("expected a string for {}", def.data_type))
    };
    let int = || -> Result<i128, String> {
        match v {
            Json::Number(n) => n
                .as_i64()
                .map(i128::from)
                .or_else(|| n.as_u64().map(i128::from))
                .ok_or_else(|| format!("{n} is not an integer")),
            Json::String(s) => s.parse().map_err(|_| format!("`{s}` is not an integer")),
            _ => Err(format!("expected an integer for {}", def.data_type)),
        }
    };
    let ranged = |lo: i128, hi: i128| -> Result<i128, String> {
        let n = int()?;
        if (lo..=hi).contains(&n) {
            Ok(n)
        } else {
            Err(format!("{n} is out of range for {}", def.data_type))
        }
    };
    let float = || {
        v.as_f64()
            .ok_or_else(|| format!("expected a number for {}", def.data_type))
    };
    Ok(match def.data_type {
        DataType::OctetString => Value::OctetString(octets(v)?),
        DataType::Integer32 => Value::Integer32(ranged(i32::MIN.into(), i32::MAX.into())? as i32),
        DataType::Integer64 => Value::Integer64(ranged(i64::MIN.into(), i64::MAX.into())? as i64),
        DataType::Unsigned32 => Value::Unsigned32(ranged(0, u32::MAX.into())? as u32),
        DataType::Unsigned64 => Value::Unsigned64(ranged(0, u64::MAX.into())? as u64),
        DataType::Float32 => Value::Float32(float()? as f32),
        DataType::Float64 => Value::Float64(float()?),
        DataType::Enumerated => match v.as_str().and_then(|name| def.enum_code(name)) {
            Some(code) => Value::Enumerated(code),
            None => Value::Enumerated(ranged(i32::MIN.into(), i32::MAX.into())? as i32),
        },
        DataType::Grouped => return Err("a Grouped AVP takes `avps`, not `value`".into()),
        DataType::Address => Value::Address(address(v)?),
        DataType::Time => Value::Time(time(v)?),
        DataType::UTF8String => Value::Utf8String(utf8(v)?),
        DataType::DiameterIdentity => Value::DiameterIdentity(utf8(v)?),
        DataType::DiameterURI => {
            Value::DiameterUri(text()?.parse::<DiameterUri>().map_err(|e| e.to_string())?)
        }
        DataType::IPFilterRule => {
            Value::IpFilterRule(text()?.parse::<IpFilterRule>().map_err(|e| e.to_string())?)
        }
        DataType::QoSFilterRule => Value::QosFilterRule(
            text()?
                .parse::<QosFilterRule>()
                .map_err(|e| e.to_string())?,
        ),
        DataType::IPv4 => Value::Ipv4(text()?.parse().map_err(|_| "not an IPv4 address")?),
        DataType::IPv6 => Value::Ipv6(text()?.parse().map_err(|_| "not an IPv6 address")?),
    })
}

fn octets(v: &Json) -> Result<Bytes, String> {
    match v {
        Json::String(s) => Ok(Bytes::from(s.clone().into_bytes())),
        Json::Object(o) => match (o.get("hex"), o.get("ascii")) {
            (Some(Json::String(h)), _) => hex::decode(h).map(Bytes::from),
            (_, Some(Json::String(s))) => Ok(Bytes::from(s.clone().into_bytes())),
            _ => Err("expected {\"hex\": ...} or {\"ascii\": ...}".into()),
        },
        _ => Err("expected a string or {\"hex\": ...}".into()),
    }
}

/// Text given as a string or in the octets form (`{"ascii": ...}` / `{"hex": ...}`).
fn utf8(v: &Json) -> Result<String, String> {
    String::from_utf8(octets(v)?.to_vec()).map_err(|_| "not valid UTF-8".to_string())
}

fn address(v: &Json) -> Result<Address, String> {
    match v {
        Json::String(s) => s.parse::<Address>().map_err(|e| e.to_string()),
        Json::Object(o) => {
            let family = o
                .get("family")
                .and_then(Json::as_u64)
                .and_then(|f| u16::try_from(f).ok())
                .ok_or("expected `family` (0-65535)")?;
            match (
                family,
                o.get("value").and_then(Json::as_str),
                o.get("hex").and_then(Json::as_str),
            ) {
                (8, Some(s), _) => Ok(Address::E164(s.to_string())),
                (_, Some(s), _) => s.parse::<Address>().map_err(|e| e.to_string()),
                (_, None, Some(h)) => Ok(Address::Other {
                    family,
                    data: Bytes::from(hex::decode(h)?),
                }),
                _ => Err("expected `value` or `hex`".into()),
            }
        }
        _ => Err("expected an address string or {\"family\", \"value\"}".into()),
    }
}

fn time(v: &Json) -> Result<Time, String> {
    match v {
        Json::String(s) => s.parse::<Time>().map_err(|e| e.to_string()),
        Json::Number(n) => {
            let unix = n.as_i64().ok_or("expected whole seconds")?;
            Time::from_unix(unix).map_err(|e| e.to_string())
        }
        Json::Object(o) => {
            if let Some(ntp) = o.get("ntp_seconds").and_then(Json::as_u64) {
                let ntp = u32::try_from(ntp).map_err(|_| "ntp_seconds out of range")?;
                Ok(Time::from_ntp(ntp))
            } else if let Some(unix) = o.get("unix").and_then(Json::as_i64) {
                Time::from_unix(unix).map_err(|e| e.to_string())
            } else if let Some(utc) = o.get("utc").and_then(Json::as_str) {
                utc.parse::<Time>().map_err(|e| e.to_string())
            } else {
                Err("expected `ntp_seconds`, `unix` or `utc`".into())
            }
        }
        _ => Err("expected an RFC 3339 time, Unix seconds or {\"ntp_seconds\": ...}".into()),
    }
}
