//! Load errors name the file, the line and the item; tolerated quirks load like go-diameter.

use diameter_dict::{AppKind, DataType, DictError, Dictionary, FlagSet, Location};

/// The (location, message) of a load error that must be `Invalid`.
fn load_err(source: &str, xml: &str) -> (Location, String) {
    match Dictionary::new().load_str(source, xml) {
        Err(DictError::Invalid { location, message }) => (location, message),
        Err(other) => panic!("expected an Invalid error, got {other:?}"),
        Ok(warnings) => panic!("expected an error, loaded with warnings {warnings:?}"),
    }
}

fn at(source: &str, line: u32) -> Location {
    Location {
        source: source.to_string(),
        line,
    }
}

#[test]
fn unknown_data_type_names_the_avp_and_its_line() {
    let xml = r#"<diameter>
  <application id="4">
    <avp name="Foo" code="123">
      <data type="Bar"/>
    </avp>
  </application>
</diameter>"#;
    let (location, message) = load_err("bad.xml", xml);
    assert_eq!(location, at("bad.xml", 4));
    assert_eq!(message, "AVP `Foo` (code 123): unsupported data type `Bar`");
}

#[test]
fn error_display_is_file_line_message() {
    let xml = "<diameter>\n<application id=\"abc\"/>\n</diameter>";
    let err = Dictionary::new().load_str("x.xml", xml).unwrap_err();
    assert_eq!(
        err.to_string(),
        "x.xml:2: application id `abc`: invalid number"
    );
}

#[test]
fn bad_numbers_name_the_item() {
    let cases = [
        (
            "<diameter>\n<application id=\"abc\"/></diameter>",
            2,
            "application id `abc`: invalid number",
        ),
        (
            "<diameter><application id=\"4\">\n\n<avp name=\"Foo\" code=\"12x\"><data type=\"Unsigned32\"/></avp></application></diameter>",
            3,
            "AVP `Foo` code `12x`: invalid number",
        ),
        (
            "<diameter><application id=\"4\">\n<avp name=\"Foo\" code=\"1\" vendor-id=\"3GPP\"><data type=\"Unsigned32\"/></avp></application></diameter>",
            2,
            "AVP `Foo` (code 1) vendor-id `3GPP`: invalid number",
        ),
        (
            "<diameter><application id=\"4\">\n<command code=\"-272\" short=\"CC\" name=\"Credit-Control\"/></application></diameter>",
            2,
            "command `Credit-Control` code `-272`: invalid number",
        ),
        (
            "<diameter><application id=\"4\"><command code=\"272\" name=\"CC\"><request>\n<rule avp=\"Session-Id\" max=\"one\"/></request></command></application></diameter>",
            2,
            "rule `Session-Id` max `one`: invalid number",
        ),
        (
            "<diameter><application id=\"4\">\n<avp name=\"E\" code=\"1\"><data type=\"Enumerated\">\n<item code=\"x1\" name=\"ONE\"/></data></avp></application></diameter>",
            3,
            "AVP `E` (code 1) item `ONE` code `x1`: invalid number",
        ),
        (
            "<diameter>\n<vendor id=\"ten\" name=\"3GPP\"/></diameter>",
            2,
            "vendor id `ten`: invalid number",
        ),
        (
            "<diameter><application id=\"4\"><command code=\"272\" name=\"CC\"><request>\n<rule avp=\"Session-Id\" required=\"yes\"/></request></command></application></diameter>",
            2,
            "rule `Session-Id` required `yes`: invalid boolean",
        ),
    ];
    for (xml, line, expected) in cases {
        let (location, message) = load_err("n.xml", xml);
        assert_eq!((location, message.as_str()), (at("n.xml", line), expected));
    }
}

#[test]
fn duplicate_command_across_files_names_both_places() {
    let base = "<diameter>\n  <application id=\"4\">\n    <command code=\"272\" short=\"CC\" name=\"Credit-Control\"/>\n  </application>\n</diameter>";
    let again = "<diameter>\n<application id=\"4\">\n\n<command code=\"272\" short=\"CC\" name=\"Credit-Control\"/>\n<avp name=\"New\" code=\"9\"><data type=\"Unsigned32\"/></avp>\n</application>\n</diameter>";
    let mut dict = Dictionary::new();
    dict.load_str("base.xml", base).unwrap();
    let err = dict.load_str("cc.xml", again).unwrap_err();
    let DictError::Invalid { location, message } = err else {
        panic!("not Invalid: {err:?}");
    };
    assert_eq!(location, at("cc.xml", 4));
    assert_eq!(
        message,
        "duplicate command 272 `Credit-Control` in application 4 (first defined at base.xml:3)"
    );
    // A failed load leaves the dictionary as it was.
    assert!(dict.avp(4, 9, 0).is_none());
    assert_eq!(dict.commands().count(), 1);
}

