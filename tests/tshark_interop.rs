//! Wireshark's Diameter dissector (tshark) decodes what we encode: every data type, no
//! malformed packet, no expert error, and the values it reads are the values we wrote.

mod common;

use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::process::Command;

use bytes::Bytes;
use diameter::message::{Avp, Message};
use diameter::wire::filter_rule::{IpFilterRule, QosFilterRule};
use diameter::wire::{Address, CommandFlags, DiameterUri, Time, Value};

const TGPP: u32 = 10415;
const ERICSSON: u32 = 193;

/// A Credit-Control-Request with one AVP of every data type, using AVPs whose type
/// Wireshark's dictionary agrees on.
fn every_type_message() -> Message {
    let mut msg = Message::new(272, 4, CommandFlags::REQUEST | CommandFlags::PROXIABLE);
    msg.header.hop_by_hop = 0x1234_5678;
    msg.header.end_to_end = 0x9abc_def0;
    let v = |code, vendor, value: Value| Avp::new(code, vendor, true, &value);
    let time = Time::from_unix(1_704_164_645).unwrap();
    msg.avps = vec![
        v(263, 0, Value::Utf8String("client.example.net;1;2;3".into())), // Session-Id
        v(264, 0, Value::DiameterIdentity("client.example.net".into())), // Origin-Host
        v(296, 0, Value::DiameterIdentity("example.net".into())),        // Origin-Realm
        v(283, 0, Value::DiameterIdentity("example.com".into())),        // Destination-Realm
        v(258, 0, Value::Unsigned32(4)),                                 // Auth-Application-Id
        v(416, 0, Value::Enumerated(4)),                                 // CC-Request-Type
        v(415, 0, Value::Unsigned32(7)),                                 // CC-Request-Number
        v(1, 0, Value::Utf8String("zoë@example.net".into())),            // User-Name
        v(55, 0, Value::Time(time)),                                     // Event-Timestamp
        v(
            25,
            0,
            Value::OctetString(Bytes::from_static(b"\x00\x01class\xff")),
        ), // Class
        v(429, 0, Value::Integer32(-3)),                                 // Exponent
        v(447, 0, Value::Integer64(-1_234_567_890_123)),                 // Value-Digits
        v(287, 0, Value::Unsigned64(0x0102_0304_0506_0708)), // Accounting-Sub-Session-Id
        v(496, 0, Value::Float32(1500.5)),                   // Token-Rate
        v(
            257,
            0,
            Value::Address(Address::Ipv4(Ipv4Addr::new(192, 0, 2, 1))),
        ), // Host-IP-Address
        v(
            257,
            0,
            Value::Address(Address::Ipv6(Ipv6Addr::new(
                0x2001, 0xdb8, 0, 0, 0, 0, 0, 1,
            ))),
        ),
        v(
            292,
            0,
            Value::DiameterUri(
                "aaa://ocs.example.com:3868;transport=tcp;protocol=diameter"
                    .parse::<DiameterUri>()
                    .unwrap(),
            ),
        ), // Redirect-Host
        v(
            400,
            0,
            Value::IpFilterRule(
                "permit in ip from 10.0.0.0/8 to any"
                    .parse::<IpFilterRule>()
                    .unwrap(),
            ),
        ), // NAS-Filter-Rule
        v(
            407,
            0,
            Value::QosFilterRule(
                "meter out 17 from any to 10.1.2.3 5060"
                    .parse::<QosFilterRule>()
                    .unwrap(),
            ),
        ), // QoS-Filter-Rule
        Avp {
            payload: diameter::message::Payload::Group(vec![
                v(450, 0, Value::Enumerated(0)),
                v(444, 0, Value::Utf8String("41780000001".into())),
            ]),
            ..v(443, 0, Value::OctetString(Bytes::new()))
        }, // Subscription-Id
        v(2852, TGPP, Value::Float32(0.25)), // Max-PLR-DL (3GPP, Float32)
        v(603, ERICSSON, Value::Float64(-12.375)), // Cost (Ericsson, Float64)
        v(257, 0, Value::Address(Address::E164("41780000009".into()))), // Host-IP-Address, E.164
    ];
    msg
}

fn seed_ccr() -> Bytes {
    let hex = include_str!("data/seed_ccr.hex");
    Bytes::from(diameter::hex::decode(hex).unwrap())
}

