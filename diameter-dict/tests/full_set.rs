//! The whole shipped set (`dictionaries/*.xml`): IETF and 3GPP interfaces loaded together.
//!
//! Consistency rules: every rule (command or grouped member) resolves to a defined AVP of
//! the vendor it names; no (code, vendor) pair is defined twice, in one file or across files;
//! names are unique per vendor, also after ignoring case and punctuation (the typed-message
//! compiler turns names into identifiers); at least 1,400 distinct AVPs; and each interface
//! application has its commands with request and answer rules.

use std::collections::HashMap;
use std::path::PathBuf;

use diameter_dict::{AvpDef, DataType, Dictionary, Rule};

const TGPP: u32 = 10_415;

fn dictionaries_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("dictionaries")
}

fn xml_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dictionaries_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    files.sort();
    files
}

fn shipped() -> Dictionary {
    Dictionary::shipped().expect("the shipped set loads")
}

#[test]
fn the_set_is_embedded_whole_and_loads_cleanly() {
    let mut disk = Dictionary::new();
    let warnings = disk.load_path(dictionaries_dir()).unwrap();
    assert!(warnings.is_empty(), "load warnings: {warnings:#?}");
    let check = disk.check();
    assert!(check.is_empty(), "check(): {check:#?}");
    let embedded = shipped();
    assert_eq!(embedded.avps().count(), disk.avps().count());
    assert_eq!(embedded.commands().count(), disk.commands().count());
    assert!(
        xml_files().len() >= 20,
        "one file per interface: {:?}",
        xml_files()
    );
}

#[test]
fn every_rule_resolves_to_an_avp_of_its_vendor() {
    let dict = shipped();
    let mut dangling = Vec::new();
    let mut visit = |owner: String, app_id: u32, rules: &[Rule]| {
        for rule in rules.iter().filter(|r| !r.is_wildcard()) {
            match dict.rule_avp(app_id, rule) {
                None => dangling.push(format!("{owner}: {}", rule.avp)),
                Some(def) => {
                    let vendor = rule.vendor_id.unwrap_or(0);
                    if def.vendor_id != vendor {
                        dangling.push(format!(
                            "{owner}: `{}` resolves to vendor {}, the rule says {vendor}",
                            rule.avp, def.vendor_id
                        ));
                    }
                }
            }
        }
    };
    for def in dict.avps() {
        visit(format!("AVP {}", def.name), def.app_id, &def.rules);
    }
    for cmd in dict.commands() {
        let owner = format!("{} ({})", cmd.name, cmd.app_id);
        visit(format!("{owner} request"), cmd.app_id, &cmd.request);
        visit(format!("{owner} answer"), cmd.app_id, &cmd.answer);
    }
    assert!(dangling.is_empty(), "unresolved rules: {dangling:#?}");
}

#[test]
fn no_code_vendor_pair_is_defined_twice() {
    // Each file on its own (so a pair defined in two files is seen twice), and the raw
    // `<avp ` count of each file (so a pair defined twice in one file is seen too).
    let mut first: HashMap<(u32, u32), (String, String)> = HashMap::new();
    let mut twice = Vec::new();
    for file in xml_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut dict = Dictionary::new();
        dict.load_str(&file.display().to_string(), &text).unwrap();
        let defs: Vec<&AvpDef> = dict.avps().collect();
        assert_eq!(
            defs.len(),
            text.matches("<avp ").count(),
            "{}: an AVP is defined twice in the file",
            file.display()
        );
        for def in defs {
            let here = (def.name.clone(), file.display().to_string());
            if let Some((name, other)) = first.insert((def.code, def.vendor_id), here) {
                twice.push(format!(
                    "{}/{}: `{name}` in {other} and `{}` in {}",
                    def.code,
                    def.vendor_id,
                    def.name,
                    file.display()
                ));
            }
        }
    }
    assert!(twice.is_empty(), "pairs defined twice: {twice:#?}");
    assert!(
        first.len() >= 1_400,
        "{} distinct AVPs, at least 1,400 expected",
        first.len()
    );
}

