//! Consistency warnings on a merged dictionary ([`Dictionary::check`]).

use std::collections::HashMap;

use crate::dictionary::{Diagnostic, Dictionary};
use crate::model::{AvpDef, DataType, Rule};

/// Every warning, in definition order: AVPs first, then commands.
pub(crate) fn check(dict: &Dictionary) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut names: HashMap<(u32, &str), &AvpDef> = HashMap::new();
    for def in dict.avps() {
        check_content(def, &mut out);
        let owner = format!("AVP `{}` (code {})", def.name, def.code);
        dangling_rules(dict, def.app_id, &owner, &def.rules, &mut out);
        match names.get(&(def.app_id, def.name.as_str())) {
            Some(first) if (first.code, first.vendor_id) != (def.code, def.vendor_id) => {
                out.push(warning(
                    def.location.clone(),
                    format!(
                        "AVP name `{}` in application {} is defined twice: code {} vendor {} here, code {} vendor {} at {}",
                        def.name, def.app_id, def.code, def.vendor_id, first.code, first.vendor_id, first.location
                    ),
                ));
            }
            Some(_) => {}
            None => {
                names.insert((def.app_id, def.name.as_str()), def);
            }
        }
    }
    for cmd in dict.commands() {
        let owner = format!("command `{}` ({})", cmd.name, cmd.code);
        dangling_rules(dict, cmd.app_id, &owner, &cmd.request, &mut out);
        dangling_rules(dict, cmd.app_id, &owner, &cmd.answer, &mut out);
    }
    out
}

/// Items only on Enumerated AVPs, rules only on Grouped ones, and Grouped AVPs have rules.
fn check_content(def: &AvpDef, out: &mut Vec<Diagnostic>) {
    let what = || {
        format!(
            "AVP `{}` (code {}) of type {}",
            def.name, def.code, def.data_type
        )
    };
    if !def.items.is_empty() && def.data_type != DataType::Enumerated {
        let message = format!("{} has enumerated items (ignored)", what());
        out.push(warning(def.location.clone(), message));
    }
    match def.data_type {
        DataType::Grouped if def.rules.is_empty() => {
            let message = format!("{} has no member rules", what());
            out.push(warning(def.location.clone(), message));
        }
        DataType::Grouped => {}
        _ if !def.rules.is_empty() => {
            let message = format!("{} has member rules (ignored)", what());
            out.push(warning(def.location.clone(), message));
        }
        _ => {}
    }
}

/// Rules naming an AVP that no application defines (the `AVP` wildcard is fine).
fn dangling_rules(
    dict: &Dictionary,
    app_id: u32,
    owner: &str,
    rules: &[Rule],
    out: &mut Vec<Diagnostic>,
) {
    for rule in rules {
        if rule.is_wildcard() || dict.rule_avp(app_id, rule).is_some() {
            continue;
        }
        let vendor = rule
            .vendor_id
            .map(|v| format!(" (vendor {v})"))
            .unwrap_or_default();
        let message = format!(
            "{owner} in application {app_id}: rule names unknown AVP `{}`{vendor}",
            rule.avp
        );
        out.push(warning(rule.location.clone(), message));
    }
}

fn warning(location: crate::model::Location, message: String) -> Diagnostic {
    Diagnostic { location, message }
}