/// text2pcap input: one hexdump block per message.
fn hexdump(messages: &[Bytes]) -> String {
    let mut out = String::new();
    for msg in messages {
        for (i, chunk) in msg.chunks(16).enumerate() {
            let _ = write!(out, "{:06x}", i * 16);
            for b in chunk {
                let _ = write!(out, " {b:02x}");
            }
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

fn tshark(pcap: &std::path::Path, extra: &[&str]) -> String {
    let out = Command::new("tshark")
        .arg("-n")
        .arg("-r")
        .arg(pcap)
        .args(["-d", "tcp.port==3868,diameter"])
        .args(extra)
        .output()
        .expect("run tshark");
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn tshark_decodes_every_data_type() {
    if !common::have_tool("tshark", "--version", "tshark_decodes_every_data_type")
        || !common::have_tool("text2pcap", "--version", "tshark_decodes_every_data_type")
    {
        return;
    }
    let dir = std::env::temp_dir().join(format!("diameter-tshark-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (txt, pcap) = (dir.join("msgs.txt"), dir.join("msgs.pcap"));
    let messages = [every_type_message().encode(), seed_ccr()];
    std::fs::write(&txt, hexdump(&messages)).unwrap();
    let status = Command::new("text2pcap")
        .args(["-q", "-T", "40000,3868"])
        .arg(&txt)
        .arg(&pcap)
        .status()
        .expect("run text2pcap");
    assert!(status.success());

    // Full decode: nothing malformed, no expert error or warning from the Diameter dissector.
    let verbose = tshark(&pcap, &["-V", "-Y", "diameter"]);
    assert!(
        verbose.contains("Diameter Protocol"),
        "tshark saw no Diameter:\n{verbose}"
    );
    for bad in ["Malformed", "[Expert Info (Error", "[Expert Info (Warning"] {
        assert!(!verbose.contains(bad), "tshark reports `{bad}`:\n{verbose}");
    }

    // Values as tshark reads them, first message.
    let fields = [
        "diameter.cmd.code",
        "diameter.applicationId",
        "diameter.hopbyhopid",
        "diameter.Session-Id",
        "diameter.Origin-Host",
        "diameter.CC-Request-Type",
        "diameter.User-Name",
        "diameter.Class",
        "diameter.Exponent",
        "diameter.Value-Digits",
        "diameter.Accounting-Sub-Session-Id",
        "diameter.Token-Rate",
        "diameter.Host-IP-Address.IPv4",
        "diameter.Host-IP-Address.IPv6",
        "diameter.Host-IP-Address.E164",
        "diameter.Redirect-Host",
        "diameter.NAS-Filter-Rule",
        "diameter.QoS-Filter-Rule",
        "diameter.Subscription-Id-Data",
        "diameter.Max-PLR-DL",
        "diameter.Cost",
    ];
    let mut args = vec![
        "-Y",
        "diameter.hopbyhopid == 0x12345678",
        "-T",
        "fields",
        "-E",
        "separator=|",
    ];
    for f in &fields {
        args.push("-e");
        args.push(f);
    }
    let line = tshark(&pcap, &args);
    let got: Vec<&str> = line.trim_end().split('|').collect();
    assert_eq!(got.len(), fields.len(), "{line}");
    let expect = [
        "272",
        "4",
        "0x12345678",
        "client.example.net;1;2;3",
        "client.example.net",
        "4",
        "zoë@example.net",
        "0001636c617373ff",
        "-3",
        "-1234567890123",
        "72623859790382856",
        "1500.5",
        "192.0.2.1",
        "2001:db8::1",
        "41780000009",
        "aaa://ocs.example.com:3868;transport=tcp;protocol=diameter",
        "permit in ip from 10.0.0.0/8 to any",
        "meter out 17 from any to 10.1.2.3 5060",
        "41780000001",
        "0.25",
        "-12.375",
    ];
    for ((field, got), want) in fields.iter().zip(&got).zip(expect) {
        assert_eq!(*got, want, "tshark field {field}");
    }

    // Event-Timestamp: tshark prints the date in its own style; check the year and seconds.
    let ts = tshark(
        &pcap,
        &[
            "-Y",
            "diameter.hopbyhopid == 0x12345678",
            "-T",
            "fields",
            "-e",
            "diameter.Event-Timestamp",
        ],
    );
    assert!(
        ts.contains("2024") && ts.contains("03:04:05"),
        "Event-Timestamp: {ts}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