#[test]
fn names_are_unique_per_vendor_even_as_identifiers() {
    let dict = shipped();
    let mut seen: HashMap<(u32, String), &AvpDef> = HashMap::new();
    let mut clashes = Vec::new();
    for def in dict.avps() {
        let folded: String = def
            .name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if let Some(other) = seen.insert((def.vendor_id, folded), def) {
            clashes.push(format!(
                "vendor {}: `{}` ({}) and `{}` ({})",
                def.vendor_id, other.name, other.code, def.name, def.code
            ));
        }
    }
    assert!(clashes.is_empty(), "name clashes: {clashes:#?}");
}

#[test]
fn definitions_are_complete() {
    let dict = shipped();
    for def in dict.avps() {
        let spec = def.spec.as_deref().unwrap_or("");
        assert!(
            spec.split_whitespace().count() >= 2,
            "`{}`: spec names a document and a clause, got {spec:?}",
            def.name
        );
        assert_eq!(
            def.flags.must.v,
            def.vendor_id != 0,
            "`{}`: V flag",
            def.name
        );
        assert!(
            !(def.flags.must.m && def.flags.must_not.m),
            "`{}`: M both must and must-not",
            def.name
        );
        // RFC 6733 E2E-Sequence `2* { AVP }`, Failed-AVP `1* { AVP }`; RFC 5777 QoS-Parameters
        // `*[ AVP ]`.
        let open_ended =
            ["E2E-Sequence", "Failed-AVP", "QoS-Parameters"].contains(&def.name.as_str());
        if def.data_type == DataType::Grouped && !open_ended {
            assert!(
                def.rules.iter().any(|r| !r.is_wildcard()),
                "`{}`: grouped without members",
                def.name
            );
        }
    }
    let enumerated = dict
        .avps()
        .filter(|d| d.data_type == DataType::Enumerated)
        .count();
    let with_items = dict
        .avps()
        .filter(|d| d.data_type == DataType::Enumerated && !d.items.is_empty())
        .count();
    assert!(
        with_items * 100 >= enumerated * 97,
        "{with_items} of {enumerated} enumerated AVPs list their values"
    );
}

/// (application id, command codes) every interface of the set defines.
const INTERFACES: &[(u32, &str, &[u32])] = &[
    (1, "NASREQ", &[265]),
    (5, "EAP", &[268]),
    (8, "MIP6A", &[325]),
    (16_777_238, "Gx", &[272, 258]),
    (16_777_266, "Gxx", &[272, 258]),
    (16_777_303, "Sd", &[8_388_637, 272, 258]),
    (16_777_236, "Rx", &[265, 258, 275, 274]),
    (
        16_777_251,
        "S6a/S6d",
        &[316, 317, 318, 319, 320, 321, 322, 323],
    ),
    (16_777_252, "S13", &[324]),
    (16_777_216, "Cx/Dx", &[300, 301, 302, 303, 304, 305]),
    (16_777_217, "Sh", &[306, 307, 308, 309]),
    (16_777_265, "SWx", &[301, 303, 304, 305]),
    (16_777_272, "S6b", &[265, 268]),
    (16_777_264, "SWm", &[265, 268]),
    (16_777_250, "STa", &[265, 268]),
    (16_777_302, "Sy", &[8_388_635, 8_388_636, 275]),
    (16_777_345, "S6t", &[8_388_718, 8_388_719, 8_388_726]),
    (
        16_777_346,
        "T6a",
        &[8_388_718, 8_388_719, 8_388_732, 8_388_733, 8_388_734],
    ),
];

#[test]
fn every_interface_has_its_commands_with_rules() {
    let dict = shipped();
    for (app, name, codes) in INTERFACES {
        assert!(
            dict.application(*app).is_some(),
            "{name}: application {app}"
        );
        for code in *codes {
            let cmd = dict
                .commands()
                .find(|c| c.app_id == *app && c.code == *code)
                .unwrap_or_else(|| panic!("{name}: command {code} in application {app}"));
            for (side, rules) in [("request", &cmd.request), ("answer", &cmd.answer)] {
                let first = rules.first().map(|r| r.avp.as_str());
                assert_eq!(first, Some("Session-Id"), "{name} {} {side}", cmd.name);
                let session = &rules[0];
                assert!(session.required && session.max == Some(1));
                assert!(
                    rules.iter().any(|r| r.avp == "Origin-Host" && r.required),
                    "{name} {} {side}: {{ Origin-Host }}",
                    cmd.name
                );
            }
        }
    }
}

