//! The dictionaries shipped in `dictionaries/` (base.xml, credit_control.xml, tgpp_ro_rf.xml).
//!
//! These checks pin what the interop work depends on: every AVP of the python-diameter seed
//! CCR/CCA (the tutorial SMS event, `shared/vectors/seed_ccr.json` / `seed_cca.json`) resolves
//! from application 4 with the code, vendor, type and M bit the vectors carry; the RFC 4006
//! multiplicities that go-diameter got wrong are fixed; and the set is self-consistent (no
//! dangling rule, no (code, vendor) pair under two names).
//!
//! The vector data is copied into this file on purpose: CI has no access to `shared/`.

use std::collections::HashMap;
use std::path::PathBuf;

use diameter_dict::{AppKind, AvpDef, CommandDef, DataType, Dictionary, Rule};

/// Credit-Control application id (RFC 4006); the 3GPP Ro/Rf AVPs live there too.
const CC_APP: u32 = 4;
const TGPP: u32 = 10_415;

/// The dictionary files, in loading order (the order of `Dictionary::shipped`: names sorted).
fn files() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(dictionaries_dir())
        .expect("dictionaries/ is readable")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".xml"))
        .collect();
    files.sort();
    files
}

fn shipped() -> Dictionary {
    Dictionary::shipped().expect("the shipped dictionaries load")
}

fn dictionaries_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("dictionaries")
}

/// The same files loaded from the source tree, one by one, keeping every load warning.
fn from_disk() -> (Dictionary, Vec<String>) {
    let mut dict = Dictionary::new();
    let mut warnings = Vec::new();
    for file in files() {
        let path = dictionaries_dir().join(file);
        let found = dict
            .load_path(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        warnings.extend(found.iter().map(ToString::to_string));
    }
    (dict, warnings)
}

/// One AVP as the seed vectors carry it.
struct SeedAvp {
    name: &'static str,
    code: u32,
    vendor: u32,
    /// The dictionary type (the vectors show python-diameter's wire class: Enumerated is sent
    /// as Integer32, DiameterIdentity as OctetString, UTF8String as Utf8String).
    data_type: DataType,
    /// The AVP flag byte in the vector (0x80 V, 0x40 M).
    flags: u8,
}

const fn seed(
    name: &'static str,
    code: u32,
    vendor: u32,
    data_type: DataType,
    flags: u8,
) -> SeedAvp {
    SeedAvp {
        name,
        code,
        vendor,
        data_type,
        flags,
    }
}

/// Every AVP of seed_ccr.json and seed_cca.json (nested ones included), in vector order.
#[rustfmt::skip]
const SEED_AVPS: &[SeedAvp] = &[
    seed("Session-Id", 263, 0, DataType::UTF8String, 0x40),
    // python-diameter clears M on Origin-Host/Origin-Realm in CCR/CCA (an `is_mandatory=False`
    // override in its command class); RFC 6733 4.5 says M MUST, which is what the dictionary holds.
    seed("Origin-Host", 264, 0, DataType::DiameterIdentity, 0x00),
    seed("Origin-Realm", 296, 0, DataType::DiameterIdentity, 0x00),
    seed("Destination-Realm", 283, 0, DataType::DiameterIdentity, 0x40),
    seed("Auth-Application-Id", 258, 0, DataType::Unsigned32, 0x40),
    seed("Service-Context-Id", 461, 0, DataType::UTF8String, 0x40),
    seed("CC-Request-Type", 416, 0, DataType::Enumerated, 0x40),
    seed("CC-Request-Number", 415, 0, DataType::Unsigned32, 0x40),
    seed("User-Name", 1, 0, DataType::UTF8String, 0x40),
    seed("Event-Timestamp", 55, 0, DataType::Time, 0x40),
    seed("Subscription-Id", 443, 0, DataType::Grouped, 0x40),
    seed("Subscription-Id-Type", 450, 0, DataType::Enumerated, 0x40),
    seed("Subscription-Id-Data", 444, 0, DataType::UTF8String, 0x40),
    seed("Requested-Action", 436, 0, DataType::Enumerated, 0x40),
    seed("Multiple-Services-Credit-Control", 456, 0, DataType::Grouped, 0x40),
    seed("Requested-Service-Unit", 437, 0, DataType::Grouped, 0x40),
    seed("CC-Service-Specific-Units", 417, 0, DataType::Unsigned64, 0x40),
    seed("Service-Identifier", 439, 0, DataType::Unsigned32, 0x40),
    seed("Service-Information", 873, TGPP, DataType::Grouped, 0xc0),
    seed("SMS-Information", 2000, TGPP, DataType::Grouped, 0x80),
    seed("Data-Coding-Scheme", 2001, TGPP, DataType::Integer32, 0x80),
    seed("SM-Message-Type", 2007, TGPP, DataType::Enumerated, 0x80),
    seed("Recipient-Info", 2026, TGPP, DataType::Grouped, 0x80),
    seed("Recipient-Address", 1201, TGPP, DataType::Grouped, 0x80),
    seed("Address-Type", 899, TGPP, DataType::Enumerated, 0xc0),
    seed("Address-Data", 897, TGPP, DataType::UTF8String, 0xc0),
    // seed_cca.json
    seed("Result-Code", 268, 0, DataType::Unsigned32, 0x40),
    seed("Granted-Service-Unit", 431, 0, DataType::Grouped, 0x40),
];

/// AVPs whose M bit in the vectors comes from a per-command override, not the dictionary.
const M_OVERRIDDEN_IN_VECTORS: &[&str] = &["Origin-Host", "Origin-Realm"];

/// Top-level AVP order of the seed CCR (python-diameter's `avp_def` order).
const SEED_CCR_ORDER: &[&str] = &[
    "Session-Id",
    "Origin-Host",
    "Origin-Realm",
    "Destination-Realm",
    "Auth-Application-Id",
    "Service-Context-Id",
    "CC-Request-Type",
    "CC-Request-Number",
    "User-Name",
    "Event-Timestamp",
    "Subscription-Id",
    "Requested-Action",
    "Multiple-Services-Credit-Control",
    "Service-Information",
];

/// Top-level AVP order of the seed CCA.
const SEED_CCA_ORDER: &[&str] = &[
    "Session-Id",
    "Result-Code",
    "Origin-Host",
    "Origin-Realm",
    "Auth-Application-Id",
    "CC-Request-Type",
    "CC-Request-Number",
    "Multiple-Services-Credit-Control",
];

/// (parent, children in vector order) for the grouped AVPs of the seed vectors.
const SEED_GROUPS: &[(&str, &[&str])] = &[
    (
        "Subscription-Id",
        &["Subscription-Id-Type", "Subscription-Id-Data"],
    ),
    (
        "Multiple-Services-Credit-Control",
        &["Requested-Service-Unit", "Service-Identifier"],
    ),
    (
        "Multiple-Services-Credit-Control",
        &["Granted-Service-Unit", "Service-Identifier", "Result-Code"],
    ),
    ("Requested-Service-Unit", &["CC-Service-Specific-Units"]),
    ("Granted-Service-Unit", &["CC-Service-Specific-Units"]),
    ("Service-Information", &["SMS-Information"]),
    (
        "SMS-Information",
        &["Data-Coding-Scheme", "SM-Message-Type", "Recipient-Info"],
    ),
    ("Recipient-Info", &["Recipient-Address"]),
    ("Recipient-Address", &["Address-Type", "Address-Data"]),
];

fn avp_named<'a>(dict: &'a Dictionary, name: &str) -> &'a AvpDef {
    dict.avp_by_name(CC_APP, name)
        .unwrap_or_else(|| panic!("AVP `{name}` not found from application {CC_APP}"))
}