#[test]
fn duplicate_command_within_one_file() {
    let xml = "<diameter><application id=\"0\">\n<command code=\"280\" short=\"DW\" name=\"Device-Watchdog\"/>\n<command code=\"280\" short=\"DW\" name=\"Device-Watchdog\"/>\n</application></diameter>";
    let (location, message) = load_err("dw.xml", xml);
    assert_eq!(location, at("dw.xml", 3));
    assert_eq!(
        message,
        "duplicate command 280 `Device-Watchdog` in application 0 (first defined at dw.xml:2)"
    );
}

#[test]
fn same_command_code_in_two_applications_is_fine() {
    let xml = r#"<diameter>
  <application id="4"><command code="272" short="CC" name="Credit-Control"/></application>
  <application id="16777238"><command code="272" short="CC" name="Credit-Control"/></application>
</diameter>"#;
    let mut dict = Dictionary::new();
    dict.load_str("two.xml", xml).unwrap();
    assert_eq!(dict.commands().count(), 2);
}

#[test]
fn malformed_xml_is_located() {
    let mismatched = "<diameter>\n<application id=\"4\">\n<avp name=\"A\" code=\"1\"><data type=\"Unsigned32\"/></vendor>\n</application>\n</diameter>";
    let (location, message) = load_err("m.xml", mismatched);
    assert_eq!(location, at("m.xml", 3));
    assert!(message.starts_with("malformed XML"), "{message}");

    let (location, message) = load_err("cut.xml", "<diameter>\n<application id=\"4\">\n");
    assert_eq!(location, at("cut.xml", 3));
    assert_eq!(
        message,
        "malformed XML: unexpected end of document, <application> is not closed"
    );

    let (location, message) = load_err("attr.xml", "<diameter>\n\n<application id=4/></diameter>");
    assert_eq!(location, at("attr.xml", 3));
    assert!(message.starts_with("malformed XML"), "{message}");

    let (_, message) = load_err(
        "entity.xml",
        "<diameter><application name=\"&bogus;\"/></diameter>",
    );
    assert!(message.starts_with("malformed XML"), "{message}");
}

#[test]
fn the_root_must_be_diameter() {
    let (location, message) = load_err("r.xml", "<?xml version=\"1.0\"?>\n<dictionary/>");
    assert_eq!(location, at("r.xml", 2));
    assert_eq!(message, "root element is <dictionary>, expected <diameter>");

    let (_, message) = load_err("empty.xml", "  <!-- nothing -->\n");
    assert_eq!(message, "no <diameter> root element");
}

#[test]
fn missing_required_attributes() {
    let cases = [
        (
            "<diameter><application id=\"4\">\n<avp name=\"Foo\"><data type=\"Unsigned32\"/></avp></application></diameter>",
            "AVP `Foo`: missing attribute `code`",
        ),
        (
            "<diameter><application id=\"4\">\n<avp code=\"123\"><data type=\"Unsigned32\"/></avp></application></diameter>",
            "AVP (code 123): missing attribute `name`",
        ),
        (
            "<diameter><application id=\"4\">\n<avp name=\"  \" code=\"\"><data type=\"Unsigned32\"/></avp></application></diameter>",
            "AVP: missing attribute `name`",
        ),
        (
            "<diameter><application id=\"4\">\n<command short=\"CC\" name=\"Credit-Control\"/></application></diameter>",
            "command `Credit-Control`: missing attribute `code`",
        ),
        (
            "<diameter><application id=\"4\">\n<avp name=\"Foo\" code=\"1\"></avp></application></diameter>",
            "AVP `Foo` (code 1): missing data type (<data type=\"...\">)",
        ),
    ];
    for (xml, expected) in cases {
        let (location, message) = load_err("a.xml", xml);
        assert_eq!((location, message.as_str()), (at("a.xml", 2), expected));
    }
}

