//! The shipped dictionaries against python-diameter 0.9.0's: command AVP lists and
//! enumerated values.
//!
//! `tests/common/python_dictionary.py` dumps python-diameter's message classes (per command
//! code, with the applications each serves) and its `E_<AVP>_<VALUE>` constants as JSON.
//! For every command both define, the test lists the AVPs one side has and the other does
//! not, and the AVPs whose required-ness or single/repeated use differ; for every AVP both
//! define as Enumerated, the values only one side has and the values named differently.
//! The list must equal `tests/data/python_dictionary_differences.txt`, where each known
//! difference carries the reason (the specification clause) we keep ours: a new difference
//! fails the test until it is fixed in `dictionaries/` or reviewed into that file.
//!
//! python-diameter keys its message classes by command code only and merges several
//! interfaces into one class (its Credit-Control carries the Gx AVPs, its AA the Rx ones).
//! Each class is compared with our command of the application it follows (the first of its
//! applications); an AVP of the class only counts as missing from ours when none of our
//! definitions of that command in its other applications has it either.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::process::Command;

use diameter::dict::{AvpDef, CommandDef, DataType, Dictionary, Rule};
use serde_json::Value;

const DUMP_SCRIPT: &str = include_str!("common/python_dictionary.py");
const KNOWN: &str = include_str!("data/python_dictionary_differences.txt");

/// One AVP of a python-diameter message class.
struct PyAvp {
    code: u32,
    vendor: u32,
    name: Option<String>,
    required: bool,
    repeated: bool,
}

/// A python-diameter request or answer class.
struct PyCommand {
    code: u32,
    request: bool,
    applications: Vec<u32>,
    avps: Vec<PyAvp>,
}

/// The values python-diameter's constants give one AVP.
struct PyEnum {
    code: u32,
    vendor: u32,
    /// (label: the constant without `E_<AVP>_`, value).
    values: Vec<(String, i64)>,
}

/// What python-diameter says, read from the dump script's JSON.
struct Python {
    commands: Vec<PyCommand>,
    enums: Vec<PyEnum>,
}

fn num(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("`{key}` in {v}"))
}

fn read_python(json: &Value) -> Python {
    let commands = json["commands"]
        .as_array()
        .expect("commands")
        .iter()
        .map(|c| PyCommand {
            code: num(c, "code") as u32,
            request: c["request"].as_bool().unwrap(),
            applications: c["applications"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_u64().unwrap() as u32)
                .collect(),
            avps: c["avps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| PyAvp {
                    code: num(a, "code") as u32,
                    vendor: num(a, "vendor") as u32,
                    name: a["name"].as_str().map(str::to_string),
                    required: a["required"].as_bool().unwrap(),
                    repeated: a["repeated"].as_bool().unwrap(),
                })
                .collect(),
        })
        .collect();
    let enums = json["enums"]
        .as_array()
        .expect("enums")
        .iter()
        .map(|e| PyEnum {
            code: num(e, "code") as u32,
            vendor: num(e, "vendor") as u32,
            values: e["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| {
                    let label = v["label"]
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v["const"].as_str().unwrap().to_string());
                    // Enumerated is an Integer32: 4294967295 (Media-Type OTHER) is -1.
                    let value = v["value"].as_i64().unwrap();
                    let value = i64::from(u32::try_from(value).map_or(value as i32, |u| u as i32));
                    (label, value)
                })
                .collect(),
        })
        .collect();
    Python { commands, enums }
}

/// Our AVP definitions by (code, vendor).
fn avps_by_key(dict: &Dictionary) -> HashMap<(u32, u32), &AvpDef> {
    dict.avps().map(|a| ((a.code, a.vendor_id), a)).collect()
}

/// How our command uses each AVP: (code, vendor) -> the rule. The `AVP` wildcard and the
/// AVPs it forbids (`allowed="false"`) are left out.
fn our_rules<'a>(
    dict: &'a Dictionary,
    cmd: &'a CommandDef,
    request: bool,
) -> BTreeMap<(u32, u32), &'a Rule> {
    let rules = if request { &cmd.request } else { &cmd.answer };
    rules
        .iter()
        .filter(|r| !r.is_wildcard() && !r.is_forbidden())
        .map(|r| {
            let def = dict
                .rule_avp(cmd.app_id, r)
                .unwrap_or_else(|| panic!("rule {} of {} names no AVP", r.avp, cmd.name));
            ((def.code, def.vendor_id), r)
        })
        .collect()
}

