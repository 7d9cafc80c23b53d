//! RFC 6733 AVP data types: unit cases and property-based round trips.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use bytes::{Bytes, BytesMut};
use diameter_dict::DataType;
use diameter_runtime::wire::filter_rule::{
    Direction, FilterAction, FilterAddr, FilterOption, IpFilterRule, PortRange, QosAction,
    QosFilterRule,
};
use diameter_runtime::wire::uri::{Protocol, Transport};
use diameter_runtime::wire::value::ValueError;
use diameter_runtime::wire::{Address, DiameterUri, RawAvp, Time, Value};
use proptest::prelude::*;

fn encode(v: &Value) -> Bytes {
    let mut out = BytesMut::new();
    v.encode(&mut out);
    assert_eq!(out.len(), v.encoded_len(), "encoded_len of {v:?}");
    out.freeze()
}

fn decode(ty: DataType, data: &[u8]) -> Result<Value, ValueError> {
    Value::decode(ty, &Bytes::copy_from_slice(data))
}

/// Equality that compares floats by bit pattern (so NaN == NaN with the same payload).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float32(x), Value::Float32(y)) => x.to_bits() == y.to_bits(),
        (Value::Float64(x), Value::Float64(y)) => x.to_bits() == y.to_bits(),
        _ => a == b,
    }
}

fn round_trip(v: &Value) {
    let bytes = encode(v);
    let back = Value::decode(v.data_type(), &bytes)
        .unwrap_or_else(|e| panic!("{v:?} encoded as {bytes:?} does not decode: {e}"));
    assert!(same(v, &back), "{v:?} decoded back as {back:?}");
}

// ---------------------------------------------------------------------------------------------
// Fixed-size types

#[test]
fn integers_big_endian() {
    assert_eq!(
        decode(DataType::Unsigned32, &[0, 0, 0x07, 0xd1]).unwrap(),
        Value::Unsigned32(2001)
    );
    assert_eq!(
        decode(DataType::Integer32, &[0xff, 0xff, 0xff, 0xfe]).unwrap(),
        Value::Integer32(-2)
    );
    assert_eq!(
        decode(DataType::Enumerated, &[0, 0, 0, 1]).unwrap(),
        Value::Enumerated(1)
    );
    assert_eq!(
        decode(DataType::Integer64, &[0xff; 8]).unwrap(),
        Value::Integer64(-1)
    );
    assert_eq!(
        decode(DataType::Unsigned64, &[0, 0, 0, 1, 0, 0, 0, 0]).unwrap(),
        Value::Unsigned64(1 << 32)
    );
    assert_eq!(
        decode(DataType::Float32, &1.5f32.to_be_bytes()).unwrap(),
        Value::Float32(1.5)
    );
    assert_eq!(
        decode(DataType::Float64, &(-0.25f64).to_be_bytes()).unwrap(),
        Value::Float64(-0.25)
    );
    assert_eq!(
        &encode(&Value::Integer32(-2))[..],
        &[0xff, 0xff, 0xff, 0xfe]
    );
    assert_eq!(
        &encode(&Value::Unsigned64(258))[..],
        &[0, 0, 0, 0, 0, 0, 1, 2]
    );
}

#[test]
fn fixed_sizes_are_exact() {
    let sizes = [
        (DataType::Integer32, 4),
        (DataType::Unsigned32, 4),
        (DataType::Enumerated, 4),
        (DataType::Float32, 4),
        (DataType::Time, 4),
        (DataType::IPv4, 4),
        (DataType::Integer64, 8),
        (DataType::Unsigned64, 8),
        (DataType::Float64, 8),
        (DataType::IPv6, 16),
    ];
    for (ty, size) in sizes {
        assert!(decode(ty, &vec![0; size]).is_ok(), "{ty} of {size} bytes");
        for bad in [0, size - 1, size + 1, size * 2] {
            let err = decode(ty, &vec![0; bad]).unwrap_err();
            assert!(err.reason().contains(&size.to_string()), "{ty}: {err}");
        }
    }
}

#[test]
fn nan_keeps_its_bits() {
    let bits = 0x7fc0_1234u32;
    let v = decode(DataType::Float32, &bits.to_be_bytes()).unwrap();
    assert_eq!(v.as_f32().unwrap().to_bits(), bits);
    assert_eq!(&encode(&v)[..], &bits.to_be_bytes());
    let bits = 0xfff8_0000_0000_0001u64;
    let v = decode(DataType::Float64, &bits.to_be_bytes()).unwrap();
    assert_eq!(&encode(&v)[..], &bits.to_be_bytes());
}

#[test]
fn go_diameter_ip_types() {
    assert_eq!(
        decode(DataType::IPv4, &[192, 168, 1, 2]).unwrap(),
        Value::Ipv4(Ipv4Addr::new(192, 168, 1, 2))
    );
    let v6 = Ipv6Addr::LOCALHOST;
    assert_eq!(
        decode(DataType::IPv6, &v6.octets()).unwrap(),
        Value::Ipv6(v6)
    );
    assert_eq!(
        Value::Ipv4(Ipv4Addr::new(1, 2, 3, 4)).as_ip(),
        Some(IpAddr::from([1, 2, 3, 4]))
    );
}

// ---------------------------------------------------------------------------------------------
// Strings

#[test]
fn octet_string_is_zero_copy() {
    let buf = Bytes::from_static(b"\x00\x01binary\xff");
    let slice = buf.slice(2..8);
    let v = Value::decode(DataType::OctetString, &slice).unwrap();
    let Value::OctetString(b) = &v else {
        panic!("{v:?}")
    };
    assert_eq!(b.as_ptr(), slice.as_ptr());
    assert_eq!(v.as_bytes(), Some(&b"binary"[..]));
    assert_eq!(
        decode(DataType::OctetString, &[]).unwrap(),
        Value::OctetString(Bytes::new())
    );
}

