//! The seed vectors made by python-diameter: decode to the recorded AVP trees, re-encode to
//! the same bytes, dump to the same lines, and build from their JSON to the same bytes.

use bytes::Bytes;
use diameter::dict::Dictionary;
use diameter::message::{dump, from_json, to_json, Message};
use serde_json::Value as Json;

struct Vector {
    bytes: Bytes,
    json: Json,
}

fn vector(name: &str) -> Vector {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");
    let hex = std::fs::read_to_string(format!("{dir}{name}.hex")).unwrap();
    let json = std::fs::read_to_string(format!("{dir}{name}.json")).unwrap();
    Vector {
        bytes: Bytes::from(diameter::hex::decode(&hex).unwrap()),
        json: serde_json::from_str(&json).unwrap(),
    }
}

fn dict() -> Dictionary {
    Dictionary::shipped().expect("shipped dictionaries load")
}

const VECTORS: [&str; 2] = ["seed_ccr", "seed_cca"];

#[test]
fn vectors_reencode_to_identical_bytes() {
    for name in VECTORS {
        let v = vector(name);
        let msg = Message::decode(v.bytes.clone()).unwrap();
        assert_eq!(msg.encode(), v.bytes, "{name}");
        assert_eq!(
            msg.header.length as usize,
            v.json["length"].as_u64().unwrap() as usize
        );
    }
}

#[test]
fn vectors_dump_like_python_diameter() {
    let dict = dict();
    for name in VECTORS {
        let v = vector(name);
        let msg = Message::decode(v.bytes.clone()).unwrap();
        let ours: Vec<String> = dump(&dict, &msg).lines().map(str::to_string).collect();
        let theirs: Vec<String> = v.json["python_diameter_dump"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap().to_string())
            .collect();
        assert_eq!(ours, theirs, "{name}");
    }
}

/// Compare our JSON AVP against the vector's: names, codes, vendors, flags, lengths, values.
fn assert_same_avp(ours: &Json, theirs: &Json, at: &str) {
    for key in ["name", "code", "vendor_id", "flags", "length"] {
        assert_eq!(ours[key], theirs[key], "{at}.{key}");
    }
    if let Some(children) = theirs.get("avps") {
        let ours_children = ours["avps"]
            .as_array()
            .unwrap_or_else(|| panic!("{at}: not grouped"));
        let theirs_children = children.as_array().unwrap();
        assert_eq!(
            ours_children.len(),
            theirs_children.len(),
            "{at}: child count"
        );
        for (i, (o, t)) in ours_children.iter().zip(theirs_children).enumerate() {
            assert_same_avp(o, t, &format!("{at}.{i}"));
        }
        return;
    }
    assert_eq!(
        ours["payload_hex"], theirs["payload_hex"],
        "{at}.payload_hex"
    );
    let (o, t) = (&ours["value"], &theirs["value"]);
    match t {
        // python-diameter types DiameterIdentity as OctetString: {"ascii", "hex"}.
        Json::Object(obj) if obj.contains_key("ascii") => {
            assert_eq!(
                o.as_str().or(o["ascii"].as_str()),
                obj["ascii"].as_str(),
                "{at}.value"
            )
        }
        Json::Object(obj) if obj.contains_key("ntp_seconds") => {
            for key in ["ntp_seconds", "unix", "utc"] {
                assert_eq!(o[key], obj[key], "{at}.value.{key}");
            }
        }
        _ => assert_eq!(o, t, "{at}.value"),
    }
}

#[test]
fn vectors_decode_to_recorded_avp_trees() {
    let dict = dict();
    for name in VECTORS {
        let v = vector(name);
        let msg = Message::decode(v.bytes.clone()).unwrap();
        let ours = to_json(&dict, &msg);
        let header = &v.json["header"];
        for key in [
            "version",
            "length",
            "flags",
            "R",
            "P",
            "E",
            "T",
            "command_code",
            "application_id",
            "hop_by_hop",
            "end_to_end",
        ] {
            assert_eq!(ours["header"][key], header[key], "{name} header.{key}");
        }
        let (o, t) = (
            ours["avps"].as_array().unwrap(),
            v.json["avps"].as_array().unwrap(),
        );
        assert_eq!(o.len(), t.len(), "{name}: AVP count");
        for (i, (a, b)) in o.iter().zip(t).enumerate() {
            assert_same_avp(a, b, &format!("{name}.avps.{i}"));
        }
    }
}

#[test]
fn json_form_builds_identical_bytes() {
    let dict = dict();
    for name in VECTORS {
        let v = vector(name);
        let msg = Message::decode(v.bytes.clone()).unwrap();
        let again = from_json(&dict, &to_json(&dict, &msg)).unwrap();
        assert_eq!(again.encode(), v.bytes, "{name}: our JSON");
        let from_python = from_json(&dict, &v.json).unwrap();
        assert_eq!(
            from_python.encode(),
            v.bytes,
            "{name}: python-diameter's JSON"
        );
    }
}