/// The AVP named in a difference: our name, else python-diameter's with its code.
fn avp_label(
    ours: &HashMap<(u32, u32), &AvpDef>,
    code: u32,
    vendor: u32,
    py: Option<&str>,
) -> String {
    match ours.get(&(code, vendor)) {
        Some(def) => def.name.clone(),
        None => format!(
            "{} ({code}/{vendor}, not in our dictionary)",
            py.unwrap_or("unnamed")
        ),
    }
}

fn yes_no(required: bool) -> &'static str {
    if required {
        "required"
    } else {
        "optional"
    }
}

fn count_word(repeated: bool) -> &'static str {
    if repeated {
        "repeated"
    } else {
        "single"
    }
}

/// The command differences, one line each: `ULR@16777251 AVP: what differs`.
fn command_differences(dict: &Dictionary, python: &Python, compared: &mut usize) -> Vec<String> {
    let by_key = avps_by_key(dict);
    let find = |app: u32, code: u32| dict.commands().find(|c| c.app_id == app && c.code == code);
    let mut out = Vec::new();
    for py in &python.commands {
        let primary = py.applications[0];
        let Some(cmd) = find(primary, py.code) else {
            continue; // an application the shipped set does not cover (Mobile IPv4, S7a)
        };
        *compared += 1;
        let ours = our_rules(dict, cmd, py.request);
        let others: BTreeSet<(u32, u32)> = py.applications[1..]
            .iter()
            .filter_map(|&app| find(app, py.code))
            .flat_map(|c| our_rules(dict, c, py.request).into_keys())
            .collect();
        let side = format!(
            "{}{}@{}",
            cmd.short,
            if py.request { 'R' } else { 'A' },
            cmd.app_id
        );
        let mut seen = BTreeSet::new();
        for avp in &py.avps {
            let key = (avp.code, avp.vendor);
            if !seen.insert(key) {
                continue; // python-diameter lists Credit-Control-Failure-Handling twice
            }
            let label = avp_label(&by_key, avp.code, avp.vendor, avp.name.as_deref());
            let Some(rule) = ours.get(&key) else {
                if !others.contains(&key) {
                    out.push(format!("{side} {label}: only in python-diameter"));
                }
                continue;
            };
            if rule.required != avp.required {
                out.push(format!(
                    "{side} {label}: {} in python-diameter, {} in ours",
                    yes_no(avp.required),
                    yes_no(rule.required)
                ));
            }
            if rule.is_repeated() != avp.repeated {
                out.push(format!(
                    "{side} {label}: {} in python-diameter, {} in ours",
                    count_word(avp.repeated),
                    count_word(rule.is_repeated())
                ));
            }
        }
        for (key, rule) in &ours {
            if !seen.contains(key) {
                out.push(format!("{side} {}: only in ours", rule.avp));
            }
        }
    }
    out
}

/// A value name as python-diameter spells constants: upper case, runs of other characters
/// as one `_`.
fn constant_form(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

/// Whether our value name and python-diameter's constant name the same thing: equal in
/// constant form (ignoring `_`), or the words of one run inside the other's (the RFCs' long
/// names hold python-diameter's mnemonic: "Layer Two Tunneling Protocol (L2TP)" / `L2TP`).
fn same_value_name(ours: &str, python: &str) -> bool {
    let (a, b) = (constant_form(ours), constant_form(python));
    if a.replace('_', "") == b.replace('_', "") {
        return true;
    }
    let words = |s: &str| s.split('_').map(str::to_string).collect::<Vec<_>>();
    let (a, b) = (words(&a), words(&b));
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    !short[0].is_empty() && long.windows(short.len()).any(|w| w == short.as_slice())
}

/// The enumerated-value differences, one line each: `enum AVP value: what differs`.
fn enum_differences(dict: &Dictionary, python: &Python, compared: &mut usize) -> Vec<String> {
    let by_key = avps_by_key(dict);
    let mut out = Vec::new();
    for py in &python.enums {
        let Some(def) = by_key.get(&(py.code, py.vendor)) else {
            continue;
        };
        if def.data_type != DataType::Enumerated {
            continue;
        }
        *compared += 1;
        let theirs: BTreeMap<i64, &str> = py.values.iter().map(|(l, v)| (*v, l.as_str())).collect();
        let ours: BTreeMap<i64, &str> = def
            .items
            .iter()
            .map(|i| (i64::from(i.code), i.name.as_str()))
            .collect();
        for (value, label) in &theirs {
            match ours.get(value) {
                None => out.push(format!(
                    "enum {} {value}: only in python-diameter ({label})",
                    def.name
                )),
                Some(name) if !same_value_name(name, label) => out.push(format!(
                    "enum {} {value}: \"{name}\" in ours, {label} in python-diameter",
                    def.name
                )),
                Some(_) => {}
            }
        }
        for (value, name) in &ours {
            if !theirs.contains_key(value) {
                out.push(format!(
                    "enum {} {value}: only in ours (\"{name}\")",
                    def.name
                ));
            }
        }
    }
    out
}

/// The known differences: `difference | reason` lines; `#` starts a comment line.
fn known_differences() -> BTreeMap<String, String> {
    let mut known = BTreeMap::new();
    for (n, line) in KNOWN.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (difference, reason) = line.rsplit_once(" | ").unwrap_or_else(|| {
            panic!(
                "python_dictionary_differences.txt:{}: no ` | reason`",
                n + 1
            )
        });
        assert!(
            !reason.trim().is_empty(),
            "python_dictionary_differences.txt:{}: empty reason",
            n + 1
        );
        let previous = known.insert(difference.trim().to_string(), reason.trim().to_string());
        assert!(
            previous.is_none(),
            "python_dictionary_differences.txt:{}: listed twice",
            n + 1
        );
    }
    known
}

