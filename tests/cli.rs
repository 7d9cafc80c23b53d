//! The `diameter` tool: dump, JSON, encode and dictionary commands; bad input gives a
//! one-line error and a non-zero exit, never a panic.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn diameter(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_diameter"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

const CCR_HEX: &str = include_str!("data/seed_ccr.hex");
const CCA_HEX: &str = include_str!("data/seed_cca.hex");

/// Expect failure with exactly one line on stderr, starting with `error:`.
fn assert_clean_failure(out: &Output) -> String {
    assert!(!out.status.success(), "should fail");
    let err = text(&out.stderr);
    assert_eq!(
        err.lines().count(),
        1,
        "one-line error expected, got:\n{err}"
    );
    assert!(err.starts_with("error: "), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn dump_hex_from_stdin_and_binary_from_file() {
    let out = diameter(&["dump"], CCR_HEX.as_bytes());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let dump = text(&out.stdout);
    assert!(dump.starts_with("Credit-Control <Version: 0x01, Length: 432"));
    assert!(dump.contains("          Address-Data <Code: 0x381, Flags: 0xc0 (VM-), Length: 23, Vnd: TGPP, Val: 41780000002>"));

    let bin = diameter::hex::decode(CCR_HEX).unwrap();
    let path = std::env::temp_dir().join(format!("ccr-{}.bin", std::process::id()));
    std::fs::write(&path, &bin).unwrap();
    let from_file = diameter(&["dump", path.to_str().unwrap()], b"");
    let _ = std::fs::remove_file(&path);
    assert_eq!(text(&from_file.stdout), dump);
}

#[test]
fn dump_several_messages() {
    let both = format!("{CCR_HEX}\n{CCA_HEX}\n");
    let out = diameter(&["dump", "-"], both.as_bytes());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let headers: Vec<String> = text(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with(' '))
        .map(str::to_string)
        .collect();
    assert_eq!(headers.len(), 2);
    assert!(headers[1].contains("Length: 208, Flags: 0x40 (proxyable)"));
}

#[test]
fn json_then_encode_gives_the_same_bytes() {
    let out = diameter(&["dump", "--json"], CCR_HEX.as_bytes());
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["command"], "Credit-Control");
    assert_eq!(json["avps"][6]["enum"], "EVENT_REQUEST");
    let encoded = diameter(&["encode"], &out.stdout);
    assert!(encoded.status.success(), "{}", text(&encoded.stderr));
    assert_eq!(text(&encoded.stdout).trim(), CCR_HEX.trim());
}

#[test]
fn encode_from_names_and_enum_labels() {
    let doc = r#"{"command": "Device-Watchdog", "header": {"R": true, "hop_by_hop": 7},
        "avps": [{"name": "Origin-Host", "value": "a.example"},
                 {"name": "Origin-Realm", "value": "example"},
                 {"name": "Origin-State-Id", "value": 9}]}"#;
    let out = diameter(&["encode"], doc.as_bytes());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let dumped = diameter(&["dump"], &out.stdout);
    let dump = text(&dumped.stdout);
    assert!(dump.starts_with("Device-Watchdog <Version: 0x01, Length: 68, Flags: 0x80 (request), Hop-by-Hop Identifier: 0x7"), "{dump}");
    assert!(
        dump.contains("Origin-State-Id <Code: 0x116, Flags: 0x40 (-M-), Length: 12, Val: 9>"),
        "{dump}"
    );

    let ccr = r#"{"command": "CCR", "header": {"R": true},
        "avps": [{"name": "CC-Request-Type", "value": "EVENT_REQUEST"}]}"#;
    let out = diameter(&["encode"], ccr.as_bytes());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout)
        .trim()
        .ends_with("000001a04000000c00000004"));
}

#[test]
fn bad_input_fails_with_one_line() {
    let err = assert_clean_failure(&diameter(&["dump"], b"zz not hex"));
    assert!(err.contains("hex"), "{err}");
    let err = assert_clean_failure(&diameter(&["dump"], &CCR_HEX.as_bytes()[..100]));
    assert!(err.contains("only 50 present"), "{err}");
    let mut bad = diameter::hex::decode(CCR_HEX).unwrap();
    bad[27] = 4; // Session-Id length below its header
    let err = assert_clean_failure(&diameter(&["dump"], &bad));
    assert!(err.contains("5014"), "{err}");
    let err = assert_clean_failure(&diameter(&["encode"], b"{\"command\": \"CCR\", \"header\": {}, \"avps\": [{\"name\": \"No-Such-AVP\", \"value\": 1}]}"));
    assert!(
        err.contains("avps[0]") && err.contains("No-Such-AVP"),
        "{err}"
    );
    let err = assert_clean_failure(&diameter(&["encode"], b"{\"command\": \"CCR\", \"header\": {}, \"avps\": [{\"name\": \"CC-Request-Number\", \"value\": -1}]}"));
    assert!(err.contains("out of range"), "{err}");
    assert_clean_failure(&diameter(&["dump", "/nonexistent/file"], b""));
    assert_clean_failure(&diameter(&["dict", "lookup", "No-Such-AVP"], b""));
}

#[test]
fn dict_lookup_by_name_code_and_command() {
    let out = diameter(&["dict", "lookup", "Recipient-Address"], b"");
    let s = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(s.contains("code 1201 vendor 10415"), "{s}");
    assert!(
        s.contains("type: Grouped") && s.contains("Address-Data"),
        "{s}"
    );

    let out = diameter(&["dict", "lookup", "416"], b"");
    let s = text(&out.stdout);
    assert!(
        s.contains("CC-Request-Type") && s.contains("EVENT_REQUEST = 4"),
        "{s}"
    );

    let out = diameter(&["dict", "lookup", "2000:10415"], b"");
    assert!(text(&out.stdout).contains("SMS-Information"));

    let out = diameter(&["dict", "lookup", "CCR"], b"");
    let s = text(&out.stdout);
    assert!(
        s.contains("command Credit-Control") && s.contains("0..* Subscription-Id"),
        "{s}"
    );
}

#[test]
fn dict_check_reports_file_line_and_item() {
    let dir = std::env::temp_dir().join(format!("dict-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.xml");
    std::fs::write(&good, r#"<diameter><application id="4"><avp name="X-Thing" code="99000" vendor-id="99"><data type="Unsigned32"/></avp></application></diameter>"#).unwrap();
    let out = diameter(&["dict", "check", good.to_str().unwrap()], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("1 AVPs"),
        "{}",
        text(&out.stdout)
    );

    let bad = dir.join("bad.xml");
    std::fs::write(&bad, "<diameter>\n<application id=\"4\">\n<avp name=\"Y\" code=\"1\">\n<data type=\"Blob\"/>\n</avp></application></diameter>").unwrap();
    let err = assert_clean_failure(&diameter(&["dict", "check", bad.to_str().unwrap()], b""));
    assert!(
        err.contains("bad.xml:3") || err.contains("bad.xml:4"),
        "{err}"
    );
    assert!(err.contains("Blob"), "{err}");

    // --dict adds the file on top of the shipped set for every subcommand.
    let out = diameter(
        &[
            "--dict",
            good.to_str().unwrap(),
            "dict",
            "lookup",
            "X-Thing",
        ],
        b"",
    );
    assert!(
        text(&out.stdout).contains("code 99000 vendor 99"),
        "{}",
        text(&out.stdout)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
