//! Merging several sources and the go-diameter lookup rules.

use diameter_dict::{AppKind, DataType, Dictionary, Location};

const GX: u32 = 16_777_238;
const S6A: u32 = 16_777_251;
const RX: u32 = 16_777_236;

fn load(dict: &mut Dictionary, source: &str, xml: &str) -> Vec<diameter_dict::Diagnostic> {
    dict.load_str(source, xml)
        .unwrap_or_else(|e| panic!("{source}: {e}"))
}

fn avp(name: &str, code: u32, vendor: u32, data_type: &str) -> String {
    format!(
        r#"<avp name="{name}" code="{code}" vendor-id="{vendor}"><data type="{data_type}"/></avp>"#
    )
}

fn app(id: u32, body: &str) -> String {
    format!(r#"<diameter><application id="{id}">{body}</application></diameter>"#)
}

#[test]
fn one_application_extended_by_two_sources() {
    let mut dict = Dictionary::new();
    let first = format!(
        "<diameter>\n<application id=\"4\" type=\"auth\" name=\"Charging Control\">{}</application></diameter>",
        avp("CC-Input-Octets", 412, 0, "Unsigned64")
    );
    let second = format!(
        "<diameter><application id=\"4\" name=\"TGPP\">{}</application></diameter>",
        avp("Service-Information", 873, 10415, "Grouped")
    );
    let third = format!(
        "<diameter><application id=\"4\" type=\"auth\">{}</application></diameter>",
        avp("Quota-Holding-Time", 258, 12645, "Unsigned32")
    );
    load(&mut dict, "cc.xml", &first);
    load(&mut dict, "ro.xml", &second);
    load(&mut dict, "vodafone.xml", &third);

    assert_eq!(dict.applications().count(), 1);
    let app = dict.application(4).unwrap();
    // Last non-empty name, type kept from a file that gives one, location of the first.
    assert_eq!(app.name, "TGPP");
    assert_eq!(app.kind, Some(AppKind::Auth));
    assert_eq!(
        app.location,
        Location {
            source: "cc.xml".into(),
            line: 2
        }
    );
    assert_eq!(dict.application_by_name("charging control").unwrap().id, 4);
    assert_eq!(dict.application_by_name("TGPP").unwrap().id, 4);
    assert!(dict.application_by_name("Gx").is_none());

    assert_eq!(dict.avp(4, 412, 0).unwrap().name, "CC-Input-Octets");
    assert_eq!(dict.avp(4, 873, 10415).unwrap().name, "Service-Information");
    assert_eq!(
        dict.avp(4, 258, 12645).unwrap().location.source,
        "vodafone.xml"
    );
    assert_eq!(dict.avps().count(), 3);
    assert!(dict.avps().all(|a| a.app_id == 4));
}

/// AVPs in apps 0, 1 and 4 seen from Gx, S6a, Rx and an unknown application.
fn chain_dictionary() -> Dictionary {
    let mut dict = Dictionary::new();
    let base = app(
        0,
        &[
            avp("Origin-Host", 264, 0, "DiameterIdentity"),
            avp("Shadowed", 1000, 0, "UTF8String"),
        ]
        .concat(),
    );
    let nasreq = app(1, &avp("NAS-Port", 5, 0, "Unsigned32"));
    let cc = app(
        4,
        &[
            avp("Shadowed", 1000, 0, "Unsigned32"),
            avp("Service-Information", 873, 10415, "Grouped"),
        ]
        .concat(),
    );
    let gx = app(GX, &avp("Bearer-Usage", 1000, 10415, "Enumerated"));
    load(&mut dict, "base.xml", &base);
    load(&mut dict, "nasreq.xml", &nasreq);
    load(&mut dict, "cc.xml", &cc);
    load(&mut dict, "gx.xml", &gx);
    dict
}

#[test]
fn avp_lookup_walks_app_parent_base() {
    let dict = chain_dictionary();

    // Gx -> 4: the 3GPP AVP of the credit-control application.
    let si = dict.avp(GX, 873, 10415).unwrap();
    assert_eq!((si.name.as_str(), si.app_id), ("Service-Information", 4));
    assert_eq!(
        dict.avp_by_name(GX, "Service-Information").unwrap().app_id,
        4
    );
    assert_eq!(
        dict.avp_by_name(S6A, "Service-Information").unwrap().app_id,
        4
    );
    // 4 -> 1 -> 0.
    assert_eq!(dict.avp(GX, 5, 0).unwrap().name, "NAS-Port");
    assert_eq!(dict.avp(GX, 264, 0).unwrap().app_id, 0);
    // The nearest application wins: app 4's definition shadows app 0's.
    assert_eq!(
        dict.avp(GX, 1000, 0).unwrap().data_type,
        DataType::Unsigned32
    );
    assert_eq!(
        dict.avp(0, 1000, 0).unwrap().data_type,
        DataType::UTF8String
    );
    // Rx has no parent: straight to 0; the other applications only after the chain.
    assert_eq!(dict.avp(RX, 873, 10415).unwrap().app_id, 4);
    assert_eq!(dict.avp(RX, 5, 0).unwrap().app_id, 1);
    assert_eq!(dict.avp(RX, 1000, 0).unwrap().app_id, 0, "the chain wins");
    assert_eq!(dict.avp_by_name(RX, "Origin-Host").unwrap().code, 264);
    assert_eq!(dict.avp_by_name(RX, "NAS-Port").unwrap().app_id, 1);
    assert_eq!(dict.avp_by_name(RX, "Shadowed").unwrap().app_id, 0);
    assert_eq!(
        dict.avp_by_name_vendor(RX, "Bearer-Usage", 10415)
            .unwrap()
            .app_id,
        GX
    );
    // An exact (code, vendor) in another application beats the vendor-less fallback.
    assert_eq!(dict.avp(0, 1000, 10415).unwrap().name, "Bearer-Usage");
    // An application no file defines still falls back to 0.
    assert_eq!(dict.avp(999, 264, 0).unwrap().name, "Origin-Host");
    assert!(dict.avp(999, 12345, 0).is_none());
}

#[test]
fn vendor_less_retry_after_the_whole_chain() {
    let dict = chain_dictionary();
    // (1000, 10415) exists in Gx itself: exact match.
    assert_eq!(dict.avp(GX, 1000, 10415).unwrap().name, "Bearer-Usage");
    // (873, 0) exists nowhere: any vendor, along the chain.
    assert_eq!(dict.avp(GX, 873, 0).unwrap().name, "Service-Information");
    // (1000, 0) exists in app 4: the exact match along the chain beats the vendor-less
    // match in Gx itself.
    assert_eq!(dict.avp(GX, 1000, 0).unwrap().name, "Shadowed");
    // (1000, 99) exists nowhere: the vendor-less retry finds Gx's own definition first.
    assert_eq!(dict.avp(GX, 1000, 99).unwrap().name, "Bearer-Usage");
    assert_eq!(dict.avp(0, 264, 10415).unwrap().name, "Origin-Host");
}

#[test]
fn vendor_less_retry_takes_the_last_definition_loaded() {
    let mut dict = Dictionary::new();
    load(
        &mut dict,
        "a.xml",
        &app(4, &avp("Bearer-Capability", 3, 10415, "OctetString")),
    );
    load(
        &mut dict,
        "b.xml",
        &app(4, &avp("Huawei-Bearer-Capability", 3, 2011, "OctetString")),
    );
    assert_eq!(dict.avp(4, 3, 10415).unwrap().name, "Bearer-Capability");
    assert_eq!(dict.avp(4, 3, 0).unwrap().name, "Huawei-Bearer-Capability");
}

#[test]
fn name_lookup_with_and_without_vendor() {
    let mut dict = Dictionary::new();
    load(
        &mut dict,
        "ro.xml",
        &app(4, &avp("Quota-Holding-Time", 871, 10415, "Unsigned32")),
    );
    load(
        &mut dict,
        "vodafone.xml",
        &app(4, &avp("Quota-Holding-Time", 258, 12645, "Unsigned32")),
    );
    // go-diameter's vendor-less name index: the last one loaded.
    assert_eq!(
        dict.avp_by_name(4, "Quota-Holding-Time").unwrap().vendor_id,
        12645
    );
    assert_eq!(
        dict.avp_by_name_vendor(4, "Quota-Holding-Time", 10415)
            .unwrap()
            .code,
        871
    );
    assert_eq!(
        dict.avp_by_name_vendor(GX, "Quota-Holding-Time", 12645)
            .unwrap()
            .code,
        258
    );
    assert!(dict
        .avp_by_name_vendor(4, "Quota-Holding-Time", 0)
        .is_none());
    assert!(
        dict.avp_by_name(4, "quota-holding-time").is_none(),
        "names are case-sensitive"
    );
}

#[test]
fn rule_vendor_id_extension_selects_the_vendor() {
    let xml = r#"<diameter><application id="4">
  <avp name="Bearer-Capability" code="3" vendor-id="10415"><data type="OctetString"/></avp>
  <avp name="Bearer-Capability" code="20332" vendor-id="2011"><data type="OctetString"/></avp>
  <avp name="Holder" code="9000" vendor-id="2011"><data type="Grouped">
    <rule avp="Bearer-Capability" vendor-id="10415" max="1"/>
    <rule avp="Bearer-Capability" vendor-id="2011" max="1"/>
    <rule avp="Bearer-Capability" max="1"/>
    <rule avp="Bearer-Capability" vendor-id="99" max="1"/>
  </data></avp>
</application></diameter>"#;
    let mut dict = Dictionary::new();
    load(&mut dict, "v.xml", xml);
    let holder = dict.avp_by_name(4, "Holder").unwrap();
    let vendors: Vec<_> = holder.rules.iter().map(|r| r.vendor_id).collect();
    assert_eq!(vendors, [Some(10415), Some(2011), None, Some(99)]);
    let found: Vec<_> = holder
        .rules
        .iter()
        .map(|r| dict.rule_avp(4, r).map(|a| a.code))
        .collect();
    assert_eq!(found, [Some(3), Some(20332), Some(20332), None]);
    // From Gx, through the chain.
    assert_eq!(dict.rule_avp(GX, &holder.rules[0]).unwrap().code, 3);

    let warnings = dict.check();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert_eq!(warnings[0].location.line, 3);
    assert!(warnings[0]
        .message
        .contains("`Bearer-Capability` in application 4 is defined twice"));
    assert_eq!(warnings[1].location.line, 8);
    assert_eq!(
        warnings[1].message,
        "AVP `Holder` (code 9000) in application 4: rule names unknown AVP `Bearer-Capability` (vendor 99)"
    );
}

#[test]
fn rule_lookup_searches_every_application_when_the_chain_fails() {
    let mut dict = Dictionary::new();
    let base = r#"<diameter><application id="0">
  <avp name="Container" code="1" ><data type="Grouped">
    <rule avp="Rx-Only"/><rule avp="Nowhere"/><rule avp="AVP"/>
  </data></avp></application></diameter>"#;
    load(&mut dict, "base.xml", base);
    load(
        &mut dict,
        "rx.xml",
        &app(RX, &avp("Rx-Only", 500, 10415, "Unsigned32")),
    );
    let rules = &dict.avp(0, 1, 0).unwrap().rules;
    assert_eq!(dict.rule_avp(0, &rules[0]).unwrap().app_id, RX);
    assert!(dict.rule_avp(0, &rules[1]).is_none());
    assert!(rules[2].is_wildcard());
    let warnings = dict.check();
    let messages: Vec<_> = warnings.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        ["AVP `Container` (code 1) in application 0: rule names unknown AVP `Nowhere`"]
    );
}

