//! The go-diameter and CGRateS dictionaries load unchanged, alone and merged.
//!
//! Three small go-diameter files (BSD, see `tests/data/go-diameter/NOTICE`) are bundled so
//! that some of these tests always run. The full reference set lives outside the repository:
//! set `DIAMETER_REFERENCE_DICTS` to its folder (default `../../shared/reference-dicts` from
//! this crate); the tests that need it are skipped when it is absent.

use std::path::{Path, PathBuf};

use diameter_dict::{AppKind, DataType, DictError, Dictionary};

const CC: u32 = 4;
const GX: u32 = 16_777_238;
const S6A: u32 = 16_777_251;
const S13: u32 = 16_777_252;
const TGPP: u32 = 10415;

/// go-diameter's `dict.Default`, in its loading order (every testdata file but diameter_sy).
const GO_DIAMETER_DEFAULT: [&str; 9] = [
    "base.xml",
    "credit_control.xml",
    "gx_credit_control.xml",
    "network_access_server.xml",
    "tgpp_ro_rf.xml",
    "tgpp_rx.xml",
    "tgpp_s6a.xml",
    "tgpp_s13.xml",
    "tgpp_swx.xml",
];

fn bundled(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/go-diameter")
        .join(file)
}

/// The reference folder, or `None` (with a note on stderr) when it is not there.
fn reference_dicts() -> Option<PathBuf> {
    let dir = match std::env::var_os("DIAMETER_REFERENCE_DICTS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference-dicts"),
    };
    if dir.join("go-diameter").is_dir() && dir.join("cgrates").is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: reference dictionaries not found at {}",
            dir.display()
        );
        None
    }
}

fn xml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            xml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "xml") {
            out.push(path);
        }
    }
}

fn load_file(dict: &mut Dictionary, path: &Path) -> Vec<diameter_dict::Diagnostic> {
    dict.load_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn counts(dict: &Dictionary) -> (usize, usize, usize) {
    (
        dict.applications().count(),
        dict.commands().count(),
        dict.avps().count(),
    )
}

// ---- bundled copies: always run ----------------------------------------------------------

#[test]
fn bundled_go_diameter_files_load_alone() {
    // (file, applications, commands, AVPs); AVP counts are `grep -c '<avp '` of each file.
    let expected = [
        ("base.xml", 2, 7, 57),
        ("credit_control.xml", 1, 1, 51),
        ("tgpp_s13.xml", 1, 1, 5),
    ];
    for (file, apps, commands, avps) in expected {
        let mut dict = Dictionary::new();
        let warnings = load_file(&mut dict, &bundled(file));
        assert!(warnings.is_empty(), "{file}: {warnings:?}");
        assert_eq!(counts(&dict), (apps, commands, avps), "{file}");
    }
}

#[test]
fn bundled_base_xml_content() {
    let mut dict = Dictionary::new();
    load_file(&mut dict, &bundled("base.xml"));
    let base = dict.application(0).unwrap();
    assert_eq!((base.name.as_str(), base.kind), ("Base", None));
    let acct = dict.application(3).unwrap();
    assert_eq!(
        (acct.name.as_str(), acct.kind),
        ("Base Accounting", Some(AppKind::Acct))
    );

    let cer = dict.command_by_name("CER").unwrap();
    assert_eq!(
        (cer.code, cer.name.as_str(), cer.app_id),
        (257, "Capabilities-Exchange", 0)
    );
    assert_eq!(cer.request.len(), 12);
    assert_eq!(cer.answer.len(), 15);
    // <rule avp="Host-IP-Address" required="true" min="1"/>
    let host_ip = cer
        .request
        .iter()
        .find(|r| r.avp == "Host-IP-Address")
        .unwrap();
    assert!(host_ip.required);
    assert_eq!((host_ip.min, host_ip.max), (1, None));
    // <rule avp="Supported-Vendor-Id" required="False"/>
    let svi = cer
        .request
        .iter()
        .find(|r| r.avp == "Supported-Vendor-Id")
        .unwrap();
    assert!(!svi.required);
    assert_eq!(svi.max, None);

    let origin_host = dict.avp(0, 264, 0).unwrap();
    assert_eq!(origin_host.name, "Origin-Host");
    assert_eq!(origin_host.data_type, DataType::DiameterIdentity);
    assert!(origin_host.flags.must.m && origin_host.flags.must_not.v);
    let disconnect = dict.avp_by_name(0, "Disconnect-Cause").unwrap();
    assert_eq!(disconnect.enum_name(2), Some("DO_NOT_WANT_TO_TALK_TO_YOU"));

    // base.xml alone: Acct-Session-Id is named twice by ACR/ACA but never defined, and
    // Failed-AVP is a Grouped AVP without rules.
    let warnings = dict.check();
    let messages: Vec<_> = warnings.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "AVP `Failed-AVP` (code 279) of type Grouped has no member rules",
            "command `Accounting` (271) in application 0: rule names unknown AVP `Acct-Session-Id`",
            "command `Accounting` (271) in application 0: rule names unknown AVP `Acct-Session-Id`",
        ]
    );
}

