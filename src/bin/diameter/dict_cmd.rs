//! `diameter dict lookup` and `diameter dict check`.

use std::path::PathBuf;

use anyhow::bail;
use diameter::dict::{AvpDef, CommandDef, DataType, Dictionary, Rule};

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