#[test]
fn redefinition_replaces_with_a_warning_only_when_it_differs() {
    let mut dict = Dictionary::new();
    load(&mut dict, "ro.xml", "<diameter><application id=\"4\">\n<avp name=\"TGPP-IMSI\" code=\"1\" vendor-id=\"10415\"><data type=\"UTF8String\"/></avp></application></diameter>");
    // Same name and type: silent.
    let same = load(
        &mut dict,
        "ro2.xml",
        &app(4, &avp("TGPP-IMSI", 1, 10415, "UTF8String")),
    );
    assert!(same.is_empty(), "{same:?}");
    // Other name: replaced, with a warning naming both places.
    let renamed = load(
        &mut dict,
        "cgr.xml",
        &app(4, &avp("3GPP-IMSI", 1, 10415, "UTF8String")),
    );
    assert_eq!(renamed.len(), 1);
    assert_eq!(renamed[0].location.source, "cgr.xml");
    assert_eq!(
        renamed[0].message,
        "AVP 1 (vendor 10415) in application 4 redefined: `3GPP-IMSI` (UTF8String) replaces `TGPP-IMSI` (UTF8String) defined at ro2.xml:1"
    );
    // Other type: replaced, with a warning.
    let retyped = load(
        &mut dict,
        "x.xml",
        &app(4, &avp("3GPP-IMSI", 1, 10415, "OctetString")),
    );
    assert_eq!(retyped.len(), 1);
    assert!(retyped[0]
        .message
        .contains("(OctetString) replaces `3GPP-IMSI` (UTF8String)"));

    // Only the last definition is in effect and found by code...
    let in_effect: Vec<_> = dict.avps().map(|a| a.location.source.as_str()).collect();
    assert_eq!(in_effect, ["x.xml"]);
    assert_eq!(
        dict.avp(4, 1, 10415).unwrap().data_type,
        DataType::OctetString
    );
    // ...but, as in go-diameter, the replaced name still resolves (CGRateS configs use both
    // TGPP-IMSI and 3GPP-IMSI).
    let old = dict.avp_by_name(4, "TGPP-IMSI").unwrap();
    assert_eq!((old.code, old.location.source.as_str()), (1, "ro2.xml"));
    assert_eq!(
        dict.avp_by_name(4, "3GPP-IMSI").unwrap().location.source,
        "x.xml"
    );
    // Definitions in different applications never replace each other.
    assert!(load(
        &mut dict,
        "gx.xml",
        &app(GX, &avp("Other", 1, 10415, "Unsigned32"))
    )
    .is_empty());
    assert_eq!(dict.avps().count(), 2);
}