fn ccr(dict: &Dictionary) -> &CommandDef {
    let cmd = dict.command_by_name("CCR").expect("CCR is defined");
    assert_eq!((cmd.app_id, cmd.code), (CC_APP, 272));
    cmd
}

fn rule<'a>(rules: &'a [Rule], name: &str) -> &'a Rule {
    rules
        .iter()
        .find(|r| r.avp == name)
        .unwrap_or_else(|| panic!("no rule for `{name}`"))
}

/// Asserts that `names` appear among `rules` in the same relative order.
fn assert_order(what: &str, rules: &[Rule], names: &[&str]) {
    let positions: Vec<usize> = names
        .iter()
        .map(|n| {
            rules
                .iter()
                .position(|r| r.avp == *n)
                .unwrap_or_else(|| panic!("{what}: `{n}` is not a member"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "{what}: {names:?} are not in rule order (positions {positions:?})"
    );
}

#[test]
fn shipped_embeds_the_dictionaries_folder() {
    let embedded = shipped();
    let (disk, _) = from_disk();
    let count = |d: &Dictionary| (d.avps().count(), d.commands().count());
    assert!(count(&disk).0 > 500, "dictionaries/ holds the full set");
    assert_eq!(
        count(&embedded),
        count(&disk),
        "Dictionary::shipped() embeds exactly dictionaries/{{{}}}",
        files().join(",")
    );
}

#[test]
fn loads_without_warnings() {
    let (_, warnings) = from_disk();
    assert!(
        warnings.is_empty(),
        "load warnings:\n{}",
        warnings.join("\n")
    );
}

#[test]
fn check_reports_nothing() {
    let dict = shipped();
    let diagnostics: Vec<String> = dict.check().iter().map(ToString::to_string).collect();
    assert!(
        diagnostics.is_empty(),
        "check() diagnostics:\n{}",
        diagnostics.join("\n")
    );
}

#[test]
fn no_dangling_rules() {
    let dict = shipped();
    let mut dangling = Vec::new();
    let mut visit = |owner: &str, app_id: u32, rules: &[Rule]| {
        for r in rules.iter().filter(|r| !r.is_wildcard()) {
            match dict.rule_avp(app_id, r) {
                None => dangling.push(format!("{owner}: {}", r.avp)),
                Some(def) => {
                    if let Some(vendor) = r.vendor_id {
                        assert_eq!(def.vendor_id, vendor, "{owner}: rule `{}`", r.avp);
                    }
                }
            }
        }
    };
    for def in dict.avps() {
        visit(&def.name, def.app_id, &def.rules);
    }
    for cmd in dict.commands() {
        visit(&format!("{} request", cmd.name), cmd.app_id, &cmd.request);
        visit(&format!("{} answer", cmd.name), cmd.app_id, &cmd.answer);
    }
    assert!(dangling.is_empty(), "dangling rules: {dangling:#?}");
}

#[test]
fn no_code_vendor_pair_under_two_names() {
    let dict = shipped();
    let mut by_key: HashMap<(u32, u32), &str> = HashMap::new();
    let mut by_name: HashMap<(u32, &str), (u32, u32)> = HashMap::new();
    for def in dict.avps() {
        let key = (def.code, def.vendor_id);
        if let Some(other) = by_key.insert(key, &def.name) {
            assert_eq!(other, def.name, "(code, vendor) {key:?} has two names");
        }
        if let Some(other) = by_name.insert((def.vendor_id, &def.name), key) {
            assert_eq!(
                other, key,
                "name `{}` has two (code, vendor) pairs in vendor {}",
                def.name, def.vendor_id
            );
        }
    }
}

#[test]
fn every_avp_names_its_specification() {
    let dict = shipped();
    let missing: Vec<&str> = dict
        .avps()
        .filter(|d| d.spec.as_deref().map_or(true, str::is_empty))
        .map(|d| d.name.as_str())
        .collect();
    assert!(missing.is_empty(), "AVPs without spec=: {missing:?}");
}

#[test]
fn vendor_flag_matches_vendor_id() {
    let dict = shipped();
    for def in dict.avps() {
        assert_eq!(
            def.flags.must.v,
            def.vendor_id != 0,
            "`{}`: V in must iff vendor-specific",
            def.name
        );
        assert!(
            !(def.flags.must.m && def.flags.must_not.m),
            "`{}`: M both must and must-not",
            def.name
        );
    }
}

#[test]
fn seed_avps_resolve_from_application_4() {
    let dict = shipped();
    for s in SEED_AVPS {
        let by_code = dict
            .avp(CC_APP, s.code, s.vendor)
            .unwrap_or_else(|| panic!("{} ({}/{}) not found", s.name, s.code, s.vendor));
        assert_eq!(by_code.name, s.name, "name of {}/{}", s.code, s.vendor);
        assert_eq!(
            (by_code.code, by_code.vendor_id),
            (s.code, s.vendor),
            "{}",
            s.name
        );
        assert_eq!(by_code.data_type, s.data_type, "type of {}", s.name);

        let by_name = avp_named(&dict, s.name);
        assert_eq!(
            (by_name.code, by_name.vendor_id),
            (s.code, s.vendor),
            "{}",
            s.name
        );

        let flags = by_code.default_flags();
        let byte = (u8::from(flags.v) << 7) | (u8::from(flags.m) << 6);
        if M_OVERRIDDEN_IN_VECTORS.contains(&s.name) {
            assert!(flags.m, "{}: RFC 6733 marks it M", s.name);
            assert_eq!(byte & 0x80, s.flags & 0x80, "{}: V bit", s.name);
        } else {
            assert_eq!(
                byte, s.flags,
                "{}: flags an encoder derives from `must` vs the vector",
                s.name
            );
        }
    }
}

#[test]
fn seed_order_is_consistent_with_the_command_rules() {
    let dict = shipped();
    let cmd = ccr(&dict);
    assert_order("CCR", &cmd.request, SEED_CCR_ORDER);
    assert_order("CCA", &cmd.answer, SEED_CCA_ORDER);
    for (parent, children) in SEED_GROUPS {
        assert_order(parent, &avp_named(&dict, parent).rules, children);
    }
}

#[test]
fn ccr_multiplicities_follow_rfc_4006() {
    let dict = shipped();
    let cmd = ccr(&dict);
    for name in [
        "Subscription-Id",
        "Multiple-Services-Credit-Control",
        "Used-Service-Unit",
        "Service-Parameter-Info",
        "Proxy-Info",
        "Route-Record",
    ] {
        let r = rule(&cmd.request, name);
        assert!(!r.required, "CCR {name} is optional");
        assert_eq!(r.max, None, "CCR {name} is *[ ] (unbounded)");
        assert!(r.is_repeated());
    }
    for name in [
        "Session-Id",
        "Origin-Host",
        "Origin-Realm",
        "Destination-Realm",
        "Auth-Application-Id",
        "Service-Context-Id",
        "CC-Request-Type",
        "CC-Request-Number",
    ] {
        let r = rule(&cmd.request, name);
        assert!(r.required && r.min == 1 && r.max == Some(1), "CCR {name}");
    }
    assert_eq!(
        cmd.request[0].avp, "Session-Id",
        "< Session-Id > comes first"
    );
    assert!(
        cmd.request.last().unwrap().is_wildcard(),
        "CCR ends with *[ AVP ]"
    );

    for name in [
        "Multiple-Services-Credit-Control",
        "Redirect-Host",
        "Proxy-Info",
        "Failed-AVP",
    ] {
        assert_eq!(rule(&cmd.answer, name).max, None, "CCA {name} is *[ ]");
    }
    let auth = rule(&cmd.answer, "Auth-Application-Id");
    assert!(auth.required, "CCA {{ Auth-Application-Id }}");

    let mscc = avp_named(&dict, "Multiple-Services-Credit-Control");
    for name in [
        "Used-Service-Unit",
        "Service-Identifier",
        "G-S-U-Pool-Reference",
    ] {
        assert_eq!(rule(&mscc.rules, name).max, None, "MSCC {name} is *[ ]");
    }
    assert!(
        mscc.rules.iter().any(Rule::is_wildcard),
        "MSCC has *[ AVP ]"
    );
}

#[test]
fn service_information_rule_is_vendor_qualified() {
    let dict = shipped();
    let cmd = ccr(&dict);
    for rules in [&cmd.request, &cmd.answer] {
        let r = rule(rules, "Service-Information");
        assert_eq!(r.vendor_id, Some(TGPP));
        assert_eq!(r.max, Some(1));
        let def = dict
            .rule_avp(CC_APP, r)
            .expect("Service-Information resolves");
        assert_eq!((def.code, def.vendor_id), (873, TGPP));
    }
    let aoc = rule(&cmd.request, "AoC-Request-Type");
    assert_eq!(aoc.vendor_id, Some(TGPP));
}

#[test]
fn enumerations_the_tutorial_needs() {
    let dict = shipped();
    let cc_request_type = avp_named(&dict, "CC-Request-Type");
    assert_eq!(cc_request_type.enum_code("INITIAL_REQUEST"), Some(1));
    assert_eq!(cc_request_type.enum_code("UPDATE_REQUEST"), Some(2));
    assert_eq!(cc_request_type.enum_code("TERMINATION_REQUEST"), Some(3));
    assert_eq!(cc_request_type.enum_code("EVENT_REQUEST"), Some(4));
    assert_eq!(cc_request_type.enum_name(4), Some("EVENT_REQUEST"));

    let sub_type = avp_named(&dict, "Subscription-Id-Type");
    assert_eq!(sub_type.enum_code("END_USER_E164"), Some(0));
    assert_eq!(sub_type.enum_code("END_USER_IMSI"), Some(1));
    assert_eq!(sub_type.enum_code("END_USER_PRIVATE"), Some(4));

    let checks: &[(&str, &str, i32)] = &[
        ("Requested-Action", "DIRECT_DEBITING", 0),
        ("SM-Message-Type", "SUBMISSION", 0),
        ("Address-Type", "MSISDN", 1),
        ("Termination-Cause", "DIAMETER_LOGOUT", 1),
        ("Disconnect-Cause", "DO_NOT_WANT_TO_TALK_TO_YOU", 2),
        ("Auth-Session-State", "NO_STATE_MAINTAINED", 1),
        ("Accounting-Record-Type", "EVENT_RECORD", 1),
        ("Redirect-Host-Usage", "ALL_USER", 6),
        ("Final-Unit-Action", "RESTRICT_ACCESS", 2),
        ("Reporting-Reason", "FINAL", 2),
    ];
    for (avp, item, code) in checks {
        assert_eq!(
            avp_named(&dict, avp).enum_code(item),
            Some(*code),
            "{avp} {item}"
        );
    }
    // Unsigned32 AVPs whose values are documented in comments only.
    for name in [
        "Result-Code",
        "Session-Binding",
        "Inband-Security-Id",
        "Experimental-Result-Code",
    ] {
        assert_eq!(
            avp_named(&dict, name).data_type,
            DataType::Unsigned32,
            "{name}"
        );
    }
}

#[test]
fn base_commands_and_applications() {
    let dict = shipped();
    for (short, code) in [
        ("CER", 257),
        ("RAR", 258),
        ("ASR", 274),
        ("STR", 275),
        ("DWR", 280),
        ("DPR", 282),
    ] {
        let cmd = dict
            .command_by_name(short)
            .unwrap_or_else(|| panic!("{short} is defined"));
        assert_eq!((cmd.app_id, cmd.code), (0, code), "{short}");
    }
    let acr = dict.command_by_name("ACR").expect("ACR is defined");
    assert_eq!(
        (acr.app_id, acr.code),
        (3, 271),
        "ACR lives in Base Accounting"
    );
    assert_eq!(dict.command(3, 271).map(|c| c.code), Some(271));
    // Command lookups fall back to application 0, so a Gy RAR finds the base one.
    assert_eq!(dict.command(CC_APP, 258).map(|c| c.app_id), Some(0));

    let cer = dict.command_by_name("CER").unwrap();
    let host_ip = rule(&cer.request, "Host-IP-Address");
    assert!(
        host_ip.required && host_ip.min == 1 && host_ip.max.is_none(),
        "1*{{ Host-IP-Address }}"
    );
    let dpr = dict.command_by_name("DPR").unwrap();
    assert!(
        rule(&dpr.request, "Disconnect-Cause").required,
        "RFC 6733: {{ Disconnect-Cause }}"
    );

    assert_eq!(
        dict.application(CC_APP).and_then(|a| a.kind),
        Some(AppKind::Auth)
    );
    assert_eq!(
        dict.application(3).and_then(|a| a.kind),
        Some(AppKind::Acct)
    );
    assert_eq!(dict.vendor_name(TGPP), Some("3GPP"));
}

#[test]
fn base_avps_follow_the_rfc_6733_flag_table() {
    let dict = shipped();
    for name in [
        "Error-Message",
        "Error-Reporting-Host",
        "Firmware-Revision",
        "Product-Name",
    ] {
        let def = avp_named(&dict, name);
        assert!(
            !def.flags.must.m && def.flags.must_not.m,
            "{name}: M MUST NOT"
        );
    }
    for name in [
        "Origin-Host",
        "Session-Id",
        "Result-Code",
        "Proxy-Info",
        "Route-Record",
    ] {
        let def = avp_named(&dict, name);
        assert!(
            def.flags.must.m && def.flags.must_not.v,
            "{name}: M MUST, V MUST NOT"
        );
    }
    let failed = avp_named(&dict, "Failed-AVP");
    assert!(failed
        .rules
        .iter()
        .any(|r| r.is_wildcard() && r.required && r.min == 1));
}

#[test]
fn charging_trees_are_present() {
    let dict = shipped();
    let service_information = avp_named(&dict, "Service-Information");
    for child in [
        "Subscription-Id",
        "PS-Information",
        "IMS-Information",
        "MMS-Information",
        "SMS-Information",
        "MMTel-Information",
        "AoC-Information",
    ] {
        let r = rule(&service_information.rules, child);
        let def = dict.rule_avp(CC_APP, r).unwrap();
        assert_eq!(def.data_type, DataType::Grouped, "{child}");
    }
    // Gi AVPs use the 3GPP-* names of TS 29.061 (go-diameter says TGPP-*).
    let ps = avp_named(&dict, "PS-Information");
    for child in [
        "3GPP-Charging-Id",
        "3GPP-RAT-Type",
        "3GPP-User-Location-Info",
        "Called-Station-Id",
    ] {
        rule(&ps.rules, child);
    }
    assert_eq!(avp_named(&dict, "Called-Station-Id").vendor_id, 0);
    let ims = avp_named(&dict, "IMS-Information");
    assert!(rule(&ims.rules, "Node-Functionality").required);
    assert!(dict.avps().filter(|d| d.vendor_id == TGPP).count() >= 400);
}