/// Everything go-diameter tolerates loads.
#[test]
fn tolerated_quirks() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE diameter SYSTEM "dictionary.dtd">
<?some-tool option="x"?>
<!-- a comment -->
<diameter xmlns:x="urn:example" format="2">
  <documentation>free text <b>with markup</b></documentation>
  <x:extra><application id="77" name="Hidden"/></x:extra>
  <application id=" 0x4 " type="AUTH" name="Charging Control" owner="me">
    <command code="272" short="CC" name="Credit-Control" color="blue">
      <request>
        <rule avp="Session-Id" required="True" max="1"/>
        <rule avp="Subscription-Id" required="False" max="unbounded"/>
        <rule avp="Proxy-Info" required="FALSE" max="*"/>
        <rule avp="Route-Record" required="1" min="2" max="0"/>
        <note>ignored</note>
      </request>
      <answer/>
      <rule avp="NotInRequestOrAnswer"/>
    </command>
    <avp name="CC-Money" code="413" must="V.M" may="P,M" must-not="-" may-encrypt="y" unknown="1"
         spec="RFC 4006 8.22">
      <comment>ignored element</comment>
      <data type="Grouped">
        <rule avp="Unit-Value" required="true" max="1"/>
        <rule avp="Currency-Code" required="0" min="0" max="1"/>
        <item code="9" name="IGNORED-ON-GROUPED"/>
      </data>
    </avp>
    <avp name="Tariff" code="0x1BB" must="" may="" must-not="M,V" may-encrypt="-"><data type="Unsigned32"/></avp>
  </application>
</diameter>
<this-is-never-read"#;
    let mut dict = Dictionary::new();
    let warnings = dict.load_str("quirks.xml", xml).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");

    let app = dict.application(4).unwrap();
    assert_eq!(app.kind, Some(AppKind::Auth));
    assert_eq!(app.name, "Charging Control");
    assert_eq!(app.location, at("quirks.xml", 8));
    assert!(
        dict.application(77).is_none(),
        "applications inside unknown elements are ignored"
    );

    let cmd = dict.command(4, 272).unwrap();
    let rules: Vec<_> = cmd
        .request
        .iter()
        .map(|r| (r.avp.as_str(), r.required, r.min, r.max))
        .collect();
    assert_eq!(
        rules,
        [
            ("Session-Id", true, 0, Some(1)),
            ("Subscription-Id", false, 0, None),
            ("Proxy-Info", false, 0, None),
            ("Route-Record", true, 2, None),
        ]
    );
    assert!(cmd.answer.is_empty());
    assert_eq!(cmd.request[0].location, at("quirks.xml", 11));

    let money = dict.avp(4, 413, 0).unwrap();
    assert_eq!(money.data_type, DataType::Grouped);
    assert_eq!(money.vendor_id, 0);
    assert_eq!(
        money.flags.must,
        FlagSet {
            v: true,
            m: true,
            p: false
        }
    );
    assert_eq!(
        money.flags.may,
        FlagSet {
            v: false,
            m: true,
            p: true
        }
    );
    assert_eq!(money.flags.must_not, FlagSet::default());
    assert!(money.flags.may_encrypt);
    assert_eq!(money.spec.as_deref(), Some("RFC 4006 8.22"));
    assert_eq!(money.rules.len(), 2);
    assert_eq!(money.items.len(), 1, "items are kept; check() reports them");
    assert_eq!(money.location, at("quirks.xml", 20));

    let tariff = dict.avp_by_name(4, "Tariff").unwrap();
    assert_eq!(tariff.code, 443);
    assert_eq!(
        tariff.flags.must_not,
        FlagSet {
            v: true,
            m: true,
            p: false
        }
    );
    assert!(!tariff.flags.may_encrypt);
    assert_eq!(tariff.spec, None);
}

#[test]
fn empty_documents_load() {
    for xml in [
        "<diameter/>",
        "<?xml version=\"1.0\"?>\n<diameter>\n\n</diameter>\n",
        "<diameter><application id=\"1\"/></diameter>",
    ] {
        let mut dict = Dictionary::new();
        assert_eq!(dict.load_str("e.xml", xml).unwrap(), []);
        assert_eq!(dict.avps().count(), 0);
        assert!(dict.check().is_empty());
    }
}