#[test]
fn utf8_string() {
    assert_eq!(
        decode(DataType::UTF8String, "grüezi ✓".as_bytes()).unwrap(),
        Value::Utf8String("grüezi ✓".into())
    );
    assert_eq!(
        decode(DataType::UTF8String, b"").unwrap(),
        Value::Utf8String(String::new())
    );
    for bad in [&b"\xff"[..], b"abc\xc3", b"\xed\xa0\x80", b"\xc0\xaf"] {
        let err = decode(DataType::UTF8String, bad).unwrap_err();
        assert!(err.reason().contains("UTF-8"), "{err}");
    }
    assert_eq!(Value::from("x").as_str(), Some("x"));
}

#[test]
fn diameter_identity() {
    assert_eq!(
        decode(DataType::DiameterIdentity, b"host.example.com").unwrap(),
        Value::DiameterIdentity("host.example.com".into())
    );
    assert!(decode(DataType::DiameterIdentity, b"").is_err());
    assert!(decode(DataType::DiameterIdentity, b"host\x00").is_err());
    assert!(decode(DataType::DiameterIdentity, b"h\xc3\xa9").is_err());
    assert!(decode(DataType::DiameterIdentity, b"tab\there").is_err());
    // Tolerant: any printable ASCII.
    assert!(decode(DataType::DiameterIdentity, b"odd_host!name~").is_ok());
}

// ---------------------------------------------------------------------------------------------
// Grouped

#[test]
fn grouped_lists_the_avps() {
    let avps = vec![
        RawAvp::new(263, 0, true, Bytes::from_static(b"session;1")),
        RawAvp::new(444, 10415, false, Bytes::from_static(b"\x00\x00\x00\x01")),
        RawAvp::new(1, 0, false, Bytes::new()),
    ];
    let v = Value::Grouped(avps.clone());
    let bytes = encode(&v);
    assert_eq!(bytes.len(), 20 + 16 + 8);
    assert_eq!(Value::decode(DataType::Grouped, &bytes).unwrap(), v);
    assert_eq!(v.as_grouped(), Some(&avps[..]));
    assert_eq!(
        decode(DataType::Grouped, &[]).unwrap(),
        Value::Grouped(vec![])
    );
}