#[test]
fn bundled_files_merged() {
    let mut dict = Dictionary::new();
    for file in ["base.xml", "credit_control.xml", "tgpp_s13.xml"] {
        assert!(load_file(&mut dict, &bundled(file)).is_empty(), "{file}");
    }
    assert_eq!(counts(&dict), (4, 9, 57 + 51 + 5));

    let ccr = dict.command_by_name("CCR").unwrap();
    assert_eq!(
        (ccr.code, ccr.app_id, ccr.name.as_str()),
        (272, CC, "Credit-Control")
    );
    assert_eq!(dict.command(CC, 272), Some(ccr));
    assert_eq!(dict.command(CC, 280).unwrap().name, "Device-Watchdog");
    assert_eq!(dict.command(S13, 324).unwrap().name, "ME-Identity-Check");
    assert_eq!(dict.command_by_name("ECR").unwrap().app_id, S13);

    // Base AVPs are seen from every application.
    assert_eq!(dict.avp(CC, 264, 0).unwrap().app_id, 0);
    assert_eq!(dict.avp(S13, 296, 0).unwrap().name, "Origin-Realm");
    // S13 has no parent: application 4 is searched only after the chain (0) ...
    assert_eq!(dict.avp(CC, 416, 0).unwrap().name, "CC-Request-Type");
    assert_eq!(dict.avp(S13, 416, 0).unwrap().app_id, CC);
    // ... and rules may name AVPs of any application.
    let rule = ccr
        .request
        .iter()
        .find(|r| r.avp == "CC-Request-Type")
        .unwrap();
    assert_eq!(dict.rule_avp(S13, rule).unwrap().code, 416);
    // Vendor-less retry.
    assert_eq!(dict.avp(CC, 264, TGPP).unwrap().name, "Origin-Host");
}

// ---- the full reference set: skipped when absent -------------------------------------------

#[test]
fn every_reference_file_loads_alone() {
    let Some(root) = reference_dicts() else {
        return;
    };
    let mut files = Vec::new();
    xml_files(&root.join("go-diameter"), &mut files);
    xml_files(&root.join("cgrates"), &mut files);
    assert_eq!(files.len(), 11 + 10, "{files:?}");
    for file in &files {
        let mut dict = Dictionary::new();
        load_file(&mut dict, file);
        dict.check();
    }
}

#[test]
fn reference_counts() {
    let Some(root) = reference_dicts() else {
        return;
    };
    // (file, commands, AVPs in effect, warnings). AVP definitions counted with grep; files
    // with fewer AVPs in effect than definitions redefine some (same code and vendor).
    let expected = [
        ("go-diameter/base.xml", 7, 57, 0),
        ("go-diameter/credit_control.xml", 1, 51, 0),
        ("go-diameter/gx_credit_control.xml", 2, 39, 0),
        ("go-diameter/tgpp_ro_rf.xml", 0, 383, 0),
        ("go-diameter/tgpp_swx.xml", 3, 59, 0),
        // two enum item names end in a tab
        ("go-diameter/network_access_server.xml", 5, 76, 2),
        // 162 definitions; 4 rule names end in a space
        ("go-diameter/tgpp_rx.xml", 4, 161, 4),
        // 109 definitions
        ("go-diameter/tgpp_s6a.xml", 8, 105, 0),
        // 374 definitions; code 5 is defined under two names
        ("cgrates/base/3gpp_vendor.xml", 0, 372, 1),
        ("cgrates/base/nasreq.xml", 5, 76, 2),
        ("cgrates/sy/diameter_sy.xml", 2, 11, 0),
        ("cgrates/noAppDict/noAppDict.xml", 0, 0, 0),
    ];
    for (file, commands, avps, warnings) in expected {
        let mut dict = Dictionary::new();
        let got = load_file(&mut dict, &root.join(file));
        assert_eq!(
            (dict.commands().count(), dict.avps().count(), got.len()),
            (commands, avps, warnings),
            "{file}: {got:?}"
        );
    }
    let mut empty = Dictionary::new();
    load_file(&mut empty, &root.join("cgrates/noAppDict/noAppDict.xml"));
    assert_eq!(counts(&empty), (0, 0, 0));
}

