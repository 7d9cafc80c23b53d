//! python-diameter 0.9.0 decodes what we encode, and its dump of our bytes is our dump
//! line for line.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use diameter::dict::Dictionary;
use diameter::message::{dump, from_json, Message};

const PY_DUMP: &str = r#"
import sys
from diameter.message import Message, dump
for line in sys.stdin:
    line = line.strip()
    if line:
        print(dump(Message.from_bytes(bytes.fromhex(line))))
        print("----")
"#;

/// Messages built from JSON through our dictionary, covering the base and CC types.
fn our_messages(dict: &Dictionary) -> Vec<Message> {
    let docs = [
        r#"{"command": "Capabilities-Exchange", "header": {"R": true, "hop_by_hop": 1, "end_to_end": 2},
            "avps": [{"name": "Origin-Host", "value": "client.example.net"},
                     {"name": "Origin-Realm", "value": "example.net"},
                     {"name": "Host-IP-Address", "value": "192.0.2.10"},
                     {"name": "Host-IP-Address", "value": "2001:db8::10"},
                     {"name": "Vendor-Id", "value": 10415},
                     {"name": "Product-Name", "value": "diameter-rs"},
                     {"name": "Origin-State-Id", "value": 1700000000},
                     {"name": "Supported-Vendor-Id", "value": 10415},
                     {"name": "Auth-Application-Id", "value": 4},
                     {"name": "Vendor-Specific-Application-Id", "avps": [
                        {"name": "Vendor-Id", "value": 10415},
                        {"name": "Auth-Application-Id", "value": 16777238}]},
                     {"name": "Firmware-Revision", "value": 1}]}"#,
        // A command neither side knows: python-diameter then keeps the AVPs in wire order
        // (for known commands it re-serialises its own typed object, reordering AVPs).
        r#"{"header": {"command_code": 9999, "application_id": 4, "P": true, "hop_by_hop": "0xdeadbeef", "end_to_end": 5},
            "avps": [{"name": "Session-Id", "value": "ocs;1;2"},
                     {"name": "Result-Code", "value": 4012},
                     {"name": "Origin-Host", "value": "ocs.example.net"},
                     {"name": "Origin-Realm", "value": "example.net"},
                     {"name": "Auth-Application-Id", "value": 4},
                     {"name": "CC-Request-Type", "value": "UPDATE_REQUEST"},
                     {"name": "CC-Request-Number", "value": 3},
                     {"name": "Multiple-Services-Credit-Control", "avps": [
                        {"name": "Granted-Service-Unit", "avps": [
                            {"name": "CC-Time", "value": 300},
                            {"name": "CC-Total-Octets", "value": 18446744073709551615},
                            {"name": "CC-Money", "avps": [
                                {"name": "Unit-Value", "avps": [
                                    {"name": "Value-Digits", "value": -12345},
                                    {"name": "Exponent", "value": -2}]},
                                {"name": "Currency-Code", "value": 978}]}]},
                        {"name": "Rating-Group", "value": 10},
                        {"name": "Validity-Time", "value": 3600}]},
                     {"name": "Event-Timestamp", "value": "2030-06-01T12:00:00Z"},
                     {"name": "Route-Record", "value": "relay.example.net"},
                     {"name": "Redirect-Host", "value": "aaa://ocs2.example.net:3868;transport=tcp"},
                     {"name": "Service-Context-Id", "value": "32251@3gpp.org"},
                     {"name": "Service-Information", "vendor_id": 10415, "avps": [
                        {"name": "SMS-Information", "avps": [
                            {"name": "Data-Coding-Scheme", "value": 8},
                            {"name": "Originator-SCCP-Address", "value": "10.0.0.1"}]}]},
                     {"code": 99999, "vendor_id": 0, "flags": 0, "payload_hex": "00ff27"},
                     {"name": "Failed-AVP", "avps": [{"name": "User-Name", "value": "it's"}]}]}"#,
    ];
    docs.iter()
        .map(|d| from_json(dict, &serde_json::from_str(d).unwrap()).unwrap())
        .collect()
}

#[test]
fn python_diameter_dumps_our_bytes_like_we_do() {
    if !common::have_tool(
        "python3",
        "--version",
        "python_diameter_dumps_our_bytes_like_we_do",
    ) {
        return;
    }
    let probe = Command::new("python3")
        .args(["-c", "import diameter.message"])
        .output();
    if !probe.map(|o| o.status.success()).unwrap_or(false) {
        if std::env::var_os("DIAMETER_REQUIRE_INTEROP").is_some() {
            panic!(
                "python-diameter is required (DIAMETER_REQUIRE_INTEROP is set) but not importable"
            );
        }
        eprintln!("skipped python_diameter_dumps_our_bytes_like_we_do: python-diameter not installed (pip install python-diameter==0.9.0)");
        return;
    }
    let dict = Dictionary::shipped().unwrap();
    let messages = our_messages(&dict);
    let input: String = messages
        .iter()
        .map(|m| diameter::hex::encode(&m.encode()) + "\n")
        .collect();
    let mut child = Command::new("python3")
        .args(["-c", PY_DUMP])
        .env("TZ", "UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs = String::from_utf8(out.stdout).unwrap();
    let theirs: Vec<&str> = theirs
        .split("----\n")
        .filter(|s| !s.trim().is_empty())
        .collect();
    assert_eq!(theirs.len(), messages.len());
    for (msg, theirs) in messages.iter().zip(theirs) {
        let ours = dump(&dict, msg);
        assert_eq!(ours.trim_end(), theirs.trim_end());
    }
}
