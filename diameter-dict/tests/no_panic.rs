//! Arbitrary input never panics the loader or the checker, and a failed load changes nothing.

use diameter_dict::Dictionary;
use proptest::prelude::*;

/// Pieces of dictionary XML, so that generated documents get past the root element and
/// exercise every context of the parser.
const FRAGMENTS: &[&str] = &[
    "<diameter>",
    "</diameter>",
    "<diameter/>",
    "<application id=\"4\" type=\"auth\" name=\"CC\">",
    "<application id=\"0\">",
    "<application id=\"x\">",
    "</application>",
    "<vendor id=\"10415\" name=\"3GPP\"/>",
    "<command code=\"272\" short=\"CC\" name=\"Credit-Control\">",
    "<command code=\"257\" short=\"CE\">",
    "</command>",
    "<request>",
    "</request>",
    "<answer>",
    "</answer>",
    "<rule avp=\"A\" required=\"true\" max=\"1\"/>",
    "<rule avp=\"B \" vendor-id=\"10415\" min=\"-1\" max=\"unbounded\"/>",
    "<rule avp=\"AVP\" required=\"maybe\"/>",
    "<avp name=\"A\" code=\"1\" must=\"V.M\" vendor-id=\"10415\">",
    "<avp name=\"B\" code=\"1\">",
    "<avp code=\"2\">",
    "</avp>",
    "<data type=\"Grouped\">",
    "<data type=\"Enumerated\">",
    "<data type=\"Nope\">",
    "</data>",
    "<item code=\"1\" name=\"ONE\"/>",
    "<item code=\"0xFFFFFFFFF\" name=\"BIG\"/>",
    "<!-- c -->",
    "<?pi x?>",
    "<!DOCTYPE diameter>",
    "<unknown a=\"b\">",
    "</unknown>",
    "&amp;",
    "&bogus;",
    "<",
    ">",
    "\"",
    "\n",
    " ",
];

/// Random concatenations of fragments: mostly ill-formed, reaching every parser context.
fn fragment_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(FRAGMENTS).prop_map(str::to_string),
            1 => any::<String>(),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

fn pick(values: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
    prop::sample::select(values)
}

fn rule() -> impl Strategy<Value = String> {
    (
        pick(&["A", "B", "C ", "AVP", "Missing", ""]),
        pick(&[
            "",
            " required=\"true\"",
            " required=\"False\"",
            " required=\"1\"",
            "",
            " required=\"true\"",
            " required=\"x\"",
        ]),
        pick(&[
            "",
            " max=\"1\"",
            " max=\"0\"",
            " max=\"*\"",
            " min=\"2\"",
            "",
            " max=\"1\"",
            " max=\"-\"",
        ]),
        pick(&[
            "",
            " vendor-id=\"10415\"",
            " vendor-id=\"0\"",
            "",
            "",
            " vendor-id=\"v\"",
        ]),
    )
        .prop_map(|(avp, req, count, vendor)| format!("<rule avp=\"{avp}\"{req}{count}{vendor}/>"))
}

fn avp() -> impl Strategy<Value = String> {
    (
        pick(&["A", "B", "C ", "AVP"]),
        pick(&["1", "2", "3", "0x10", "4294967295"]),
        pick(&["", "0", "10415", "2011"]),
        pick(&["Grouped", "Enumerated", "Unsigned32", "OctetString", "Float64", "IPv4"]),
        prop::collection::vec(
            prop_oneof![rule(), pick(&["<item code=\"1\" name=\"ONE\"/>", "<item code=\"-2\" name=\" TWO\"/>"]).prop_map(str::to_string)],
            0..4,
        ),
    )
        .prop_map(|(name, code, vendor, data_type, children)| {
            format!(
                "<avp name=\"{name}\" code=\"{code}\" vendor-id=\"{vendor}\" must=\"M,V\"><data type=\"{data_type}\">{}</data></avp>",
                children.concat()
            )
        })
}

fn command() -> impl Strategy<Value = String> {
    (
        pick(&["257", "272", "280"]),
        pick(&["CC", "CE", ""]),
        prop::collection::vec(rule(), 0..4),
        prop::collection::vec(rule(), 0..4),
    )
        .prop_map(|(code, short, request, answer)| {
            format!(
                "<command code=\"{code}\" short=\"{short}\" name=\"{short}-Cmd\"><request>{}</request><answer>{}</answer></command>",
                request.concat(),
                answer.concat()
            )
        })
}

/// Mostly well-formed dictionaries with random content, sometimes cut short or with a
/// random fragment spliced in.
fn structured() -> impl Strategy<Value = String> {
    let app = (
        pick(&["0", "1", "4", "16777238", "16777251", "7"]),
        prop::collection::vec(prop_oneof![3 => avp(), 1 => command()], 0..6),
    )
        .prop_map(|(id, items)| {
            format!("<application id=\"{id}\">{}</application>", items.concat())
        });
    (
        prop::collection::vec(app, 0..4),
        prop_oneof![
            6 => Just(None::<(prop::sample::Index, Option<&'static str>)>),
            2 => (any::<prop::sample::Index>(), prop::option::of(prop::sample::select(FRAGMENTS)))
                .prop_map(Some),
        ],
    )
        .prop_map(|(apps, damage)| {
            let doc = format!("<diameter>{}</diameter>", apps.concat());
            match damage {
                None => doc,
                Some((at, fragment)) => {
                    let mut at = at.index(doc.len() + 1);
                    while !doc.is_char_boundary(at) {
                        at -= 1;
                    }
                    match fragment {
                        None => doc[..at].to_string(),
                        Some(f) => format!("{}{f}{}", &doc[..at], &doc[at..]),
                    }
                }
            }
        })
}

fn documents() -> impl Strategy<Value = String> {
    prop_oneof![fragment_soup(), structured()]
}

fn exercise(dict: &Dictionary) {
    let _ = dict.check();
    for avp in dict.avps() {
        let _ = dict.avp(avp.app_id, avp.code, avp.vendor_id);
        for rule in &avp.rules {
            let _ = dict.rule_avp(16_777_238, rule);
        }
    }
    for cmd in dict.commands() {
        let _ = dict.command_by_name(&cmd.name);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>()) {
        let mut dict = Dictionary::new();
        let _ = dict.load_str("fuzz.xml", &s);
        exercise(&dict);
    }

    #[test]
    fn xml_like_documents_never_panic(doc in documents(), doc2 in documents()) {
        let mut dict = Dictionary::new();
        let first = dict.load_str("one.xml", &doc);
        exercise(&dict);
        let before = (dict.avps().count(), dict.commands().count(), dict.applications().count());
        let second = dict.load_str("two.xml", &doc2);
        exercise(&dict);
        if second.is_err() {
            let after = (dict.avps().count(), dict.commands().count(), dict.applications().count());
            prop_assert_eq!(before, after);
        }
        if let (Ok(_), Err(e)) = (&first, &second) {
            prop_assert!(e.to_string().starts_with("two.xml:"), "{}", e);
        }
    }
}