#[test]
fn commands_by_code_and_name() {
    let xml = r#"<diameter>
  <application id="0">
    <command code="257" short="CE" name="Capabilities-Exchange"/>
    <command code="258" short="RA" name="Re-Auth"/>
  </application>
  <application id="4"><command code="272" short="CC" name="Credit-Control"/></application>
  <application id="16777238">
    <command code="272" short="CC" name="Credit-Control"/>
    <command code="258" short="RA" name="Re-Auth"/>
  </application>
</diameter>"#;
    let mut dict = Dictionary::new();
    load(&mut dict, "c.xml", xml);
    // By code, falling back to application 0.
    assert_eq!(dict.command(4, 272).unwrap().app_id, 4);
    assert_eq!(dict.command(GX, 272).unwrap().app_id, GX);
    assert_eq!(dict.command(4, 257).unwrap().name, "Capabilities-Exchange");
    assert_eq!(dict.command(4, 258).unwrap().app_id, 0);
    assert_eq!(dict.command(GX, 258).unwrap().app_id, GX);
    assert!(dict.command(4, 999).is_none());
    // By name: full, abbreviated, -Request/-Answer, any case; the first loaded wins.
    for name in [
        "CCR",
        "cca",
        "Credit-Control",
        "CREDIT-CONTROL",
        "Credit-Control-Request",
        "credit-control-answer",
    ] {
        let cmd = dict
            .command_by_name(name)
            .unwrap_or_else(|| panic!("{name}"));
        assert_eq!((cmd.code, cmd.app_id), (272, 4), "{name}");
    }
    assert_eq!(dict.command_by_name("CER").unwrap().code, 257);
    assert_eq!(dict.command_by_name("RAA").unwrap().app_id, 0);
    assert!(dict.command_by_name("CC").is_none());
    assert!(dict.command_by_name("XYZ").is_none());
    // Scoped to an application, falling back to 0.
    assert_eq!(dict.command_in(GX, "CCR").unwrap().app_id, GX);
    assert_eq!(dict.command_in(GX, "re-auth").unwrap().app_id, GX);
    assert_eq!(dict.command_in(4, "RAR").unwrap().app_id, 0);
    assert_eq!(dict.command_in(RX, "CER").unwrap().code, 257);
    assert!(dict.command_in(RX, "CCR").is_none());
}

