//! `diameter dict lookup`, `check`, `stats` and `compare`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use diameter::dict::compare::{self, DiffKind};
use diameter::dict::foreign::{self, Format};
use diameter::dict::{
    AvpDef, CommandDef, Counts, DataType, Dictionary, FlagRules, FlagSet, Location, Rule,
};

/// Print the AVP or command that `key` names.
pub fn lookup(dict: &Dictionary, key: &str, app: u32) -> anyhow::Result<()> {
    if let Some((code, vendor)) = parse_code(key)? {
        match dict.avp(app, code, vendor) {
            Some(def) => print_avp(dict, def),
            None => bail!("no AVP with code {code} and vendor {vendor} (application {app})"),
        }
        return Ok(());
    }
    if let Some(def) = dict.avp_by_name(app, key) {
        print_avp(dict, def);
    } else if let Some(cmd) = dict.command_by_name(key) {
        print_command(dict, cmd);
    } else {
        bail!("`{key}` names no AVP (application {app}) and no command");
    }
    Ok(())
}

/// `CODE` or `CODE:VENDOR`; `None` when `key` is a name.
fn parse_code(key: &str) -> anyhow::Result<Option<(u32, u32)>> {
    let (code, vendor) = key.split_once(':').unwrap_or((key, "0"));
    if !code.chars().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    match (code.parse(), vendor.parse()) {
        (Ok(c), Ok(v)) => Ok(Some((c, v))),
        _ => bail!("`{key}` is not CODE or CODE:VENDOR"),
    }
}

fn print_avp(dict: &Dictionary, def: &AvpDef) {
    let vendor = match def.vendor_id {
        0 => String::new(),
        v => format!(" vendor {v} ({})", dict.vendor_name(v).unwrap_or("?")),
    };
    let f = def.flags;
    let letters = |s: diameter::dict::FlagSet| {
        [(s.v, 'V'), (s.m, 'M'), (s.p, 'P')]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, c)| *c)
            .collect::<String>()
    };
    println!("AVP {} code {}{vendor}", def.name, def.code);
    println!("  type: {}", def.data_type);
    println!(
        "  flags: must {:?} may {:?} must-not {:?}",
        letters(f.must),
        letters(f.may),
        letters(f.must_not)
    );
    println!("  application: {}", def.app_id);
    if let Some(spec) = &def.spec {
        println!("  spec: {spec}");
    }
    println!("  defined at: {}", def.location);
    if def.data_type == DataType::Enumerated {
        for item in &def.items {
            println!("  {} = {}", item.name, item.code);
        }
    }
    if def.data_type == DataType::Grouped {
        print_rules(dict, def.app_id, "members", &def.rules);
    }
}

fn print_command(dict: &Dictionary, cmd: &CommandDef) {
    println!(
        "command {} ({}R/{}A) code {} application {}",
        cmd.name, cmd.short, cmd.short, cmd.code, cmd.app_id
    );
    println!("  defined at: {}", cmd.location);
    print_rules(dict, cmd.app_id, "request", &cmd.request);
    print_rules(dict, cmd.app_id, "answer", &cmd.answer);
}

fn print_rules(dict: &Dictionary, app: u32, title: &str, rules: &[Rule]) {
    println!("  {title}:");
    for rule in rules {
        let max = rule.max.map_or("*".to_string(), |m| m.to_string());
        let min = if rule.required {
            rule.min.max(1)
        } else {
            rule.min
        };
        let code = dict.rule_avp(app, rule).map_or(String::new(), |d| {
            format!(" (code {}, vendor {})", d.code, d.vendor_id)
        });
        println!("    {}..{} {}{code}", min, max, rule.avp);
    }
}

/// Load `paths` into an empty dictionary; print warnings and counts, fail on errors.
pub fn check(paths: &[PathBuf]) -> anyhow::Result<()> {
    let mut dict = Dictionary::new();
    let mut warnings = Vec::new();
    for path in paths {
        warnings.extend(dict.load_path(path)?);
    }
    warnings.extend(dict.check());
    for w in &warnings {
        println!("warning: {}: {}", w.location, w.message);
    }
    let avps: Vec<&AvpDef> = dict.avps().collect();
    let count = |t: DataType| avps.iter().filter(|a| a.data_type == t).count();
    println!(
        "{} applications, {} commands, {} AVPs ({} grouped, {} enumerated), {} warnings",
        dict.applications().count(),
        dict.commands().count(),
        avps.len(),
        count(DataType::Grouped),
        count(DataType::Enumerated),
        warnings.len()
    );
    Ok(())
}

/// `diameter dict stats`: AVP, grouped, enumerated and command counts per application and
/// per vendor.
pub fn stats(dict: &Dictionary) {
    let stats = dict.stats();
    let header = |what: &str| {
        println!(
            "{what:<44} {:>6} {:>8} {:>10} {:>8}",
            "AVPs", "grouped", "enumerated", "commands"
        );
    };
    let row = |label: String, c: &Counts, commands: bool| {
        let cmds = if commands {
            c.commands.to_string()
        } else {
            "-".to_string()
        };
        println!(
            "{label:<44} {:>6} {:>8} {:>10} {:>8}",
            c.avps, c.grouped, c.enumerated, cmds
        );
    };
    header("application");
    for (id, name, counts) in &stats.applications {
        row(format!("{id} {name}"), counts, true);
    }
    println!();
    header("vendor");
    for (id, name, counts) in &stats.vendors {
        row(format!("{id} {name}"), counts, false);
    }
    println!();
    row("total".to_string(), &stats.total, true);
    println!("distinct (code, vendor) pairs: {}", stats.distinct_avps);
}

