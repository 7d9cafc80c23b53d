//! Turning `*rep` / `*diamreq` into AVPs (§7 of the spec).
//!
//! Leaves are written in insertion order. A leaf goes into the **last** instance of its
//! deepest existing ancestor group; without one a new top-level chain is appended; a
//! top-level non-grouped AVP that exists is overwritten; `new_branch` always starts a new
//! top-level chain. Every generated AVP has the M bit, and the V bit when vendor-specific.

use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, RwLock};

use bytes::Bytes;
use diameter_dict::{AvpDef, DataType, Dictionary};
use diameter_runtime::message::{Avp, Payload};
use diameter_runtime::wire::{Address, AvpFlags, Time, Value};

use crate::time::{parse_time, Zone};
use crate::tree::Tree;

fn flags(def: &Step) -> AvpFlags {
    let mut f = AvpFlags::MANDATORY;
    if def.vendor_id != 0 {
        f |= AvpFlags::VENDOR;
    }
    AvpFlags(f)
}

/// One AVP of a reply path, resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Step {
    code: u32,
    vendor_id: u32,
    data_type: DataType,
}

impl From<&AvpDef> for Step {
    fn from(def: &AvpDef) -> Step {
        Step {
            code: def.code,
            vendor_id: def.vendor_id,
            data_type: def.data_type,
        }
    }
}

/// A reply key resolved: its AVPs from the top, or why it does not resolve.
type Resolved = Result<Arc<[Step]>, String>;

/// Keys resolved at most (the cache is cleared when full: keys may be built per request).
const REPLY_PATHS_MAX: usize = 4096;

/// Reply keys (`A.B.C`) resolved against the dictionary per application, kept as they are
/// first met: a request's answer resolves no name.
#[derive(Debug, Default)]
pub struct ReplyPaths {
    resolved: RwLock<HashMap<(u32, Arc<str>), Resolved>>,
}

impl ReplyPaths {
    /// An empty cache.
    pub fn new() -> ReplyPaths {
        ReplyPaths::default()
    }

    fn get(&self, dict: &Dictionary, app_id: u32, key: &Arc<str>) -> Result<Arc<[Step]>, String> {
        let cache_key = (app_id, key.clone());
        if let Some(found) = self
            .resolved
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&cache_key)
        {
            return found.clone();
        }
        let resolved = defs(dict, app_id, key).map(|d| d.into_iter().map(Step::from).collect());
        let mut cache = self.resolved.write().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= REPLY_PATHS_MAX {
            cache.clear();
        }
        cache.insert(cache_key, resolved.clone());
        resolved
    }
}

/// The Diameter value of `text` for an AVP of type `data_type` (§7.2): enumerations and
/// integers as base-10 numbers (names are not accepted), unsigned types refuse negative or
/// decimal text, times through the permissive time parser.
pub fn text_to_value(data_type: DataType, text: &str, zone: Zone) -> Result<Value, String> {
    let bad = |what: &str| format!("cannot convert <{text}> to {what}");
    let t = text.trim();
    Ok(match data_type {
        DataType::OctetString => Value::OctetString(Bytes::copy_from_slice(text.as_bytes())),
        DataType::UTF8String => Value::Utf8String(text.to_string()),
        DataType::DiameterIdentity => Value::DiameterIdentity(text.to_string()),
        DataType::DiameterURI => Value::DiameterUri(
            text.parse()
                .map_err(|e| format!("{}: {e}", bad("DiameterURI")))?,
        ),
        DataType::IPFilterRule => Value::IpFilterRule(
            text.parse()
                .map_err(|e| format!("{}: {e}", bad("IPFilterRule")))?,
        ),
        DataType::QoSFilterRule => Value::QosFilterRule(
            text.parse()
                .map_err(|e| format!("{}: {e}", bad("QoSFilterRule")))?,
        ),
        DataType::Integer32 => Value::Integer32(t.parse().map_err(|_| bad("Integer32"))?),
        DataType::Enumerated => {
            Value::Enumerated(t.parse().map_err(|_| bad("Enumerated (a number)"))?)
        }
        DataType::Integer64 => Value::Integer64(t.parse().map_err(|_| bad("Integer64"))?),
        DataType::Unsigned32 => Value::Unsigned32(t.parse().map_err(|_| bad("Unsigned32"))?),
        DataType::Unsigned64 => Value::Unsigned64(t.parse().map_err(|_| bad("Unsigned64"))?),
        DataType::Float32 => Value::Float32(t.parse().map_err(|_| bad("Float32"))?),
        DataType::Float64 => Value::Float64(t.parse().map_err(|_| bad("Float64"))?),
        DataType::Time => {
            let ts = parse_time(t, zone).map_err(|e| format!("{}: {e}", bad("Time")))?;
            Value::Time(Time::from_unix(ts.unix()).map_err(|e| format!("{}: {e}", bad("Time")))?)
        }
        DataType::Address => Value::Address(
            t.parse::<std::net::IpAddr>()
                .map(Address::from)
                .map_err(|_| bad("Address (an IP address)"))?,
        ),
        DataType::IPv4 => Value::Ipv4(t.parse::<Ipv4Addr>().map_err(|_| bad("IPv4"))?),
        DataType::IPv6 => Value::Ipv6(t.parse::<Ipv6Addr>().map_err(|_| bad("IPv6"))?),
        DataType::Grouped => return Err("last AVP in path cannot be GroupedAVP".to_string()),
    })
}