#[test]
fn vendor_names_from_anywhere() {
    let xml = r#"<diameter>
  <vendor id="1234" name="Test1"/>
  <application id="4"><vendor id="10415" name="TGPP"/></application>
</diameter>"#;
    let mut dict = Dictionary::new();
    load(&mut dict, "v.xml", xml);
    assert_eq!(dict.vendor_name(1234), Some("Test1"));
    assert_eq!(dict.vendor_name(10415), Some("TGPP"));
    assert_eq!(dict.vendor_name(0), None);
    load(
        &mut dict,
        "w.xml",
        r#"<diameter><vendor id="10415" name="3GPP"/><vendor id="1234" name=""/></diameter>"#,
    );
    assert_eq!(dict.vendor_name(10415), Some("3GPP"));
    assert_eq!(
        dict.vendor_name(1234),
        Some("Test1"),
        "an empty name does not erase"
    );
    assert_eq!(dict.vendors().count(), 2);
}

#[test]
fn check_reports_content_that_does_not_fit_the_type() {
    let xml = r#"<diameter><application id="0">
<avp name="Enum-No-Items" code="1"><data type="Enumerated"/></avp>
<avp name="Int-With-Items" code="2"><data type="Unsigned32"><item code="1" name="ONE"/></data></avp>
<avp name="Int-With-Rules" code="3"><data type="Unsigned32"><rule avp="Enum-No-Items"/></data></avp>
<avp name="Empty-Group" code="4"><data type="Grouped"/></avp>
<avp name="Good-Group" code="5"><data type="Grouped"><rule avp="Enum-No-Items"/><rule avp="AVP"/></data></avp>
<command code="6" short="X" name="X-Cmd"><request><rule avp="Missing-In-Request"/></request><answer><rule avp="Good-Group"/><rule avp="Missing-In-Answer"/></answer></command>
</application></diameter>"#;
    let mut dict = Dictionary::new();
    load(&mut dict, "chk.xml", xml);
    let got: Vec<_> = dict
        .check()
        .into_iter()
        .map(|d| (d.location.line, d.message))
        .collect();
    assert_eq!(
        got,
        [
            (
                3,
                "AVP `Int-With-Items` (code 2) of type Unsigned32 has enumerated items (ignored)"
                    .to_string()
            ),
            (
                4,
                "AVP `Int-With-Rules` (code 3) of type Unsigned32 has member rules (ignored)"
                    .to_string()
            ),
            (
                5,
                "AVP `Empty-Group` (code 4) of type Grouped has no member rules".to_string()
            ),
            (
                7,
                "command `X-Cmd` (6) in application 0: rule names unknown AVP `Missing-In-Request`"
                    .to_string()
            ),
            (
                7,
                "command `X-Cmd` (6) in application 0: rule names unknown AVP `Missing-In-Answer`"
                    .to_string()
            ),
        ]
    );
}