#[test]
fn avps_of_one_interface_are_found_from_another() {
    let dict = shipped();
    const RX: u32 = 16_777_236;
    const GX: u32 = 16_777_238;
    // Supported-Features (TS 29.229) lives in application 4 and is carried by Rx, Cx, Sh...
    let sf = dict.avp(RX, 628, TGPP).expect("Supported-Features from Rx");
    assert_eq!((sf.name.as_str(), sf.app_id), ("Supported-Features", 4));
    // An S6a AVP seen from Sh, whose chain (Sh -> 0) does not hold it.
    let sd = dict
        .avp(16_777_217, 1400, TGPP)
        .expect("Subscription-Data from Sh");
    assert_eq!(
        (sd.name.as_str(), sd.app_id),
        ("Subscription-Data", 16_777_251)
    );
    // The Gi 3GPP-* AVPs (application 4) from Rx: not the vendor-less User-Name.
    assert_eq!(dict.avp(RX, 1, TGPP).unwrap().name, "3GPP-IMSI");
    assert_eq!(dict.avp(RX, 1, 0).unwrap().name, "User-Name");
    // Gx inherits application 4 and reaches Rx's AVPs through the all-application step.
    let mcd = dict.avp_by_name(GX, "Media-Component-Description").unwrap();
    assert_eq!((mcd.code, mcd.vendor_id), (517, TGPP));
}

#[test]
fn spec_facts_of_well_known_avps() {
    let dict = shipped();
    let avp = |code, vendor| {
        dict.avp(0, code, vendor)
            .unwrap_or_else(|| panic!("{code}/{vendor}"))
    };
    // RFC 5447: IETF, not 3GPP (go-diameter had vendor 10415).
    assert_eq!(avp(486, 0).name, "MIP6-Agent-Info");
    assert_eq!(avp(493, 0).name, "Service-Selection");
    // ETSI TS 183 017 Reservation-Priority (go-diameter had vendor 10415).
    assert_eq!(avp(458, 13_019).name, "Reservation-Priority");
    // TS 29.212: QoS-Class-Identifier is Enumerated with QCI_1 = 1.
    let qci = avp(1028, TGPP);
    assert_eq!(qci.data_type, DataType::Enumerated);
    assert_eq!(qci.enum_code("QCI_1"), Some(1));
    // TS 29.272: ULR-Flags Unsigned32, Subscription-Data grouped with MSISDN.
    assert_eq!(avp(1405, TGPP).data_type, DataType::Unsigned32);
    assert!(avp(1400, TGPP).rules.iter().any(|r| r.avp == "MSISDN"));
    // Cx User-Data and Sh User-Data are different AVPs.
    assert_eq!(avp(606, TGPP).name, "User-Data");
    assert_eq!(avp(702, TGPP).name, "User-Data-29.329");
    // RFC 4072 DER: { EAP-Payload } required once.
    let der = dict.command(5, 268).unwrap();
    let payload = der.request.iter().find(|r| r.avp == "EAP-Payload").unwrap();
    assert!(payload.required && payload.min == 1 && payload.max == Some(1));
}

#[test]
fn stats_count_per_application_and_vendor() {
    let dict = shipped();
    let stats = dict.stats();
    assert_eq!(stats.total.avps, dict.avps().count());
    assert!(stats.distinct_avps >= 1_400);
    let tgpp = stats.vendors.iter().find(|(id, _, _)| *id == TGPP).unwrap();
    assert_eq!(tgpp.1, "3GPP");
    let sum: usize = stats.vendors.iter().map(|(_, _, c)| c.avps).sum();
    assert_eq!(sum, stats.total.avps);
    let s6a = stats
        .applications
        .iter()
        .find(|(id, _, _)| *id == 16_777_251)
        .unwrap();
    assert_eq!(s6a.2.commands, 8);
    let commands: usize = stats.applications.iter().map(|(_, _, c)| c.commands).sum();
    assert_eq!(commands, dict.commands().count());
}