/// The definitions along `key` (`A.B.C`) for application `app_id`.
fn defs<'d>(dict: &'d Dictionary, app_id: u32, key: &str) -> Result<Vec<&'d AvpDef>, String> {
    let defs: Vec<&AvpDef> = key
        .split('.')
        .map(|name| {
            dict.avp_by_name(app_id, name)
                .ok_or_else(|| format!("Could not find AVP {name:?} in application {app_id}"))
        })
        .collect::<Result<_, _>>()?;
    for d in &defs[..defs.len() - 1] {
        if d.data_type != DataType::Grouped {
            return Err(format!("AVP {:?} in <{key}> is not Grouped", d.name));
        }
    }
    if defs[defs.len() - 1].data_type == DataType::Grouped {
        return Err(format!("last AVP in path <{key}> cannot be GroupedAVP"));
    }
    Ok(defs)
}

/// The chain `defs` ending with `leaf`, as nested AVPs.
fn chain(defs: &[Step], leaf: Avp) -> Avp {
    defs.iter().rev().fold(leaf, |inner, def| Avp {
        code: def.code,
        flags: flags(def),
        vendor_id: def.vendor_id,
        payload: Payload::Group(vec![inner]),
    })
}

/// The children of a group, made editable.
fn children_mut(avp: &mut Avp) -> &mut Vec<Avp> {
    if let Payload::Raw(_) = avp.payload {
        let kids: Vec<Avp> = avp.children().map_while(Result::ok).collect();
        avp.payload = Payload::Group(kids);
    }
    match &mut avp.payload {
        Payload::Group(kids) => kids,
        Payload::Raw(_) => unreachable!("converted above"),
    }
}

/// The last instance (in depth-first order) of the group path `codes` under `avps`.
fn last_instance<'a>(avps: &'a mut [Avp], codes: &[u32]) -> Option<&'a mut Avp> {
    let (code, rest) = (codes[0], &codes[1..]);
    for avp in avps.iter_mut().rev() {
        if avp.code != code {
            continue;
        }
        if rest.is_empty() {
            return Some(avp);
        }
        if let Some(found) = last_instance(children_mut(avp), rest) {
            return Some(found);
        }
    }
    None
}

/// Place one leaf with the §7 rules.
fn place(avps: &mut Vec<Avp>, defs: &[Step], leaf: Avp, new_branch: bool) {
    let codes: Vec<u32> = defs.iter().map(|d| d.code).collect();
    let last = defs.len() - 1;
    if !new_branch {
        for depth in (1..=last).rev() {
            if let Some(parent) = last_instance(avps, &codes[..depth]) {
                children_mut(parent).push(chain(&defs[depth..last], leaf));
                return;
            }
        }
        if last == 0 {
            if let Some(existing) = avps.iter_mut().rev().find(|a| a.code == leaf.code) {
                *existing = leaf;
                return;
            }
        }
    }
    avps.push(chain(&defs[..last], leaf));
}

/// Build the AVPs of `tree` for application `app_id`.
pub fn build_avps(
    dict: &Dictionary,
    app_id: u32,
    tree: &Tree,
    zone: Zone,
) -> Result<Vec<Avp>, String> {
    let mut avps = Vec::new();
    append_avps(dict, &ReplyPaths::new(), app_id, tree, zone, &mut avps)?;
    Ok(avps)
}