#[test]
fn load_path_walks_folders_in_cgrates_order() {
    let root = std::env::temp_dir().join(format!("diameter-dict-walk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("a/deeper")).unwrap();
    std::fs::create_dir_all(root.join("z")).unwrap();
    let write = |path: &str, name: &str| {
        std::fs::write(root.join(path), app(9, &avp(name, 1, 0, "Unsigned32"))).unwrap();
    };
    // Each file redefines AVP 1 of app 9 with another name: the warnings give the order.
    write("c.xml", "From-c");
    write("b.xml", "From-b");
    write("a/deeper/d.xml", "From-a-deeper-d");
    write("a/x.xml", "From-a-x");
    write("z/y.xml", "From-z-y");
    std::fs::write(root.join("notes.txt"), "not a dictionary").unwrap();
    std::fs::write(root.join("a/README"), "<not xml").unwrap();

    let mut dict = Dictionary::new();
    let warnings = dict.load_path(&root).unwrap();
    let order: Vec<_> = warnings
        .iter()
        .map(|d| d.message.split('`').nth(1).unwrap().to_string())
        .collect();
    // The folder's own files first (b, c), then sub-folders in name order, each folder's
    // files before its own sub-folders.
    assert_eq!(order, ["From-c", "From-a-x", "From-a-deeper-d", "From-z-y"]);
    assert_eq!(dict.avp(9, 1, 0).unwrap().name, "From-z-y");
    assert!(warnings[0].location.source.ends_with("c.xml"));

    // A single file.
    let mut one = Dictionary::new();
    assert!(one.load_path(root.join("b.xml")).unwrap().is_empty());
    assert_eq!(one.avp(9, 1, 0).unwrap().name, "From-b");
    // A missing path is an I/O error naming it.
    let err = one.load_path(root.join("missing")).unwrap_err();
    assert!(matches!(err, diameter_dict::DictError::Io { .. }));
    assert!(err.to_string().contains("missing"), "{err}");
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn shipped_dictionaries_load_cleanly_with_their_source_names() {
    let dict = Dictionary::shipped().unwrap();
    assert!(dict.avps().count() > 0);
    let ccr = dict.command_by_name("CCR").unwrap();
    assert_eq!((ccr.code, ccr.app_id), (272, 4));
    assert_eq!(dict.command_by_name("CER").unwrap().app_id, 0);
    for avp in dict.avps() {
        assert!(
            avp.location.source.starts_with("dictionaries/"),
            "{}",
            avp.location
        );
    }
    for cmd in dict.commands() {
        assert!(
            cmd.location.source.starts_with("dictionaries/"),
            "{}",
            cmd.location
        );
    }
    let warnings = dict.check();
    assert!(warnings.is_empty(), "{warnings:#?}");
}

#[test]
fn user_files_may_redefine_shipped_commands_but_not_their_own() {
    let sy = r#"<diameter><application id="16777302" type="auth" name="Sy">
        <command code="8388635" short="SL" name="Spending-Limit">
          <request><rule avp="Session-Id" required="true" max="1"/></request>
          <answer><rule avp="Session-Id" required="true" max="1"/></answer>
        </command></application></diameter>"#;
    let mut dict = diameter_dict::Dictionary::shipped().unwrap();
    let warnings = dict.load_str("cgrates/sy.xml", sy).unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.message.contains("replaces the shipped definition")),
        "{warnings:?}"
    );
    let cmd = dict.command(16777302, 8388635).unwrap();
    assert_eq!(cmd.location.source, "cgrates/sy.xml");
    assert_eq!(cmd.request.len(), 1);
    assert_eq!(dict.commands().filter(|c| c.code == 8388635).count(), 1);
    // Loading it twice on top is a duplicate of a user definition: an error naming both.
    let err = dict.load_str("again.xml", sy).unwrap_err().to_string();
    assert!(
        err.contains("again.xml:2") && err.contains("cgrates/sy.xml"),
        "{err}"
    );
}
