//! `compare` and the foreign-format readers, on small inline sets written to a temp folder.

use std::path::PathBuf;

use diameter_dict::compare::{compare, DiffKind};
use diameter_dict::foreign::{self, Format};
use diameter_dict::{DataType, Dictionary};

/// A fresh folder under the system temp dir, named after the test.
fn folder(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "diameter-dict-compare-{test}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const OURS: &str = r#"<diameter><application id="4">
  <avp name="Result-Code" code="268" must="M"><data type="Unsigned32"/></avp>
  <avp name="Service-Selection" code="493" must="M"><data type="UTF8String"/></avp>
  <avp name="SMS-Information" code="2000" must="V" vendor-id="10415"><data type="Grouped"><rule avp="AVP"/></data></avp>
  <avp name="SIP-Method" code="824" must="V,M" vendor-id="10415"><data type="UTF8String"/></avp>
</application></diameter>"#;

fn ours() -> Dictionary {
    let mut dict = Dictionary::new();
    dict.load_str("ours.xml", OURS).unwrap();
    dict
}

#[test]
fn wireshark_folder_with_entities() {
    let dir = folder("wireshark");
    std::fs::write(
        dir.join("dictionary.xml"),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE dictionary SYSTEM "dictionary.dtd" [
	<!ENTITY TGPP SYSTEM "TGPP.xml">
]>
<dictionary>
  <base uri="x">
    <typedefn type-name="Unsigned32"/>
    <typedefn type-name="Enumerated" type-parent="Integer32"/>
    <typedefn type-name="AppId" type-parent="Unsigned32"/>
    <avp name="Result-Code" code="268" mandatory="must">
      <type type-name="Enumerated"/>
      <enum name="DIAMETER_SUCCESS" code="2001"/>
    </avp>
    <avp name="Auth-Application-Id" code="258" mandatory="must"><type type-name="AppId"/></avp>
  </base>
  &TGPP;
  <vendor vendor-id="TGPP" code="10415" name="3GPP"/>
</dictionary>"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("TGPP.xml"),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<application id="4" name="x">
  <avp name="Service-Selection" code="493" mandatory="must" vendor-id="TGPP"><type type-name="UTF8String"/></avp>
  <avp name="SMS-Information" code="2000" vendor-id="TGPP"><grouped><gavp name="X"/></grouped></avp>
  <avp name="SIP-Method" code="393" mandatory="must"><type type-name="UTF8String"/></avp>
</application>"#,
    )
    .unwrap();
    assert_eq!(
        foreign::detect(&dir.join("dictionary.xml")).unwrap(),
        Format::Wireshark
    );
    let theirs = foreign::read_wireshark(&dir).unwrap();
    let names: Vec<&str> = theirs.avps.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Result-Code",
            "Auth-Application-Id",
            "Service-Selection",
            "SMS-Information",
            "SIP-Method"
        ]
    );
    let rc = &theirs.avps[0];
    assert_eq!((rc.data_type, rc.items.len()), (DataType::Enumerated, 1));
    assert_eq!(theirs.avps[1].data_type, DataType::Unsigned32, "AppId");
    // The vendor symbol is declared after its use.
    assert_eq!(theirs.avps[2].vendor_id, 10_415);
    assert!(!theirs.avps[3].flags.must.m, "mandatory defaults to may");

    let ours = ours();
    let result = compare(ours.avps(), &theirs.avps);
    let kinds: Vec<(&str, &DiffKind)> = result
        .differences
        .iter()
        .map(|d| (d.name.as_str(), &d.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            (
                "Result-Code",
                &DiffKind::Type {
                    ours: DataType::Unsigned32,
                    theirs: DataType::Enumerated
                }
            ),
            (
                "Service-Selection",
                &DiffKind::CodeVendor {
                    ours: (493, 0),
                    theirs: (493, 10_415)
                }
            ),
        ]
    );
    assert_eq!(result.common, 2);
    // SIP-Method 393/0 (RFC 4740) is another AVP than SIP-Method 824/10415.
    let only: Vec<&str> = result.only_theirs.iter().map(|o| o.0.as_str()).collect();
    assert_eq!(only, ["Auth-Application-Id", "SIP-Method"]);
    assert_eq!(
        result.only_ours, 2,
        "Service-Selection 493/0 and SIP-Method 824"
    );
    let printed = result.differences[1].to_string();
    assert!(
        printed.contains("ours 493/0, theirs 493/10415"),
        "{printed}"
    );
}

#[test]
fn mandatory_flag_difference_and_csv() {
    let dir = folder("csv");
    let csv = dir.join("dict.csv");
    std::fs::write(
        &csv,
        "Attribute Name,AVP Code,Section defined,Value Type,MUST,MAY,SHOULD NOT,MUST NOT\n\
         @vendor,10415,,,,,,\n@standard,3GPP TS 32.299,,,,,,\n# comment,,,,,,,\n\
         SMS-Information,2000,7.2.1,Grouped,\"M,V\",P,,\n",
    )
    .unwrap();
    assert_eq!(foreign::detect(&csv).unwrap(), Format::FreeDiameterCsv);
    let theirs = foreign::read_freediameter_csv(&csv).unwrap();
    assert_eq!(theirs.avps.len(), 1);
    assert_eq!(theirs.avps[0].spec.as_deref(), Some("3GPP TS 32.299 7.2.1"));
    let ours = ours();
    let result = compare(ours.avps(), &theirs.avps);
    assert_eq!(
        result.differences[0].kind,
        DiffKind::Mandatory {
            ours: false,
            theirs: true
        }
    );
    assert!(result.differences[0]
        .to_string()
        .contains("ours -, theirs M"));
}

#[test]
fn bad_xml_is_an_error_with_a_line() {
    let dir = folder("bad");
    let file = dir.join("dictionary.xml");
    std::fs::write(
        &file,
        "<dictionary>\n<avp name=\"A\" code=\"1\">\n</dictionary>",
    )
    .unwrap();
    let err = foreign::read_wireshark(&file).unwrap_err().to_string();
    assert!(err.contains("dictionary.xml:"), "{err}");
    let missing = foreign::read_wireshark(&dir.join("nope.xml")).unwrap_err();
    assert!(missing.to_string().contains("nope.xml"));
}