/// `diameter dict compare PATH`: every AVP of the set at `path` (go-diameter XML, Wireshark
/// XML, freeDiameter CSV/JSON; a file or a folder) whose code, vendor, type or M flag differs
/// from `ours`.
pub fn compare(ours: &Dictionary, path: &Path) -> anyhow::Result<()> {
    let theirs = foreign_set(path)?;
    for note in &theirs.notes {
        println!("note: {note}");
    }
    let result = compare::compare(ours.avps(), &theirs.avps);
    for diff in &result.differences {
        println!("{diff}");
    }
    let count = |f: fn(&DiffKind) -> bool| result.differences.iter().filter(|d| f(&d.kind)).count();
    println!(
        "{}: {} AVP definitions read, {} (code, vendor) pairs in common",
        path.display(),
        theirs.avps.len(),
        result.common
    );
    println!(
        "differences: {} code/vendor, {} type, {} M flag",
        count(|k| matches!(k, DiffKind::CodeVendor { .. })),
        count(|k| matches!(k, DiffKind::Type { .. })),
        count(|k| matches!(k, DiffKind::Mandatory { .. })),
    );
    let mut per_vendor: BTreeMap<u32, usize> = BTreeMap::new();
    for (_, _, vendor) in &result.only_theirs {
        *per_vendor.entry(*vendor).or_default() += 1;
    }
    let listed: Vec<String> = per_vendor
        .iter()
        .map(|(vendor, n)| format!("{n} of vendor {vendor}"))
        .collect();
    println!(
        "only theirs: {} ({}); only ours: {}",
        result.only_theirs.len(),
        listed.join(", "),
        result.only_ours
    );
    Ok(())
}

/// AVP definitions read from a foreign set, and what could not be read.
#[derive(Default)]
struct ForeignSet {
    avps: Vec<AvpDef>,
    notes: Vec<String>,
}

/// Read every dictionary file under `path` in the format each one has. A folder with a
/// Wireshark `dictionary.xml` is read through that file only (it includes the others).
fn foreign_set(path: &Path) -> anyhow::Result<ForeignSet> {
    let mut set = ForeignSet::default();
    let wireshark_root = path.join("dictionary.xml");
    if path.is_dir()
        && wireshark_root.is_file()
        && foreign::detect(&wireshark_root)? == Format::Wireshark
    {
        set.avps = foreign::read_wireshark(path)?.avps;
        return Ok(set);
    }
    let mut files = Vec::new();
    collect_files(path, &mut files)?;
    let mut go = Dictionary::new();
    for file in files {
        let read = match foreign::detect(&file)? {
            Format::GoDiameter => go.load_path(&file).map(drop),
            Format::Wireshark => foreign::read_wireshark(&file).map(|d| set.avps.extend(d.avps)),
            Format::FreeDiameterCsv => {
                foreign::read_freediameter_csv(&file).map(|d| set.avps.extend(d.avps))
            }
            Format::Other if file.extension().is_some_and(|e| e == "json") => {
                match freediameter_json(&file) {
                    Ok(avps) => {
                        set.avps.extend(avps);
                        Ok(())
                    }
                    Err(e) => {
                        set.notes
                            .push(format!("{}: skipped: {e:#}", file.display()));
                        Ok(())
                    }
                }
            }
            Format::Other => {
                set.notes
                    .push(format!("{}: skipped (not a dictionary)", file.display()));
                Ok(())
            }
        };
        if let Err(e) = read {
            set.notes.push(format!("skipped: {e}"));
        }
    }
    set.avps.extend(go.avps().cloned());
    Ok(set)
}

/// `path` itself, or the files under the folder `path` (recursively, names sorted).
fn collect_files(path: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if !path.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .with_context(|| path.display().to_string())?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for entry in entries {
        collect_files(&entry, out)?;
    }
    Ok(())
}

/// The AVPs of a freeDiameter `dict_json` file (`AVPs: [{Code, Vendor, Name, Flags, Type}]`).
fn freediameter_json(path: &Path) -> anyhow::Result<Vec<AvpDef>> {
    let text = std::fs::read_to_string(path)?;
    let json: serde_json::Value = serde_json::from_str(&text)?;
    let Some(avps) = json.get("AVPs").and_then(|a| a.as_array()) else {
        bail!("no AVPs array");
    };
    let source = path.display().to_string();
    let mut out = Vec::new();
    for (ix, avp) in avps.iter().enumerate() {
        let number = |key: &str| avp.get(key).and_then(serde_json::Value::as_u64);
        let (Some(code), Some(name)) = (number("Code"), avp.get("Name").and_then(|n| n.as_str()))
        else {
            continue;
        };
        let vendor_id = u32::try_from(number("Vendor").unwrap_or(0))?;
        let must = avp
            .pointer("/Flags/Must")
            .and_then(|m| m.as_str())
            .unwrap_or("");
        let type_name = avp.get("Type").and_then(|t| t.as_str()).unwrap_or("");
        out.push(AvpDef {
            name: name.to_string(),
            code: u32::try_from(code)?,
            vendor_id,
            data_type: type_name.parse().unwrap_or(DataType::OctetString),
            flags: FlagRules {
                must: FlagSet {
                    v: vendor_id != 0,
                    m: must.contains('M'),
                    p: false,
                },
                ..FlagRules::default()
            },
            items: Vec::new(),
            rules: Vec::new(),
            app_id: 0,
            spec: None,
            location: Location {
                source: source.clone(),
                line: u32::try_from(ix + 1).unwrap_or(u32::MAX),
            },
        });
    }
    Ok(out)
}