/// go-diameter's defaults, its example, then CGRateS's folder on top (CGRateS's
/// `dictionaries_append_defaults`).
fn everything(root: &Path) -> (Dictionary, Vec<diameter_dict::Diagnostic>) {
    let mut dict = Dictionary::new();
    let mut warnings = Vec::new();
    for file in GO_DIAMETER_DEFAULT {
        warnings.extend(load_file(&mut dict, &root.join("go-diameter").join(file)));
    }
    assert_eq!(counts(&dict), (9, 31, 936));
    warnings.extend(load_file(&mut dict, &root.join("go-diameter/diam_app.xml")));
    warnings.extend(load_file(&mut dict, &root.join("cgrates")));
    (dict, warnings)
}

#[test]
fn everything_merged_in_go_diameter_order() {
    let Some(root) = reference_dicts() else {
        return;
    };
    let (dict, warnings) = everything(&root);
    assert_eq!(counts(&dict), (12, 38, 1113));
    // CGRateS's 3gpp_vendor.xml renames go-diameter's TGPP-* Gi AVPs (13 of them) and
    // defines code 5 twice; the rest are trimmed names.
    let redefined = warnings
        .iter()
        .filter(|d| d.message.contains("redefined"))
        .count();
    assert_eq!((warnings.len(), redefined), (23, 14), "{warnings:?}");

    let ids: Vec<_> = dict.applications().map(|a| a.id).collect();
    assert_eq!(
        ids,
        [0, 3, 4, GX, 1, 16_777_236, S6A, S13, 16_777_265, 999, 6, 16_777_302]
    );
    assert_eq!(dict.vendor_name(TGPP), Some("3GPP"));
    assert_eq!(dict.vendor_name(2011), Some("Huawei"));
    assert_eq!(dict.vendor_name(1234), Some("Test1"));

    // Gx -> 4: 3GPP charging AVPs defined in application 4 are found from Gx and S6a.
    let si = dict.avp(GX, 873, TGPP).unwrap();
    assert_eq!(
        (si.name.as_str(), si.app_id, si.data_type),
        ("Service-Information", CC, DataType::Grouped)
    );
    assert_eq!(dict.avp_by_name(GX, "SMS-Information").unwrap().code, 2000);
    assert_eq!(
        dict.avp(S6A, 873, TGPP).unwrap().name,
        "Service-Information"
    );
    // Gx's own definitions come first.
    assert_eq!(dict.avp(GX, 1027, TGPP).unwrap().app_id, GX);
    // 4 -> 1: NASREQ AVPs from the credit-control application (and from Gx).
    assert_eq!(dict.avp_by_name(GX, "Framed-IP-Address").unwrap().code, 8);
    // Vendor-less retry: Service-Information asked for without its vendor.
    assert_eq!(dict.avp(CC, 873, 0).unwrap().vendor_id, TGPP);
    // Huawei's Bearer-Capability vs 3GPP's.
    assert_eq!(
        dict.avp_by_name_vendor(CC, "Bearer-Capability", 2011)
            .unwrap()
            .vendor_id,
        2011
    );

    // Both TGPP-IMSI (go-diameter) and 3GPP-IMSI (CGRateS) resolve, to code 1.
    assert_eq!(dict.avp(CC, 1, TGPP).unwrap().name, "3GPP-IMSI");
    assert_eq!(dict.avp_by_name(GX, "TGPP-IMSI").unwrap().code, 1);
    assert_eq!(dict.avp_by_name(GX, "3GPP-IMSI").unwrap().code, 1);

    let ccr = dict.command_by_name("CCR").unwrap();
    assert_eq!((ccr.code, ccr.app_id), (272, CC));
    assert_eq!(dict.command_in(GX, "CCR").unwrap().app_id, GX);
    assert_eq!(dict.command(16_777_302, 8_388_636).unwrap().short, "SN");
    assert_eq!(dict.command_by_name("AAR").unwrap().app_id, 1);

    // Every rule of every CCR resolves except the known go-diameter gaps.
    for rule in ccr.request.iter().chain(&ccr.answer) {
        assert!(dict.rule_avp(CC, rule).is_some(), "CCR rule {}", rule.avp);
    }
    assert!(!dict.check().is_empty());
}

#[test]
fn go_diameter_and_cgrates_sy_clash() {
    let Some(root) = reference_dicts() else {
        return;
    };
    let mut dict = Dictionary::new();
    load_file(&mut dict, &root.join("cgrates/sy/diameter_sy.xml"));
    let err = dict
        .load_path(root.join("go-diameter/diameter_sy.xml"))
        .unwrap_err();
    let DictError::Invalid { location, message } = err else {
        panic!("{err:?}")
    };
    assert!(
        location.source.ends_with("go-diameter/diameter_sy.xml"),
        "{location}"
    );
    assert!(
        message.starts_with(
            "duplicate command 8388635 `Spending-Limit` in application 16777302 (first defined at "
        ),
        "{message}"
    );
    assert!(message.contains("cgrates/sy/diameter_sy.xml:"), "{message}");
}