#[test]
fn names_with_surrounding_whitespace_are_trimmed_with_a_warning() {
    let xml = "<diameter><application id=\"16777236\">\n<command code=\"265\" short=\"AA\" name=\"AA\"><request>\n<rule avp=\"Session-Id \" required=\"true\" max=\"1\"/>\n</request></command>\n<avp name=\" Session-Id\" code=\"263\"><data type=\"Enumerated\">\n<item code=\"1\" name=\"ONE\t\"/></data></avp>\n</application></diameter>";
    let mut dict = Dictionary::new();
    let warnings = dict.load_str("rx.xml", xml).unwrap();
    let got: Vec<_> = warnings
        .iter()
        .map(|d| (d.location.line, d.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                3,
                "rule AVP name `Session-Id ` has surrounding whitespace, read as `Session-Id`"
            ),
            (
                5,
                "AVP name ` Session-Id` has surrounding whitespace, read as `Session-Id`"
            ),
            (
                6,
                "item name `ONE\t` has surrounding whitespace, read as `ONE`"
            ),
        ]
    );
    assert!(warnings.iter().all(|d| d.location.source == "rx.xml"));
    let rule = &dict.command(16_777_236, 265).unwrap().request[0];
    assert_eq!(rule.avp, "Session-Id");
    assert_eq!(dict.rule_avp(16_777_236, rule).unwrap().code, 263);
    assert_eq!(
        dict.avp(16_777_236, 263, 0).unwrap().enum_code("ONE"),
        Some(1)
    );
}

#[test]
fn enumerated_values_accept_negative_and_hex() {
    let xml = r#"<diameter><application id="0"><avp name="E" code="1"><data type="Enumerated">
        <item code="-1" name="MINUS_ONE"/><item code="0x10" name="SIXTEEN"/>
        <item code="0xFFFFFFFF" name="ALL_ONES"/><item name="NO_CODE"/>
    </data></avp></application></diameter>"#;
    let mut dict = Dictionary::new();
    dict.load_str("e.xml", xml).unwrap();
    let avp = dict.avp(0, 1, 0).unwrap();
    let items: Vec<_> = avp
        .items
        .iter()
        .map(|i| (i.code, i.name.as_str()))
        .collect();
    assert_eq!(
        items,
        [
            (-1, "MINUS_ONE"),
            (16, "SIXTEEN"),
            (-1, "ALL_ONES"),
            (0, "NO_CODE")
        ]
    );
}

/// A command whose request has the rule `rule` (Session-Id and Result-Code are base AVPs).
fn command_with_rule(rule: &str) -> String {
    format!(
        "<diameter><application id=\"16777999\">\n<command code=\"8388999\" short=\"FB\" name=\"Forbid\"><request>\n{rule}\n</request><answer/></command></application></diameter>"
    )
}

#[test]
fn allowed_false_is_a_0star0_rule() {
    let mut dict = Dictionary::shipped().unwrap();
    dict.load_str(
        "forbid.xml",
        &command_with_rule(r#"<rule avp="Result-Code" required="false" allowed="false"/>"#),
    )
    .unwrap();
    let rule = &dict.command(16_777_999, 8_388_999).unwrap().request[0];
    assert_eq!((rule.min, rule.max), (0, Some(0)));
    assert!(rule.is_forbidden());
    assert!(!rule.is_repeated());
    // go-diameter's `max="0"` stays unbounded.
    dict.load_str(
        "unbounded.xml",
        &command_with_rule(r#"<rule avp="Result-Code" required="false" max="0"/>"#)
            .replace("16777999", "16777998"),
    )
    .unwrap();
    let rule = &dict.command(16_777_998, 8_388_999).unwrap().request[0];
    assert_eq!(rule.max, None);
}

#[test]
fn a_rule_both_required_and_not_allowed_is_refused() {
    let (location, message) = load_err(
        "forbid.xml",
        &command_with_rule(r#"<rule avp="Result-Code" required="true" allowed="false"/>"#),
    );
    assert_eq!(location, at("forbid.xml", 3));
    assert_eq!(
        message,
        "rule `Result-Code` is both required and not allowed"
    );
    let (_, message) = load_err(
        "forbid.xml",
        &command_with_rule(r#"<rule avp="Result-Code" allowed="maybe"/>"#),
    );
    assert_eq!(
        message,
        "rule `Result-Code` allowed `maybe`: invalid boolean"
    );
}