#[test]
fn grouped_rejects_bad_avps() {
    // Truncated header.
    assert!(decode(DataType::Grouped, &[0, 0, 1, 7, 0x40]).is_err());
    // Length longer than the payload.
    assert!(decode(DataType::Grouped, &[0, 0, 1, 7, 0x40, 0, 0, 20, b'a']).is_err());
    // Length shorter than the header.
    assert!(decode(DataType::Grouped, &[0, 0, 1, 7, 0x40, 0, 0, 4]).is_err());
    let err = decode(DataType::Grouped, &[1, 2, 3]).unwrap_err();
    assert!(err.reason().starts_with("invalid Grouped payload"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Address

#[test]
fn address_families() {
    let v4 = decode(DataType::Address, &[0, 1, 10, 0, 0, 1]).unwrap();
    assert_eq!(
        v4,
        Value::Address(Address::Ipv4(Ipv4Addr::new(10, 0, 0, 1)))
    );
    assert_eq!(v4.as_ip(), Some(IpAddr::from([10, 0, 0, 1])));

    let mut v6 = vec![0, 2];
    v6.extend_from_slice(&Ipv6Addr::LOCALHOST.octets());
    let a = Address::decode(&Bytes::from(v6.clone())).unwrap();
    assert_eq!(a, Address::Ipv6(Ipv6Addr::LOCALHOST));
    assert_eq!(a.family(), 2);
    assert_eq!(a.encoded_len(), 18);
    assert_eq!(&a.to_bytes()[..], &v6[..]);

    let e = Address::decode(&Bytes::from_static(b"\x00\x0841780000000")).unwrap();
    assert_eq!(e, Address::E164("41780000000".into()));
    assert_eq!(e.family(), 8);

    let o = Address::decode(&Bytes::from_static(b"\x00\x1a\x0a\x0b")).unwrap();
    assert_eq!(
        o,
        Address::Other {
            family: 26,
            data: Bytes::from_static(b"\x0a\x0b")
        }
    );
    assert_eq!(o.family(), 26);
    assert_eq!(&o.to_bytes()[..], b"\x00\x1a\x0a\x0b");
    // Family only, for an unknown family: an empty address.
    assert_eq!(
        Address::decode(&Bytes::from_static(b"\x40\x00")).unwrap(),
        Address::Other {
            family: 0x4000,
            data: Bytes::new()
        }
    );
}

#[test]
fn address_rejects_bad_lengths() {
    for bad in [
        &b""[..],
        b"\x00",
        b"\x00\x01",
        b"\x00\x01\x0a\x00\x00",
        b"\x00\x01\x0a\x00\x00\x01\x02",
        b"\x00\x02\x00\x00\x00\x00",
        &[0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0][..],
        b"\x00\x08",
        b"\x00\x08+4178",
        b"\x00\x0812a",
    ] {
        assert!(
            decode(DataType::Address, bad).is_err(),
            "{bad:?} should be rejected"
        );
    }
}

#[test]
fn address_text() {
    let cases = [
        (
            "10.0.0.1",
            Address::Ipv4(Ipv4Addr::new(10, 0, 0, 1)),
            "10.0.0.1",
        ),
        ("::1", Address::Ipv6(Ipv6Addr::LOCALHOST), "::1"),
        (
            "[2001:db8::1]",
            "2001:db8::1".parse::<Ipv6Addr>().unwrap().into(),
            "2001:db8::1",
        ),
        (
            "41780000000",
            Address::E164("41780000000".into()),
            "41780000000",
        ),
        (
            "+41780000000",
            Address::E164("41780000000".into()),
            "41780000000",
        ),
        ("E164:+4178", Address::E164("4178".into()), "4178"),
        ("e164:4178", Address::E164("4178".into()), "4178"),
        (
            "af26:0x0a0B",
            Address::Other {
                family: 26,
                data: Bytes::from_static(b"\x0a\x0b"),
            },
            "af26:0x0a0b",
        ),
        (
            "AF1:0x0a000001",
            Address::Ipv4(Ipv4Addr::new(10, 0, 0, 1)),
            "10.0.0.1",
        ),
    ];
    for (text, addr, shown) in cases {
        let parsed: Address = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(parsed, addr, "{text}");
        assert_eq!(parsed.to_string(), shown);
        assert_eq!(shown.parse::<Address>().unwrap(), addr);
    }
    for bad in [
        "",
        "host",
        "10.0.0.256",
        "[10.0.0.1]",
        "E164:",
        "+",
        "af:0x00",
        "af1:0x0a00",
        "af9:0a",
        "af9:0xabc",
        "af70000:0x00",
    ] {
        assert!(bad.parse::<Address>().is_err(), "{bad:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Time

#[test]
fn time_pinned() {
    let t: Time = "2024-01-02T03:04:05Z".parse().unwrap();
    assert_eq!(t.ntp_seconds(), 0xe93d_fba5);
    assert_eq!(t.to_unix(), 1_704_164_645);
    assert_eq!(t, Time::from_ntp(0xe93d_fba5));
    assert_eq!(t, Time::from_unix(1_704_164_645).unwrap());
    assert_eq!(t, Time::from_utc(2024, 1, 2, 3, 4, 5).unwrap());
    assert_eq!(t.to_utc(), (2024, 1, 2, 3, 4, 5));
    assert_eq!(t.to_rfc3339(), "2024-01-02T03:04:05Z");
    assert_eq!(t.to_string(), "2024-01-02T03:04:05Z");
    assert_eq!(t.python_str(), "2024-01-02 03:04:05");
    assert_eq!(
        decode(DataType::Time, &[0xe9, 0x3d, 0xfb, 0xa5]).unwrap(),
        Value::Time(t)
    );
    assert_eq!(&encode(&Value::Time(t))[..], &[0xe9, 0x3d, 0xfb, 0xa5]);
    assert_eq!(&t.to_bytes()[..], &[0xe9, 0x3d, 0xfb, 0xa5]);
}

#[test]
fn time_era_rule() {
    // The NTP wrap: era 1 starts at NTP 0.
    let wrap: Time = "2036-02-07T06:28:16Z".parse().unwrap();
    assert_eq!(wrap.ntp_seconds(), 0);
    assert_eq!(Time::from_ntp(0).to_rfc3339(), "2036-02-07T06:28:16Z");
    assert_eq!(Time::from_ntp(0).to_unix(), 2_085_978_496);
    let before: Time = "2036-02-07T06:28:15Z".parse().unwrap();
    assert_eq!(before.ntp_seconds(), u32::MAX);
    assert!(before < wrap);

    // Era 1, after the wrap.
    let t2040: Time = "2040-01-01T00:00:00Z".parse().unwrap();
    assert!(t2040.ntp_seconds() < 0x8000_0000);
    assert_eq!(t2040.to_unix(), 2_208_988_800);
    assert_eq!(
        Time::from_ntp(t2040.ntp_seconds()).to_rfc3339(),
        "2040-01-01T00:00:00Z"
    );
    assert_eq!(Time::from_unix(t2040.to_unix()).unwrap(), t2040);

    // Era 0: the Unix epoch.
    let epoch = Time::from_unix(0).unwrap();
    assert_eq!(epoch.ntp_seconds(), 2_208_988_800);
    assert_eq!(epoch.to_rfc3339(), "1970-01-01T00:00:00Z");
    assert_eq!("1970-01-01T00:00:00Z".parse::<Time>().unwrap(), epoch);
    assert_eq!(Time::from_ntp(2_208_988_800).to_unix(), 0);

    // The bounds.
    let min = Time::from_unix(Time::MIN_UNIX).unwrap();
    assert_eq!(min.ntp_seconds(), 0x8000_0000);
    assert_eq!(min.to_rfc3339(), "1968-01-20T03:14:08Z");
    let max = Time::from_unix(Time::MAX_UNIX).unwrap();
    assert_eq!(max.ntp_seconds(), 0x7fff_ffff);
    assert_eq!(max.to_rfc3339(), "2104-02-26T09:42:23Z");
    assert!(Time::from_unix(Time::MIN_UNIX - 1).is_err());
    assert!(Time::from_unix(Time::MAX_UNIX + 1).is_err());
    assert!(Time::from_unix(i64::MIN).is_err());
    assert!(Time::from_unix(i64::MAX).is_err());
    assert!("1968-01-20T03:14:07Z".parse::<Time>().is_err());
    assert!("2104-02-26T09:42:24Z".parse::<Time>().is_err());
    assert!("1900-01-01T00:00:00Z".parse::<Time>().is_err());
    assert!(min < max);
}

#[test]
fn time_parsing() {
    let t = Time::from_unix(1_704_164_645).unwrap();
    for text in [
        "2024-01-02T03:04:05Z",
        "2024-01-02T03:04:05z",
        "2024-01-02t03:04:05Z",
        "2024-01-02T03:04:05+00:00",
        "2024-01-02T03:04:05-00:00",
        "2024-01-02T05:04:05+02:00",
        "2024-01-01T22:34:05-04:30",
        "2024-01-02T03:04:05.999Z",
        "2024-01-02T03:04:05.1+00:00",
        "2024-01-02 03:04:05",
        "2024-01-02 03:04:05Z",
    ] {
        assert_eq!(text.parse::<Time>().unwrap(), t, "{text}");
    }
    // A leap second counts as the next second.
    assert_eq!(
        "2016-12-31T23:59:60Z".parse::<Time>().unwrap(),
        "2017-01-01T00:00:00Z".parse::<Time>().unwrap()
    );
    assert_eq!(
        "2024-02-29T12:00:00Z".parse::<Time>().unwrap().to_rfc3339(),
        "2024-02-29T12:00:00Z"
    );
    for bad in [
        "",
        "2024-01-02",
        "2024-01-02T03:04",
        "2024-13-02T03:04:05Z",
        "2024-00-02T03:04:05Z",
        "2023-02-29T03:04:05Z",
        "2100-02-29T03:04:05Z",
        "2024-04-31T03:04:05Z",
        "2024-01-00T03:04:05Z",
        "2024-01-02T24:04:05Z",
        "2024-01-02T03:60:05Z",
        "2024-01-02T03:04:61Z",
        "2024-01-02T03:04:05.Z",
        "2024-01-02T03:04:05+0200",
        "2024-01-02T03:04:05+24:00",
        "2024-01-02T03:04:05 UTC",
        "2024/01/02T03:04:05Z",
        "+024-01-02T03:04:05Z",
        "2024-01-02X03:04:05Z",
        "2024-01-02T03:04:05Zjunk",
    ] {
        assert!(bad.parse::<Time>().is_err(), "{bad:?}");
    }
    assert!(Time::from_utc(2023, 2, 29, 0, 0, 0).is_err());
    assert!(Time::from_utc(2024, 1, 1, 0, 0, 61).is_err());
}

#[test]
fn time_now_and_system_time() {
    let now = Time::now();
    assert!(now > "2024-01-01T00:00:00Z".parse().unwrap());
    let st = std::time::SystemTime::from(now);
    assert_eq!(Time::try_from(st).unwrap(), now);
    let before_1970 = Time::from_unix(-1).unwrap();
    assert_eq!(before_1970.to_rfc3339(), "1969-12-31T23:59:59Z");
    assert_eq!(
        Time::try_from(before_1970.to_system_time()).unwrap(),
        before_1970
    );
    let half = std::time::UNIX_EPOCH - std::time::Duration::from_millis(500);
    assert_eq!(Time::try_from(half).unwrap(), before_1970);
}

// ---------------------------------------------------------------------------------------------
// DiameterURI

#[test]
fn uri_rfc6733_examples() {
    let h = "host.example.com";
    let cases = [
        (
            "aaa://host.example.com;transport=tcp",
            None,
            Some(Transport::Tcp),
            None,
        ),
        (
            "aaa://host.example.com:6666;transport=tcp",
            Some(6666),
            Some(Transport::Tcp),
            None,
        ),
        (
            "aaa://host.example.com;protocol=diameter",
            None,
            None,
            Some(Protocol::Diameter),
        ),
        (
            "aaa://host.example.com:6666;protocol=diameter",
            Some(6666),
            None,
            Some(Protocol::Diameter),
        ),
        (
            "aaa://host.example.com:6666;transport=tcp;protocol=diameter",
            Some(6666),
            Some(Transport::Tcp),
            Some(Protocol::Diameter),
        ),
        (
            "aaa://host.example.com:1813;transport=udp;protocol=radius",
            Some(1813),
            Some(Transport::Udp),
            Some(Protocol::Radius),
        ),
    ];
    for (text, port, transport, protocol) in cases {
        let u: DiameterUri = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
        let expected = DiameterUri {
            secure: false,
            fqdn: h.into(),
            port,
            transport,
            protocol,
        };
        assert_eq!(u, expected, "{text}");
        assert_eq!(u.to_string(), text);
        let v = decode(DataType::DiameterURI, text.as_bytes()).unwrap();
        assert_eq!(v, Value::DiameterUri(expected));
        assert_eq!(&encode(&v)[..], text.as_bytes());
    }
}

#[test]
fn uri_details() {
    let u: DiameterUri = "aaas://peer.example.net".parse().unwrap();
    assert!(u.secure);
    assert_eq!(u.scheme(), "aaas");
    assert_eq!(u.default_port(), 5658);
    assert_eq!(u.effective_port(), 5658);
    let u: DiameterUri = "aaa://peer".parse().unwrap();
    assert_eq!(u, DiameterUri::new("peer"));
    assert_eq!(u.default_port(), 3868);
    assert_eq!(u.effective_port(), 3868);
    let u: DiameterUri = "aaa://peer:3869".parse().unwrap();
    assert_eq!(u.effective_port(), 3869);

    // Case-insensitive scheme and parameters; the host keeps its case; any parameter order.
    let u: DiameterUri = "AAAS://Peer.Example:1;PROTOCOL=TACACS+;Transport=SCTP"
        .parse()
        .unwrap();
    assert_eq!(u.fqdn, "Peer.Example");
    assert_eq!(u.transport, Some(Transport::Sctp));
    assert_eq!(u.protocol, Some(Protocol::TacacsPlus));
    assert_eq!(
        u.to_string(),
        "aaas://Peer.Example:1;transport=sctp;protocol=tacacs+"
    );

    // IPv6 and IPv4 hosts.
    let u: DiameterUri = "aaa://[2001:db8::1]:3868;transport=sctp".parse().unwrap();
    assert_eq!(u.fqdn, "2001:db8::1");
    assert_eq!(u.port, Some(3868));
    assert_eq!(u.to_string(), "aaa://[2001:db8::1]:3868;transport=sctp");
    let u: DiameterUri = "aaa://[::1]".parse().unwrap();
    assert_eq!(u.to_string(), "aaa://[::1]");
    let u: DiameterUri = "aaa://192.0.2.1:3868".parse().unwrap();
    assert_eq!(u.fqdn, "192.0.2.1");
}

#[test]
fn uri_rejections() {
    for bad in [
        "",
        "host.example.com",
        "http://host.example.com",
        "aaa:/host",
        "aaa://",
        "aaa://:3868",
        "aaa://;transport=tcp",
        "aaa://host:",
        "aaa://host:0",
        "aaa://host:65536",
        "aaa://host:+80",
        "aaa://host:12a",
        "aaa://host:1:2",
        "aaa://host;transport=quic",
        "aaa://host;transport=",
        "aaa://host;protocol=http",
        "aaa://host;foo=bar",
        "aaa://host;transport",
        "aaa://host;",
        "aaa://host;transport=tcp;transport=udp",
        "aaa://host;protocol=radius;protocol=radius",
        "aaa://ho st",
        "aaa://host/path",
        "aaa://user@host",
        "aaa://[::1",
        "aaa://[zz::1]",
        "aaa://[::1]x",
        "aaa://[]",
    ] {
        assert!(bad.parse::<DiameterUri>().is_err(), "{bad:?}");
        assert!(
            decode(DataType::DiameterURI, bad.as_bytes()).is_err(),
            "{bad:?}"
        );
    }
    assert!(decode(DataType::DiameterURI, b"aaa://h\xff").is_err());
}

// ---------------------------------------------------------------------------------------------
// Filter rules

#[test]
fn ip_filter_rule_examples() {
    let r: IpFilterRule = "permit in ip from 10.0.0.0/8 to any".parse().unwrap();
    assert_eq!(r.action(), FilterAction::Permit);
    assert_eq!(r.direction(), Direction::In);
    assert_eq!(r.proto(), None);
    assert_eq!(
        r.src().addr,
        FilterAddr::Net {
            addr: IpAddr::from([10, 0, 0, 0]),
            prefix_len: Some(8)
        }
    );
    assert!(!r.src().negated);
    assert!(r.src().ports.is_empty());
    assert_eq!(r.dst().addr, FilterAddr::Any);
    assert!(r.options().is_empty());
    assert_eq!(r.as_str(), "permit in ip from 10.0.0.0/8 to any");

    let text = "deny out 17 from any 53 to assigned 1000-2000,3000 frag";
    let r: IpFilterRule = text.parse().unwrap();
    assert_eq!(r.action(), FilterAction::Deny);
    assert_eq!(r.direction(), Direction::Out);
    assert_eq!(r.proto(), Some(17));
    assert_eq!(
        r.src().ports,
        [PortRange {
            first: 53,
            last: 53
        }]
    );
    assert_eq!(r.dst().addr, FilterAddr::Assigned);
    assert_eq!(
        r.dst().ports,
        [
            PortRange {
                first: 1000,
                last: 2000
            },
            PortRange {
                first: 3000,
                last: 3000
            }
        ]
    );
    assert_eq!(r.options(), [FilterOption::Frag]);
    assert_eq!(r.to_string(), text);
    let v = decode(DataType::IPFilterRule, text.as_bytes()).unwrap();
    assert_eq!(v, Value::IpFilterRule(r.clone()));
    assert_eq!(v.as_str(), Some(text));
    assert_eq!(&encode(&v)[..], text.as_bytes());

    let text = "permit out 6 from !192.0.2.1 to ! 2001:db8::/32 80,443 \
                established setup tcpflags syn,!ack tcpoptions mss,!sack \
                ipoptions !ssrr,lsrr,rr,ts icmptypes 0,3-5,echo";
    let r: IpFilterRule = text.parse().unwrap();
    assert!(r.src().negated);
    assert!(r.dst().negated);
    assert_eq!(
        r.dst().addr,
        FilterAddr::Net {
            addr: "2001:db8::".parse().unwrap(),
            prefix_len: Some(32)
        }
    );
    assert_eq!(
        r.options(),
        [
            FilterOption::Established,
            FilterOption::Setup,
            FilterOption::TcpFlags("syn,!ack".into()),
            FilterOption::TcpOptions("mss,!sack".into()),
            FilterOption::IpOptions("!ssrr,lsrr,rr,ts".into()),
            FilterOption::IcmpTypes("0,3-5,echo".into()),
        ]
    );
    assert_eq!(r.as_str(), text, "original text kept, spacing included");

    // Keywords are case-insensitive; protocol names are accepted.
    let r: IpFilterRule = "PERMIT IN tcp FROM ANY TO 10.1.2.3 FRAG".parse().unwrap();
    assert_eq!(r.proto(), Some(6));
    assert_eq!(
        r.dst().addr,
        FilterAddr::Net {
            addr: IpAddr::from([10, 1, 2, 3]),
            prefix_len: None
        }
    );
}

#[test]
fn ip_filter_rule_rejections() {
    for bad in [
        "",
        "permit",
        "allow in ip from any to any",
        "permit sideways ip from any to any",
        "permit in 256 from any to any",
        "permit in foo from any to any",
        "permit in ip any to any",
        "permit in ip from any any",
        "permit in ip from any to",
        "permit in ip from 10.0.0.0/33 to any",
        "permit in ip from ::/129 to any",
        "permit in ip from 10.0.0/8 to any",
        "permit in ip from 10.0.0.0/ to any",
        "permit in ip from host.example.com to any",
        "permit in ip from any 70000 to any",
        "permit in ip from any 20-10 to any",
        "permit in ip from any 1,,2 to any",
        "permit in ip from any 1- to any",
        "permit in ip from any to any bogus",
        "permit in ip from any to any ipoptions",
        "permit in ip from any to any ipoptions foo",
        "permit in ip from any to any tcpflags syn,fun",
        "permit in ip from any to any icmptypes 300",
        "permit in ip from any to any icmptypes 5-1",
        "permit in ip from ! to any",
    ] {
        assert!(bad.parse::<IpFilterRule>().is_err(), "{bad:?}");
        assert!(
            decode(DataType::IPFilterRule, bad.as_bytes()).is_err(),
            "{bad:?}"
        );
    }
    assert!(decode(DataType::IPFilterRule, b"permit in ip from any to \xff").is_err());
}

#[test]
fn qos_filter_rule() {
    let text = "tag in ip from 10.0.0.1 to any DSCP 46";
    let r: QosFilterRule = text.parse().unwrap();
    assert_eq!(r.action(), QosAction::Tag);
    assert_eq!(r.direction(), Direction::In);
    assert_eq!(r.proto(), None);
    assert_eq!(r.dst().addr, FilterAddr::Any);
    assert_eq!(r.options(), ["DSCP", "46"]);
    assert_eq!(r.as_str(), text);
    let v = decode(DataType::QoSFilterRule, text.as_bytes()).unwrap();
    assert_eq!(v, Value::QosFilterRule(r));
    assert_eq!(&encode(&v)[..], text.as_bytes());

    let r: QosFilterRule =
        "meter out 17 from any 5060 to assigned 1000-2000 metering 1000 green red"
            .parse()
            .unwrap();
    assert_eq!(r.action(), QosAction::Meter);
    assert_eq!(
        r.src().ports,
        [PortRange {
            first: 5060,
            last: 5060
        }]
    );
    assert_eq!(r.options(), ["metering", "1000", "green", "red"]);

    for bad in [
        "",
        "permit in ip from any to any",
        "tag up ip from any to any",
        "tag in ip from any",
        "meter in ip from 10.0.0.0/40 to any",
    ] {
        assert!(bad.parse::<QosFilterRule>().is_err(), "{bad:?}");
        assert!(
            decode(DataType::QoSFilterRule, bad.as_bytes()).is_err(),
            "{bad:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Value helpers

#[test]
fn value_conversions_and_accessors() {
    assert_eq!(Value::from(7u32), Value::Unsigned32(7));
    assert_eq!(Value::from(-7i32), Value::Integer32(-7));
    assert_eq!(Value::from(7u64), Value::Unsigned64(7));
    assert_eq!(Value::from(-7i64), Value::Integer64(-7));
    assert_eq!(Value::from(1.5f32), Value::Float32(1.5));
    assert_eq!(Value::from(1.5f64), Value::Float64(1.5));
    assert_eq!(Value::from("a"), Value::Utf8String("a".into()));
    assert_eq!(
        Value::from(String::from("a")),
        Value::Utf8String("a".into())
    );
    assert_eq!(
        Value::from(Bytes::from_static(b"a")),
        Value::OctetString(Bytes::from_static(b"a"))
    );
    assert_eq!(
        Value::from(vec![1u8]),
        Value::OctetString(Bytes::from_static(&[1]))
    );
    assert_eq!(
        Value::from(&[1u8][..]),
        Value::OctetString(Bytes::from_static(&[1]))
    );
    let t = Time::from_ntp(1);
    assert_eq!(Value::from(t).as_time(), Some(t));
    let a = Address::from(Ipv4Addr::LOCALHOST);
    assert_eq!(Value::from(a.clone()).as_address(), Some(&a));
    let u = DiameterUri::new("h");
    assert_eq!(Value::from(u.clone()).as_uri(), Some(&u));

    assert_eq!(Value::Unsigned32(5).as_u32(), Some(5));
    assert_eq!(Value::Unsigned32(5).as_u64(), Some(5));
    assert_eq!(Value::Unsigned32(5).as_i64(), Some(5));
    assert_eq!(Value::Unsigned32(5).as_i32(), None);
    assert_eq!(Value::Enumerated(-1).as_i32(), Some(-1));
    assert_eq!(Value::Integer64(-1).as_i64(), Some(-1));
    assert_eq!(Value::Float32(0.5).as_f64(), Some(0.5));
    assert_eq!(Value::Float64(0.5).as_f32(), None);
    assert_eq!(Value::DiameterIdentity("h".into()).as_str(), Some("h"));
    assert_eq!(Value::Integer32(1).as_str(), None);
    assert_eq!(Value::Integer32(1).as_bytes(), None);
    assert_eq!(Value::Integer32(1).as_grouped(), None);

    for ty in DataType::ALL {
        if let Ok(v) = decode(ty, &[0, 0, 0, 0]) {
            assert_eq!(v.data_type(), ty);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Property-based round trips

fn bytes_strategy(max: usize) -> impl Strategy<Value = Bytes> {
    proptest::collection::vec(any::<u8>(), 0..max).prop_map(Bytes::from)
}

fn raw_avp() -> impl Strategy<Value = RawAvp> {
    (
        any::<u32>(),
        prop_oneof![Just(0u32), any::<u32>()],
        any::<bool>(),
        any::<bool>(),
        bytes_strategy(40),
    )
        .prop_map(|(code, vendor, m, p, data)| {
            let mut avp = RawAvp::new(code, vendor, m, data);
            if p {
                avp.flags.0 |= 0x20;
            }
            avp
        })
}

fn address() -> impl Strategy<Value = Address> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(|o| Address::Ipv4(o.into())),
        any::<[u8; 16]>().prop_map(|o| Address::Ipv6(o.into())),
        "[0-9]{1,20}".prop_map(Address::E164),
        (
            any::<u16>().prop_filter("known family", |f| ![1, 2, 8].contains(f)),
            bytes_strategy(24)
        )
            .prop_map(|(family, data)| Address::Other { family, data }),
    ]
}

fn uri() -> impl Strategy<Value = DiameterUri> {
    let host = prop_oneof![
        "[a-zA-Z0-9_][a-zA-Z0-9._-]{0,30}",
        any::<[u8; 16]>().prop_map(|o| Ipv6Addr::from(o).to_string()),
        any::<[u8; 4]>().prop_map(|o| Ipv4Addr::from(o).to_string()),
    ];
    let transport = proptest::option::of(prop_oneof![
        Just(Transport::Tcp),
        Just(Transport::Sctp),
        Just(Transport::Udp)
    ]);
    let protocol = proptest::option::of(prop_oneof![
        Just(Protocol::Diameter),
        Just(Protocol::Radius),
        Just(Protocol::TacacsPlus)
    ]);
    (
        any::<bool>(),
        host,
        proptest::option::of(1u16..),
        transport,
        protocol,
    )
        .prop_map(|(secure, fqdn, port, transport, protocol)| DiameterUri {
            secure,
            fqdn,
            port,
            transport,
            protocol,
        })
}

/// `(text, negated, addr, ports)` of a rule endpoint.
fn endpoint() -> impl Strategy<Value = (String, bool, FilterAddr, Vec<PortRange>)> {
    let addr = prop_oneof![
        Just(FilterAddr::Any),
        Just(FilterAddr::Assigned),
        (any::<[u8; 4]>(), proptest::option::of(0u8..=32)).prop_map(|(o, p)| FilterAddr::Net {
            addr: IpAddr::from(o),
            prefix_len: p
        }),
        (any::<[u8; 16]>(), proptest::option::of(0u8..=128)).prop_map(|(o, p)| {
            FilterAddr::Net {
                addr: IpAddr::from(o),
                prefix_len: p,
            }
        }),
    ];
    let ports = proptest::collection::vec(
        (any::<u16>(), any::<u16>()).prop_map(|(a, b)| PortRange {
            first: a.min(b),
            last: a.max(b),
        }),
        0..4,
    );
    (any::<bool>(), addr, ports).prop_map(|(negated, addr, ports)| {
        let mut text = String::new();
        if negated {
            text.push('!');
        }
        match addr {
            FilterAddr::Any => text.push_str("any"),
            FilterAddr::Assigned => text.push_str("assigned"),
            FilterAddr::Net { addr, prefix_len } => {
                text.push_str(&addr.to_string());
                if let Some(p) = prefix_len {
                    text.push_str(&format!("/{p}"));
                }
            }
        }
        if !ports.is_empty() {
            let list: Vec<String> = ports
                .iter()
                .map(|r| {
                    if r.first == r.last {
                        r.first.to_string()
                    } else {
                        format!("{}-{}", r.first, r.last)
                    }
                })
                .collect();
            text.push(' ');
            text.push_str(&list.join(","));
        }
        (text, negated, addr, ports)
    })
}

fn ip_option() -> impl Strategy<Value = (String, FilterOption)> {
    prop_oneof![
        Just(("frag".to_string(), FilterOption::Frag)),
        Just(("established".to_string(), FilterOption::Established)),
        Just(("setup".to_string(), FilterOption::Setup)),
        "!?(ssrr|lsrr|rr|ts)(,!?(ssrr|lsrr|rr|ts)){0,3}"
            .prop_map(|s| (format!("ipoptions {s}"), FilterOption::IpOptions(s))),
        "!?(mss|window|sack|ts|cc)(,!?(mss|window|sack|ts|cc)){0,3}"
            .prop_map(|s| (format!("tcpoptions {s}"), FilterOption::TcpOptions(s))),
        "!?(fin|syn|rst|psh|ack|urg)(,!?(fin|syn|rst|psh|ack|urg)){0,3}"
            .prop_map(|s| (format!("tcpflags {s}"), FilterOption::TcpFlags(s))),
        "(1?[0-9]{1,2}|echo|unreach)(,(1?[0-9]{1,2}|echo|unreach)){0,3}"
            .prop_map(|s| (format!("icmptypes {s}"), FilterOption::IcmpTypes(s))),
    ]
}

fn proto() -> impl Strategy<Value = (String, Option<u8>)> {
    prop_oneof![
        Just(("ip".to_string(), None)),
        any::<u8>().prop_map(|p| (p.to_string(), Some(p))),
    ]
}

fn ip_rule() -> impl Strategy<Value = (String, IpFilterRule)> {
    (
        any::<bool>(),
        any::<bool>(),
        proto(),
        endpoint(),
        endpoint(),
        proptest::collection::vec(ip_option(), 0..4),
    )
        .prop_map(|(permit, inbound, (ptext, p), src, dst, opts)| {
            let mut text = format!(
                "{} {} {ptext} from {} to {}",
                if permit { "permit" } else { "deny" },
                if inbound { "in" } else { "out" },
                src.0,
                dst.0
            );
            for (t, _) in &opts {
                text.push(' ');
                text.push_str(t);
            }
            let rule: IpFilterRule = text
                .parse()
                .unwrap_or_else(|e| panic!("generated rule {text:?}: {e}"));
            assert_eq!(
                rule.action(),
                if permit {
                    FilterAction::Permit
                } else {
                    FilterAction::Deny
                }
            );
            assert_eq!(
                rule.direction(),
                if inbound {
                    Direction::In
                } else {
                    Direction::Out
                }
            );
            assert_eq!(rule.proto(), p);
            assert_eq!(
                (rule.src().negated, rule.src().addr, &rule.src().ports),
                (src.1, src.2, &src.3)
            );
            assert_eq!(
                (rule.dst().negated, rule.dst().addr, &rule.dst().ports),
                (dst.1, dst.2, &dst.3)
            );
            let expected: Vec<FilterOption> = opts.into_iter().map(|(_, o)| o).collect();
            assert_eq!(rule.options(), &expected[..]);
            (text, rule)
        })
}

fn qos_rule() -> impl Strategy<Value = QosFilterRule> {
    (
        any::<bool>(),
        any::<bool>(),
        proto(),
        endpoint(),
        endpoint(),
        proptest::collection::vec("[A-Za-z][A-Za-z0-9]{0,8}", 0..4),
    )
        .prop_map(|(tag, inbound, (ptext, p), src, dst, opts)| {
            let mut text = format!(
                "{} {} {ptext} from {} to {}",
                if tag { "tag" } else { "meter" },
                if inbound { "in" } else { "out" },
                src.0,
                dst.0
            );
            for o in &opts {
                text.push(' ');
                text.push_str(o);
            }
            let rule: QosFilterRule = text
                .parse()
                .unwrap_or_else(|e| panic!("generated rule {text:?}: {e}"));
            assert_eq!(rule.proto(), p);
            assert_eq!(rule.options(), &opts[..]);
            assert_eq!(rule.src().addr, src.2);
            assert_eq!(rule.dst().ports, dst.3);
            rule
        })
}

fn any_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        bytes_strategy(64).prop_map(Value::OctetString),
        any::<i32>().prop_map(Value::Integer32),
        any::<i64>().prop_map(Value::Integer64),
        any::<u32>().prop_map(Value::Unsigned32),
        any::<u64>().prop_map(Value::Unsigned64),
        any::<u32>().prop_map(|b| Value::Float32(f32::from_bits(b))),
        any::<u64>().prop_map(|b| Value::Float64(f64::from_bits(b))),
        proptest::collection::vec(raw_avp(), 0..5).prop_map(Value::Grouped),
        address().prop_map(Value::Address),
        any::<u32>().prop_map(|n| Value::Time(Time::from_ntp(n))),
        any::<String>().prop_map(Value::Utf8String),
        "[ -~]{1,40}".prop_map(Value::DiameterIdentity),
        uri().prop_map(Value::DiameterUri),
        any::<i32>().prop_map(Value::Enumerated),
        ip_rule().prop_map(|(_, r)| Value::IpFilterRule(r)),
        qos_rule().prop_map(Value::QosFilterRule),
        any::<[u8; 4]>().prop_map(|o| Value::Ipv4(o.into())),
        any::<[u8; 16]>().prop_map(|o| Value::Ipv6(o.into())),
    ]
}

/// Text made of filter-rule and URI fragments, to reach deep into the parsers.
fn tokenish() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just("permit"),
        Just("deny"),
        Just("tag"),
        Just("meter"),
        Just("in"),
        Just("out"),
        Just("ip"),
        Just("17"),
        Just("300"),
        Just("from"),
        Just("to"),
        Just("any"),
        Just("assigned"),
        Just("!"),
        Just("!10.0.0.0/8"),
        Just("::1/129"),
        Just("1-2,3"),
        Just("9-"),
        Just(","),
        Just("frag"),
        Just("ipoptions"),
        Just("ssrr,!rr"),
        Just("icmptypes"),
        Just("0-8,echo"),
        Just("aaa://"),
        Just("aaas://["),
        Just("]"),
        Just(":"),
        Just(";transport="),
        Just(";protocol="),
        Just("tcp"),
        Just("host"),
        Just("\u{e9}"),
        Just(" "),
    ];
    proptest::collection::vec(token, 0..14).prop_map(|t| t.join(" ").into_bytes())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn every_value_round_trips(v in any_value()) {
        round_trip(&v);
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..64)) {
        let data = Bytes::from(data);
        for ty in DataType::ALL {
            if let Ok(v) = Value::decode(ty, &data) {
                prop_assert_eq!(v.data_type(), ty);
                // Whatever decodes re-encodes to something that decodes to the same value.
                round_trip(&v);
            }
        }
    }

    #[test]
    fn token_soup_never_panics(text in tokenish()) {
        let data = Bytes::from(text);
        for ty in DataType::ALL {
            if let Ok(v) = Value::decode(ty, &data) {
                round_trip(&v);
            }
        }
    }

    #[test]
    fn decode_then_encode_is_identity(data in proptest::collection::vec(any::<u8>(), 0..40)) {
        // Every type except DiameterURI (canonical form) and Grouped (padding of the last AVP)
        // re-encodes exactly what it decoded.
        let data = Bytes::from(data);
        for ty in DataType::ALL {
            if matches!(ty, DataType::DiameterURI | DataType::Grouped) {
                continue;
            }
            if let Ok(v) = Value::decode(ty, &data) {
                prop_assert_eq!(&encode(&v), &data);
            }
        }
    }

    #[test]
    fn ip_rule_text_round_trips((text, rule) in ip_rule()) {
        prop_assert_eq!(rule.as_str(), text.as_str());
        prop_assert_eq!(text.parse::<IpFilterRule>().unwrap(), rule);
    }

    #[test]
    fn address_text_round_trips(a in address()) {
        prop_assert_eq!(a.to_string().parse::<Address>().unwrap(), a.clone());
        prop_assert_eq!(Address::decode(&a.to_bytes()).unwrap(), a);
    }

    #[test]
    fn uri_text_round_trips(u in uri()) {
        prop_assert_eq!(u.to_string().parse::<DiameterUri>().unwrap(), u);
    }

    #[test]
    fn time_unix_round_trips(secs in Time::MIN_UNIX..=Time::MAX_UNIX) {
        let t = Time::from_unix(secs).unwrap();
        prop_assert_eq!(t.to_unix(), secs);
        prop_assert_eq!(Time::from_ntp(t.ntp_seconds()), t);
        // The era rule: NTP seconds with the top bit clear are after 2036.
        prop_assert_eq!(t.ntp_seconds() < 0x8000_0000, secs >= 2_085_978_496);
    }

    #[test]
    fn time_text_round_trips(ntp in any::<u32>()) {
        let t = Time::from_ntp(ntp);
        prop_assert_eq!(t.to_rfc3339().parse::<Time>().unwrap(), t);
        prop_assert_eq!(t.python_str().parse::<Time>().unwrap(), t);
        let (y, mo, d, h, mi, s) = t.to_utc();
        prop_assert_eq!(Time::from_utc(y, mo, d, h, mi, s).unwrap(), t);
        // Consecutive NTP values are consecutive instants (except across the era boundary).
        if ntp != 0x7fff_ffff {
            prop_assert_eq!(Time::from_ntp(ntp.wrapping_add(1)).to_unix(), t.to_unix() + 1);
        }
    }

    #[test]
    fn time_offsets(ntp in 0x9000_0000u32..=0xffff_ffff, off_min in -1439i64..=1439) {
        // Same instant written with a numeric offset.
        let t = Time::from_ntp(ntp);
        let local = Time::from_unix(t.to_unix() + off_min * 60).unwrap();
        let (y, mo, d, h, mi, s) = local.to_utc();
        let sign = if off_min < 0 { '-' } else { '+' };
        let a = off_min.abs();
        let text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{sign}{:02}:{:02}", a / 60, a % 60);
        prop_assert_eq!(text.parse::<Time>().unwrap(), t);
    }
}
