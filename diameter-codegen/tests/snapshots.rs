//! Generated code for small fixture dictionaries, pinned with insta.

use diameter_dict::Dictionary;

fn generate(fixture: &str) -> String {
    let path = format!("{}/tests/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"));
    let xml = std::fs::read_to_string(&path).unwrap();
    let mut dict = Dictionary::new();
    dict.load_str(fixture, &xml).unwrap();
    let (source, warnings) = diameter_codegen::generate_with(&dict, "::diameter", &[]);
    if warnings.is_empty() {
        source
    } else {
        format!("// warnings:\n// {}\n\n{source}", warnings.join("\n// "))
    }
}

#[test]
fn enumerated() {
    // Non-identifier item names, an item named like the catch-all, duplicate names, and an
    // Enumerated without items (an i32).
    insta::assert_snapshot!(generate("enum.xml"));
}

#[test]
fn grouped() {
    insta::assert_snapshot!(generate("grouped.xml"));
}

#[test]
fn nested_grouped() {
    // A grouped member of a group is boxed; a required Time member means no Default.
    insta::assert_snapshot!(generate("nested.xml"));
}

#[test]
fn vendor_avp() {
    insta::assert_snapshot!(generate("vendor.xml"));
}

#[test]
fn repeated_member() {
    insta::assert_snapshot!(generate("repeated.xml"));
}

#[test]
fn name_clash() {
    // One name, three vendors; a Rust keyword; names the generated code uses itself.
    insta::assert_snapshot!(generate("clash.xml"));
}

#[test]
fn application_inheritance() {
    // Gx's CCR names AVPs of Credit-Control (4) and of the base (0), and one nobody defines;
    // its module gets the application name.
    insta::assert_snapshot!(generate("inheritance.xml"));
}

#[test]
fn unknown_type_error() {
    let path = format!(
        "{}/tests/fixtures/unknown_type.xml",
        env!("CARGO_MANIFEST_DIR")
    );
    let err = diameter_codegen::Builder::new()
        .dictionary(&path)
        .cargo_directives(false)
        .generate()
        .unwrap_err();
    let message = err
        .to_string()
        .replace(env!("CARGO_MANIFEST_DIR"), "<crate>");
    insta::assert_snapshot!(message);
}

#[test]
fn builder_writes_the_file_and_embeds_the_dictionaries() {
    let dir = std::env::temp_dir().join(format!("diameter-codegen-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fixtures = format!("{}/tests/fixtures/grouped.xml", env!("CARGO_MANIFEST_DIR"));
    let generated = diameter_codegen::Builder::new()
        .dictionary(&fixtures)
        .out_dir(&dir)
        .cargo_directives(false)
        .compile()
        .unwrap();
    let source = std::fs::read_to_string(&generated.path).unwrap();
    assert!(source.contains("pub struct SubscriptionId {"));
    assert!(source.contains("pub fn dictionary()"));
    assert!(source.contains("include_str!("));
    assert_eq!(generated.sources.len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn not_allowed_avp() {
    // `allowed="false"` (the RFC's `0*0`): no field, a `not_allowed` attribute instead.
    insta::assert_snapshot!(generate("not_allowed.xml"));
}