fn run_dump() -> Value {
    let out = Command::new("python3")
        .args(["-c", DUMP_SCRIPT])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "dump script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("dump script prints JSON")
}

#[test]
fn shipped_dictionaries_match_python_diameter_or_the_known_differences() {
    let test = "shipped_dictionaries_match_python_diameter_or_the_known_differences";
    if !common::python::have_python_diameter(test) {
        return;
    }
    let json = run_dump();
    let python = read_python(&json);
    let dict = Dictionary::shipped().unwrap();

    let (mut commands, mut enums) = (0, 0);
    let mut actual: BTreeSet<String> = command_differences(&dict, &python, &mut commands)
        .into_iter()
        .collect();
    actual.extend(enum_differences(&dict, &python, &mut enums));
    // Guard against a dump that silently finds nothing (a python-diameter release that
    // renames its modules or constants).
    assert!(commands >= 60, "only {commands} commands compared");
    assert!(enums >= 150, "only {enums} enumerated AVPs compared");

    let known = known_differences();
    let new: Vec<&String> = actual.iter().filter(|d| !known.contains_key(*d)).collect();
    let gone: Vec<&String> = known.keys().filter(|d| !actual.contains(*d)).collect();
    eprintln!(
        "{commands} commands and {enums} enumerated AVPs compared; {} differences, all known",
        actual.len()
    );
    assert!(
        new.is_empty() && gone.is_empty(),
        "python-diameter comparison: {} new difference(s) (fix dictionaries/ or add them with \
         the reason to tests/data/python_dictionary_differences.txt):\n{}\n\
         {} listed difference(s) no longer found (remove them from the file):\n{}",
        new.len(),
        new.iter().map(|d| format!("{d} | ?\n")).collect::<String>(),
        gone.len(),
        gone.iter().map(|d| format!("{d}\n")).collect::<String>(),
    );
}

#[test]
fn constant_form_spells_names_as_python_diameter() {
    assert_eq!(constant_form("IPv4 Address"), "IPV4_ADDRESS");
    assert_eq!(constant_form("e-mail address"), "E_MAIL_ADDRESS");
    assert_eq!(constant_form("END_USER_E164"), "END_USER_E164");
    assert_eq!(constant_form(" (reserved) "), "RESERVED");
}

#[test]
fn value_names_match_on_words_not_spelling() {
    assert!(same_value_name(
        "Layer Two Tunneling Protocol (L2TP)",
        "L2TP"
    ));
    assert!(same_value_name("X.75", "X75"));
    assert!(same_value_name(
        "SPONSORED_DATA_CONNECTIVITY_DISALLOWED",
        "SPONSORED_DATA_CONNECTIVITY__DISALLOWED"
    ));
    assert!(!same_value_name("Yes", "NO"));
    assert!(!same_value_name(
        "SGSN_UDPATE_PROCEDURE",
        "SGSN_UPDATE_PROCEDURE"
    ));
    assert!(!same_value_name("LIPA-ONLY", "MEDIUM"));
    assert!(!same_value_name("*/* (any)", ""));
}

#[test]
fn known_differences_each_have_a_reason() {
    let known = known_differences();
    assert!(
        known.values().all(|r| r.len() >= 8),
        "a reason is too short to say why"
    );
}
