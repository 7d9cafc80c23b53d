//! The built-in templates: `*err`, `*cca`, `*asr`, `*rar` (CGRateS' defaults).

use std::collections::BTreeMap;

use super::{FieldConfig, Origin};

/// `(path, type, value, mandatory)` of one default field.
type Spec = (&'static str, &'static str, &'static str, bool);

const ERR: &[Spec] = &[
    ("*rep.Session-Id", "*variable", "~*req.Session-Id", true),
    ("*rep.Origin-Host", "*variable", "~*vars.OriginHost", true),
    ("*rep.Origin-Realm", "*variable", "~*vars.OriginRealm", true),
];

const CCA: &[Spec] = &[
    ("*rep.Session-Id", "*variable", "~*req.Session-Id", true),
    ("*rep.Result-Code", "*constant", "2001", false),
    ("*rep.Origin-Host", "*variable", "~*vars.OriginHost", true),
    ("*rep.Origin-Realm", "*variable", "~*vars.OriginRealm", true),
    (
        "*rep.Auth-Application-Id",
        "*variable",
        "~*vars.*appid",
        true,
    ),
    (
        "*rep.CC-Request-Type",
        "*variable",
        "~*req.CC-Request-Type",
        true,
    ),
    (
        "*rep.CC-Request-Number",
        "*variable",
        "~*req.CC-Request-Number",
        true,
    ),
];

const ASR: &[Spec] = &[
    ("*diamreq.Session-Id", "*variable", "~*req.Session-Id", true),
    (
        "*diamreq.Origin-Host",
        "*variable",
        "~*req.Destination-Host",
        true,
    ),
    (
        "*diamreq.Origin-Realm",
        "*variable",
        "~*req.Destination-Realm",
        true,
    ),
    (
        "*diamreq.Destination-Realm",
        "*variable",
        "~*req.Origin-Realm",
        true,
    ),
    (
        "*diamreq.Destination-Host",
        "*variable",
        "~*req.Origin-Host",
        true,
    ),
    (
        "*diamreq.Auth-Application-Id",
        "*variable",
        "~*vars.*appid",
        true,
    ),
];

const RAR_EXTRA: Spec = ("*diamreq.Re-Auth-Request-Type", "*constant", "0", false);

fn fields(id: &str, specs: &[Spec]) -> Vec<FieldConfig> {
    specs
        .iter()
        .enumerate()
        .map(|(i, (path, field_type, value, mandatory))| FieldConfig {
            tag: path.rsplit('.').next().unwrap_or(path).to_string(),
            path: path.to_string(),
            field_type: field_type.to_string(),
            value: value.to_string(),
            mandatory: *mandatory,
            origin: Origin {
                file: "<built-in templates>".to_string(),
                path: format!("templates.{id}[{i}]"),
            },
            ..FieldConfig::default()
        })
        .collect()
}

/// The default templates by id.
pub fn default_templates() -> BTreeMap<String, Vec<FieldConfig>> {
    let mut rar: Vec<Spec> = ASR.to_vec();
    rar.push(RAR_EXTRA);
    BTreeMap::from([
        ("*err".to_string(), fields("*err", ERR)),
        ("*cca".to_string(), fields("*cca", CCA)),
        ("*asr".to_string(), fields("*asr", ASR)),
        ("*rar".to_string(), fields("*rar", &rar)),
    ])
}
