//! Generating part of the shipped set: the selected interfaces' commands, the types they
//! reach, and names identical to a full build's.

use diameter_codegen::Builder;

fn generate(builder: Builder) -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../dictionaries");
    builder
        .dictionary(dir)
        .cargo_directives(false)
        .generate()
        .expect("shipped dictionaries generate")
        .0
}

/// The `pub struct`/`pub enum` names of a generated source.
fn items(source: &str) -> Vec<&str> {
    source
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            l.strip_prefix("pub struct ")
                .or_else(|| l.strip_prefix("pub enum "))
                .and_then(|rest| rest.split([' ', '{', '(']).next())
        })
        .collect()
}

#[test]
fn selecting_gx_keeps_its_commands_and_the_types_they_reach() {
    let full = generate(Builder::new());
    let gx = generate(
        Builder::new()
            .commands_from("base.xml")
            .commands_from("gx.xml"),
    );
    let full_items = items(&full);
    let gx_items = items(&gx);

    // Gx's CCR (its own module, named as in the full build) and a type only Gx reaches.
    assert!(
        gx.contains("pub mod credit_control_tgpp_gx"),
        "Gx CCR module kept"
    );
    assert!(gx_items.contains(&"ChargingRuleInstall"));
    // Base commands always, other interfaces' commands not.
    assert!(gx.contains("pub mod capabilities_exchange"));
    assert!(!gx.contains("pub mod update_location"), "S6a ULR left out");
    assert!(
        !gx_items.contains(&"SubscriptionData"),
        "S6a-only type left out"
    );
    // Every kept item exists, under the same name, in the full build.
    for item in &gx_items {
        assert!(full_items.contains(item), "{item} not in the full build");
    }
    assert!(
        gx_items.len() * 3 < full_items.len(),
        "{} of {}",
        gx_items.len(),
        full_items.len()
    );
    // Constants stay, except typed values of enums left out.
    assert!(gx.contains("pub const APP_3GPP_S6A_S6D"));
    assert!(gx.contains("pub const AVP_TGPP_SUBSCRIPTION_DATA"));
}

#[test]
fn selecting_by_application_id_equals_selecting_its_file() {
    let by_file = generate(
        Builder::new()
            .commands_from("base.xml")
            .commands_from("rx.xml"),
    );
    let by_app = generate(
        Builder::new()
            .commands_from("base.xml")
            .application(16777236),
    );
    assert_eq!(by_file, by_app);
}

#[test]
fn a_selection_matching_no_file_generates_no_command() {
    let full = generate(Builder::new());
    let all = generate(Builder::new().commands_from("zzz-no-such-file.xml"));
    assert_ne!(full, all, "a selection that matches nothing generates less");
    assert!(!all.contains("pub mod credit_control"));
}