/// Add the AVPs of `tree` to `avps` (already holding e.g. an automatic Result-Code), with
/// the keys resolved through `paths`.
pub fn append_avps(
    dict: &Dictionary,
    paths: &ReplyPaths,
    app_id: u32,
    tree: &Tree,
    zone: Zone,
    avps: &mut Vec<Avp>,
) -> Result<(), String> {
    for entry in tree.entries() {
        let defs = paths.get(dict, app_id, &entry.key)?;
        let def = defs[defs.len() - 1];
        let value = text_to_value(def.data_type, &entry.value.text(), zone)
            .map_err(|e| format!("field <{}>: {e}", entry.key))?;
        let leaf = Avp::new(def.code, def.vendor_id, true, &value);
        place(avps, &defs, leaf, entry.new_branch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datum::Datum;

    fn dict() -> Dictionary {
        Dictionary::shipped().unwrap()
    }

    fn names(dict: &Dictionary, avps: &[Avp], depth: usize, out: &mut Vec<String>) {
        for a in avps {
            let name = dict
                .avp(4, a.code, a.vendor_id)
                .map_or("?".to_string(), |d| d.name.clone());
            out.push(format!("{}{name}", "  ".repeat(depth)));
            if let Payload::Group(kids) = &a.payload {
                names(dict, kids, depth + 1, out);
            }
        }
    }

    fn layout(entries: &[(&str, &str, bool)]) -> Vec<String> {
        let dict = dict();
        let mut tree = Tree::new();
        for (k, v, nb) in entries {
            tree.append((*k).into(), Datum::from(*v), *nb);
        }
        let avps = build_avps(&dict, 4, &tree, Zone::UTC).unwrap();
        let mut out = Vec::new();
        names(&dict, &avps, 0, &mut out);
        out
    }

    #[test]
    fn leaves_join_the_last_existing_group() {
        let out = layout(&[
            ("Multiple-Services-Credit-Control.Rating-Group", "1", false),
            (
                "Multiple-Services-Credit-Control.Granted-Service-Unit.CC-Time",
                "300",
                false,
            ),
            ("Multiple-Services-Credit-Control.Rating-Group", "2", true),
            (
                "Multiple-Services-Credit-Control.Granted-Service-Unit.CC-Total-Octets",
                "1000",
                false,
            ),
        ]);
        assert_eq!(
            out,
            [
                "Multiple-Services-Credit-Control",
                "  Rating-Group",
                "  Granted-Service-Unit",
                "    CC-Time",
                // Lands in the first MSCC: its Granted-Service-Unit is the deepest existing ancestor.
                "    CC-Total-Octets",
                "Multiple-Services-Credit-Control",
                "  Rating-Group",
            ]
        );
    }

    #[test]
    fn leaves_inside_groups_are_appended_not_overwritten() {
        let out = layout(&[
            ("Multiple-Services-Credit-Control.Rating-Group", "1", false),
            ("Multiple-Services-Credit-Control.Rating-Group", "2", false),
        ]);
        assert_eq!(
            out,
            [
                "Multiple-Services-Credit-Control",
                "  Rating-Group",
                "  Rating-Group"
            ]
        );
    }

    #[test]
    fn top_level_leaves_are_overwritten() {
        let dict = dict();
        let mut tree = Tree::new();
        tree.append("Result-Code".into(), Datum::from("2001"), false);
        tree.append("Session-Id".into(), Datum::from("s"), false);
        tree.append("Result-Code".into(), Datum::from("4012"), false);
        let avps = build_avps(&dict, 4, &tree, Zone::UTC).unwrap();
        assert_eq!(avps.len(), 2);
        assert_eq!(
            avps[0].value(DataType::Unsigned32).unwrap(),
            Value::Unsigned32(4012)
        );
        assert_eq!(avps[0].flags.0, AvpFlags::MANDATORY);
    }

    #[test]
    fn value_conversions() {
        let z = Zone::UTC;
        assert_eq!(
            text_to_value(DataType::Enumerated, "1", z),
            Ok(Value::Enumerated(1))
        );
        assert!(text_to_value(DataType::Enumerated, "UPDATE_REQUEST", z).is_err());
        assert!(text_to_value(DataType::Unsigned32, "-10", z).is_err());
        assert!(text_to_value(DataType::Unsigned32, "300.5", z).is_err());
        assert_eq!(
            text_to_value(DataType::Time, "1704164645", z).unwrap(),
            Value::Time(Time::from_unix(1_704_164_645).unwrap())
        );
        assert_eq!(
            text_to_value(DataType::Time, "2024-01-02T03:04:05Z", z).unwrap(),
            Value::Time(Time::from_unix(1_704_164_645).unwrap())
        );
        assert!(text_to_value(DataType::Address, "10.0.0.1", z).is_ok());
        assert!(text_to_value(DataType::Address, "nope", z).is_err());
    }

    #[test]
    fn unknown_and_grouped_leaves_fail() {
        let dict = dict();
        let mut tree = Tree::new();
        tree.append("No-Such-Avp".into(), Datum::from("1"), false);
        assert!(build_avps(&dict, 4, &tree, Zone::UTC)
            .unwrap_err()
            .contains("Could not find AVP"));
        let mut tree = Tree::new();
        tree.append(
            "Multiple-Services-Credit-Control".into(),
            Datum::from("1"),
            false,
        );
        assert!(build_avps(&dict, 4, &tree, Zone::UTC)
            .unwrap_err()
            .contains("GroupedAVP"));
    }

    #[test]
    fn vendor_avps_get_the_v_bit() {
        let dict = dict();
        let mut tree = Tree::new();
        tree.append(
            "Service-Information.SMS-Information.Recipient-Info.Recipient-Address.Address-Data"
                .into(),
            Datum::from("123"),
            false,
        );
        let avps = build_avps(&dict, 4, &tree, Zone::UTC).unwrap();
        assert_eq!(avps[0].vendor_id, 10415);
        assert_eq!(avps[0].flags.0, AvpFlags::MANDATORY | AvpFlags::VENDOR);
    }
}
