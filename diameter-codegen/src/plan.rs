//! What to generate: every Rust item with its final, unique name, resolved from a dictionary.
//!
//! Uniqueness rules (deterministic: they depend only on the dictionary's content):
//!
//! * One Rust type per (AVP code, vendor). When several applications define the same
//!   (code, vendor), the definition of the lowest application id is used.
//! * When two AVPs map to the same type name (one name, two vendors), the IETF one (vendor 0),
//!   else the one of the lowest vendor id, else of the lowest code, keeps the name; the others
//!   get their vendor's prefix (`TgppFoo`), and if still taken, their code as suffix (`Foo873`).
//!   AVP constants follow the same rule (`AVP_FOO`, `AVP_TGPP_FOO`, `AVP_FOO_873`); vendor
//!   AVP constants always carry the vendor prefix, as python-diameter's do
//!   (`AVP_TGPP_SERVICE_INFORMATION`).
//! * Type names the generated code itself uses (`Option`, `Vec`, `Box`, `String`, `Bytes`,
//!   `Address`, `Time`, `Identity`, `Utf8String`, `Header`, `Avp`, ...) get the suffix `Avp`.
//! * Fields: a field whose name is taken in the struct, or is `header`, `avps` or
//!   `flag_overrides`, gets the suffix `_<code>` (`_avp` for the reserved ones).
//! * Enum variants: a variant named like the catch-all `Unknown` or like an earlier variant
//!   gets its value as suffix (`Unknown7`, `Other9`, negative values as `M1`); an item
//!   whose value is already named is left out. Their `E_` constants likewise
//!   (`E_ADDRESS_TYPE_OTHER_9`).
//! * Commands: one module per command name (`credit_control`), with `<Name>Request` and
//!   `<Name>Answer`. When two applications define a command with the same name, the lowest
//!   application id keeps the plain module name; the others get the application name as
//!   suffix (`credit_control_gx`), else the application id (`credit_control_16777238`).
//! * Commands of application 0 with codes 257, 280 and 282 (CER, DWR, DPR) are not
//!   proxiable; every other command is (RFC 6733 §3: the P bit).

use std::collections::{BTreeMap, HashMap, HashSet};

use diameter_dict::{AvpDef, CommandDef, DataType, Dictionary, Rule};

use crate::names::{camel, shouty, snake};
use crate::python_names;

/// Names the generated code uses for runtime types: never given to an AVP type.
const RESERVED_TYPES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Vec",
    "Box",
    "String",
    "Result",
    "Ok",
    "Err",
    "Default",
    "Clone",
    "Copy",
    "Debug",
    "PartialEq",
    "Eq",
    "Hash",
    "Send",
    "Sync",
    "Sized",
    "From",
    "Into",
    "Drop",
    "Fn",
    "Iterator",
    "Bytes",
    "Address",
    "Time",
    "Identity",
    "Utf8String",
    "Header",
    "Avp",
    "FlagOverrides",
    "DiameterUri",
    "IpFilterRule",
    "QosFilterRule",
    "Ipv4Addr",
    "Ipv6Addr",
    "Grouped",
    "Command",
    "Enumerated",
    "Self",
];

/// Field names the generated structs use for themselves.
const RESERVED_FIELDS: &[&str] = &["header", "avps", "flag_overrides"];

pub type AvpKey = (u32, u32);

/// The generated items.
pub struct Plan<'d> {
    /// Rust types of AVPs, sorted by name.
    pub types: Vec<AvpType<'d>>,
    /// Command modules, sorted by name.
    pub commands: Vec<CommandModule<'d>>,
    pub constants: Vec<Constant>,
    /// Problems worth a build warning (rules naming unknown AVPs, ...).
    pub warnings: Vec<String>,
}

pub struct AvpType<'d> {
    pub def: &'d AvpDef,
    pub name: String,
    pub kind: TypeKind,
}

pub enum TypeKind {
    Grouped {
        fields: Vec<Field>,
        wildcard: bool,
        not_allowed: Vec<NotAllowed>,
        default: bool,
    },
    Enum {
        variants: Vec<Variant>,
    },
}

pub struct Variant {
    pub name: String,
    pub value: i32,
    /// The item's name in the dictionary.
    pub item: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Multiplicity {
    One,
    Optional,
    Repeated,
}

pub struct Field {
    pub ident: String,
    /// The type of one occurrence (`Box<...>` for single grouped members).
    pub ty: String,
    pub multiplicity: Multiplicity,
    pub min: u32,
    pub max: Option<u32>,
    pub avp_name: String,
    pub code: u32,
    pub vendor_id: u32,
    pub mandatory: bool,
    /// Whether the type has `Default`.
    pub has_default: bool,
}

pub struct CommandModule<'d> {
    pub def: &'d CommandDef,
    pub module: String,
    pub request: CommandStruct,
    pub answer: CommandStruct,
    pub proxiable: bool,
}

pub struct CommandStruct {
    pub name: String,
    pub fields: Vec<Field>,
    pub wildcard: bool,
    pub not_allowed: Vec<NotAllowed>,
}

/// An AVP a `0*0` rule (`allowed="false"`) forbids: no field, a 5008 on decode.
pub struct NotAllowed {
    pub code: u32,
    pub vendor_id: u32,
    pub avp_name: String,
}

pub struct Constant {
    pub name: String,
    pub ty: String,
    pub value: String,
    pub doc: String,
}

/// The vendor part of names: `TGPP` for 3GPP (python-diameter's `VENDOR_TGPP`).
pub fn vendor_shouty(dict: &Dictionary, vendor_id: u32) -> String {
    if let Some((_, name)) = python_names::VENDORS
        .iter()
        .find(|(id, _)| *id == vendor_id)
    {
        return name.trim_start_matches("VENDOR_").to_string();
    }
    match dict.vendor_name(vendor_id).map(shouty) {
        Some(s) if !s.is_empty() => s,
        _ => format!("VENDOR{vendor_id}"),
    }
}

fn vendor_camel(dict: &Dictionary, vendor_id: u32) -> String {
    camel(&vendor_shouty(dict, vendor_id)).unwrap_or_else(|| format!("Vendor{vendor_id}"))
}

/// The definition used for each (code, vendor): the one of the lowest application id.
fn avp_defs(dict: &Dictionary) -> BTreeMap<AvpKey, &AvpDef> {
    let mut defs: BTreeMap<AvpKey, &AvpDef> = BTreeMap::new();
    for def in dict.avps() {
        let slot = defs.entry((def.code, def.vendor_id)).or_insert(def);
        if def.app_id < slot.app_id {
            *slot = def;
        }
    }
    defs
}

/// Unique names for `keys`: `base` gives each key's preferred name; the first key in
/// `(vendor != 0, vendor, code)` order keeps a shared name, others get `prefixed`, then
/// `suffixed`.
fn unique_names(
    keys: &[(AvpKey, String)],
    reserved: &HashSet<String>,
    prefixed: impl Fn(AvpKey, &str) -> String,
    suffixed: impl Fn(AvpKey, &str) -> String,
) -> HashMap<AvpKey, String> {
    let mut order: Vec<&(AvpKey, String)> = keys.iter().collect();
    order.sort_by_key(|((code, vendor), _)| (*vendor != 0, *vendor, *code));
    let mut taken: HashSet<String> = reserved.clone();
    let mut names = HashMap::new();
    // First pass: names nobody else wants, and the winner of each shared one.
    for (key, base) in &order {
        if taken.insert(base.clone()) {
            names.insert(*key, base.clone());
        }
    }
    for (key, base) in &order {
        if names.contains_key(key) {
            continue;
        }
        let mut name = prefixed(*key, base);
        if !taken.insert(name.clone()) {
            name = suffixed(*key, base);
            while !taken.insert(name.clone()) {
                name.push('_');
            }
        }
        names.insert(*key, name);
    }
    names
}

/// The Rust type of a non-grouped, non-enumerated data type, and whether it has `Default`.
fn scalar_type(ty: DataType) -> (&'static str, bool) {
    match ty {
        DataType::OctetString => ("Bytes", true),
        DataType::Integer32 | DataType::Enumerated => ("i32", true),
        DataType::Integer64 => ("i64", true),
        DataType::Unsigned32 => ("u32", true),
        DataType::Unsigned64 => ("u64", true),
        DataType::Float32 => ("f32", true),
        DataType::Float64 => ("f64", true),
        DataType::UTF8String => ("Utf8String", true),
        DataType::DiameterIdentity => ("Identity", true),
        DataType::Address => ("Address", false),
        DataType::Time => ("Time", false),
        DataType::DiameterURI => ("DiameterUri", false),
        DataType::IPFilterRule => ("IpFilterRule", false),
        DataType::QoSFilterRule => ("QosFilterRule", false),
        DataType::IPv4 => ("Ipv4Addr", false),
        DataType::IPv6 => ("Ipv6Addr", false),
        DataType::Grouped => unreachable!("grouped AVPs have their own type"),
    }
}

pub fn plan(dict: &Dictionary) -> Plan<'_> {
    let defs = avp_defs(dict);
    let mut warnings = Vec::new();

    // Type names of grouped and enumerated AVPs.
    let typed: Vec<(AvpKey, String)> = defs
        .iter()
        .filter(|(_, d)| is_own_type(d))
        .map(|(key, d)| {
            let base = camel(&d.name).unwrap_or_else(|| format!("Avp{}", d.code));
            let base = if RESERVED_TYPES.contains(&base.as_str()) {
                format!("{base}Avp")
            } else {
                base
            };
            (*key, base)
        })
        .collect();
    let type_names = unique_names(
        &typed,
        &HashSet::new(),
        |(_, vendor), base| format!("{}{base}", vendor_camel(dict, vendor)),
        |(code, _), base| format!("{base}{code}"),
    );

    let resolver = Resolver {
        dict,
        defs: &defs,
        type_names: &type_names,
    };
    let defaults = resolver.defaults(&mut warnings);

    let mut types: Vec<AvpType> = typed
        .iter()
        .map(|(key, _)| {
            let def = defs[key];
            let name = type_names[key].clone();
            let kind = match def.data_type {
                DataType::Grouped => {
                    let (fields, wildcard, not_allowed) =
                        resolver.fields(def.app_id, &def.rules, &defaults, &mut warnings, &name);
                    TypeKind::Grouped {
                        fields,
                        wildcard,
                        not_allowed,
                        default: defaults[key],
                    }
                }
                _ => TypeKind::Enum {
                    variants: variants(def),
                },
            };
            AvpType { def, name, kind }
        })
        .collect();
    types.sort_by(|a, b| a.name.cmp(&b.name));

    let commands = commands(&resolver, &defaults, &mut warnings);
    let constants = constants(dict, &defs, &types, &commands);
    Plan {
        types,
        commands,
        constants,
        warnings,
    }
}

/// Grouped AVPs and enumerated AVPs with items have a generated type.
fn is_own_type(def: &AvpDef) -> bool {
    match def.data_type {
        DataType::Grouped => true,
        DataType::Enumerated => !def.items.is_empty(),
        _ => false,
    }
}

struct Resolver<'a, 'd> {
    dict: &'d Dictionary,
    defs: &'a BTreeMap<AvpKey, &'d AvpDef>,
    type_names: &'a HashMap<AvpKey, String>,
}

impl<'d> Resolver<'_, 'd> {
    /// The definition a rule names, as the generated types know it.
    fn rule_def(&self, app_id: u32, rule: &Rule) -> Option<&'d AvpDef> {
        let def = self.dict.rule_avp(app_id, rule)?;
        self.defs.get(&(def.code, def.vendor_id)).copied()
    }

    /// Which grouped types can derive `Default`: all whose required single members have one
    /// (computed to a fixed point, so recursion does not matter).
    fn defaults(&self, warnings: &mut Vec<String>) -> HashMap<AvpKey, bool> {
        let mut defaults: HashMap<AvpKey, bool> = self
            .defs
            .iter()
            .filter(|(_, d)| d.data_type == DataType::Grouped)
            .map(|(k, _)| (*k, true))
            .collect();
        let mut scratch = Vec::new();
        loop {
            let mut changed = false;
            for (key, def) in self
                .defs
                .iter()
                .filter(|(_, d)| d.data_type == DataType::Grouped)
            {
                if !defaults[key] {
                    continue;
                }
                let (fields, _, _) =
                    self.fields(def.app_id, &def.rules, &defaults, &mut scratch, "");
                if fields
                    .iter()
                    .any(|f| f.multiplicity == Multiplicity::One && !f.has_default)
                {
                    defaults.insert(*key, false);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let _ = warnings;
        defaults
    }

    /// The fields for a list of rules, whether the list has the `AVP` wildcard, and the
    /// AVPs it forbids.
    fn fields(
        &self,
        app_id: u32,
        rules: &[Rule],
        defaults: &HashMap<AvpKey, bool>,
        warnings: &mut Vec<String>,
        owner: &str,
    ) -> (Vec<Field>, bool, Vec<NotAllowed>) {
        let mut fields: Vec<Field> = Vec::new();
        let mut not_allowed = Vec::new();
        let mut seen: HashSet<AvpKey> = HashSet::new();
        let mut wildcard = false;
        for rule in rules {
            if rule.is_wildcard() {
                wildcard = true;
                continue;
            }
            let Some(def) = self.rule_def(app_id, rule) else {
                warnings.push(format!(
                    "{}: `{owner}`: rule names AVP `{}`, which no dictionary defines; it is kept with the unknown AVPs",
                    rule.location, rule.avp
                ));
                continue;
            };
            if rule.is_forbidden() {
                not_allowed.push(NotAllowed {
                    code: def.code,
                    vendor_id: def.vendor_id,
                    avp_name: def.name.clone(),
                });
                continue;
            }
            if !seen.insert((def.code, def.vendor_id)) {
                warnings.push(format!(
                    "{}: `{owner}`: AVP `{}` has a second rule; the first one is used",
                    rule.location, rule.avp
                ));
                continue;
            }
            let min = if rule.required {
                rule.min.max(1)
            } else {
                rule.min
            };
            let multiplicity = match rule.max {
                Some(1) if min >= 1 => Multiplicity::One,
                Some(1) => Multiplicity::Optional,
                _ => Multiplicity::Repeated,
            };
            let key = (def.code, def.vendor_id);
            let (ty, has_default) = match def.data_type {
                DataType::Grouped => {
                    let name = self.type_names[&key].clone();
                    let ty = match multiplicity {
                        Multiplicity::Repeated => name,
                        _ => format!("Box<{name}>"),
                    };
                    (ty, defaults.get(&key).copied().unwrap_or(true))
                }
                DataType::Enumerated if !def.items.is_empty() => {
                    (self.type_names[&key].clone(), true)
                }
                other => {
                    let (ty, has_default) = scalar_type(other);
                    (ty.to_string(), has_default)
                }
            };
            let base = snake(&def.name).unwrap_or_else(|| format!("avp_{}", def.code));
            let ident = if RESERVED_FIELDS.contains(&base.as_str()) {
                format!("{base}_avp")
            } else if fields.iter().any(|f| f.ident == base) {
                format!("{base}_{}", def.code)
            } else {
                base
            };
            fields.push(Field {
                ident,
                ty,
                multiplicity,
                min,
                max: rule.max,
                avp_name: def.name.clone(),
                code: def.code,
                vendor_id: def.vendor_id,
                mandatory: def.flags.must.m,
                has_default,
            });
        }
        (fields, wildcard, not_allowed)
    }
}

fn variants(def: &AvpDef) -> Vec<Variant> {
    let mut variants: Vec<Variant> = Vec::new();
    for item in &def.items {
        if variants.iter().any(|v| v.value == item.code) {
            continue;
        }
        let suffix = if item.code < 0 {
            format!("M{}", item.code.unsigned_abs())
        } else {
            item.code.to_string()
        };
        let base = camel(&item.name).unwrap_or_else(|| format!("Value{suffix}"));
        let name = if base == "Unknown" || variants.iter().any(|v| v.name == base) {
            format!("{base}{suffix}")
        } else {
            base
        };
        variants.push(Variant {
            name,
            value: item.code,
            item: item.name.clone(),
        });
    }
    variants
}

fn commands<'d>(
    resolver: &Resolver<'_, 'd>,
    defaults: &HashMap<AvpKey, bool>,
    warnings: &mut Vec<String>,
) -> Vec<CommandModule<'d>> {
    let dict = resolver.dict;
    let mut cmds: Vec<&CommandDef> = dict.commands().collect();
    cmds.sort_by_key(|c| (c.app_id, c.code));
    let mut taken: HashSet<String> = HashSet::new();
    let mut modules = Vec::new();
    for def in cmds {
        let base = snake(&def.name).unwrap_or_else(|| format!("command_{}", def.code));
        let mut module = base.clone();
        if !taken.insert(module.clone()) {
            let app = dict
                .application(def.app_id)
                .and_then(|a| snake(&a.name))
                .unwrap_or_default();
            module = format!("{base}_{app}");
            if app.is_empty() || !taken.insert(module.clone()) {
                module = format!("{base}_{}", def.app_id);
                taken.insert(module.clone());
            }
        }
        let camel_name = camel(&def.name).unwrap_or_else(|| format!("Command{}", def.code));
        let build = |rules: &[Rule], suffix: &str, warnings: &mut Vec<String>| {
            let name = format!("{camel_name}{suffix}");
            let (fields, wildcard, not_allowed) =
                resolver.fields(def.app_id, rules, defaults, warnings, &name);
            CommandStruct {
                name,
                fields,
                wildcard,
                not_allowed,
            }
        };
        let request = build(&def.request, "Request", warnings);
        let answer = build(&def.answer, "Answer", warnings);
        modules.push(CommandModule {
            def,
            module,
            request,
            answer,
            proxiable: !(def.app_id == 0 && [257, 280, 282].contains(&def.code)),
        });
    }
    modules.sort_by(|a, b| a.module.cmp(&b.module));
    modules
}

fn constants(
    dict: &Dictionary,
    defs: &BTreeMap<AvpKey, &AvpDef>,
    types: &[AvpType],
    commands: &[CommandModule],
) -> Vec<Constant> {
    let mut out = Constants::default();
    let u32_const = |name: String, value: u32, doc: String| Constant {
        name,
        ty: "u32".into(),
        value: value.to_string(),
        doc,
    };

    let mut vendors: Vec<_> = dict.vendors().collect();
    vendors.sort_by_key(|v| v.id);
    for v in vendors {
        let name = format!("VENDOR_{}", vendor_shouty(dict, v.id));
        out.push(u32_const(name, v.id, format!("Vendor-Id of {}.", v.name)));
    }

    let mut apps: Vec<_> = dict.applications().collect();
    apps.sort_by_key(|a| a.id);
    for app in apps {
        let name = python_names::APPLICATIONS
            .iter()
            .find(|(id, _)| *id == app.id)
            .map(|(_, n)| n.to_string())
            .unwrap_or_else(|| match shouty(&app.name) {
                s if s.is_empty() => format!("APP_{}", app.id),
                s => format!("APP_{s}"),
            });
        out.push(u32_const(
            name,
            app.id,
            format!("Application-Id of {}.", app.name),
        ));
    }

    for cmd in commands {
        let name = format!("CMD_{}", shouty(&cmd.def.name));
        // The same name with another code (in another application) gets the application id.
        let name = match out.value_of(&name) {
            Some(v) if v != cmd.def.code.to_string() => format!("{name}_{}", cmd.def.app_id),
            _ => name,
        };
        out.push(u32_const(
            name,
            cmd.def.code,
            format!("Command code of {}.", cmd.def.name),
        ));
    }

    let keyed: Vec<(AvpKey, String)> = defs
        .iter()
        .map(|(key, d)| {
            let vendor = match d.vendor_id {
                0 => String::new(),
                v => format!("{}_", vendor_shouty(dict, v)),
            };
            (*key, format!("AVP_{vendor}{}", shouty(&d.name)))
        })
        .collect();
    let avp_names = unique_names(
        &keyed,
        &out.names,
        |(_, vendor), base| match vendor {
            0 => base.to_string(),
            v => format!("{base}_{}", vendor_shouty(dict, v)),
        },
        |(code, _), base| format!("{base}_{code}"),
    );
    for (key, _) in &keyed {
        let d = defs[key];
        out.push(u32_const(
            avp_names[key].clone(),
            d.code,
            format!("AVP code of {}.", avp_doc(dict, d)),
        ));
    }

    // Enumerated values: E_<AVP>_<ITEM>, typed.
    let enum_bases: Vec<(AvpKey, String)> = types
        .iter()
        .filter(|t| matches!(t.kind, TypeKind::Enum { .. }))
        .map(|t| {
            (
                (t.def.code, t.def.vendor_id),
                format!("E_{}", shouty(&t.def.name)),
            )
        })
        .collect();
    let enum_names = unique_names(
        &enum_bases,
        &HashSet::new(),
        |(_, vendor), base| format!("E_{}_{}", vendor_shouty(dict, vendor), &base[2..]),
        |(code, _), base| format!("{base}_{code}"),
    );
    let mut enum_types: Vec<&AvpType> = types
        .iter()
        .filter(|t| matches!(t.kind, TypeKind::Enum { .. }))
        .collect();
    enum_types.sort_by_key(|t| enum_names[&(t.def.code, t.def.vendor_id)].clone());
    for t in enum_types {
        let TypeKind::Enum { variants } = &t.kind else {
            continue;
        };
        let prefix = &enum_names[&(t.def.code, t.def.vendor_id)];
        for v in variants {
            let item = match shouty(&v.item) {
                s if s.is_empty() => v.value.to_string(),
                s => s,
            };
            let mut name = format!("{prefix}_{item}");
            if out.names.contains(&name) {
                let value = match v.value {
                    n if n < 0 => format!("M{}", n.unsigned_abs()),
                    n => n.to_string(),
                };
                name = format!("{name}_{value}");
            }
            out.push(Constant {
                name,
                ty: format!("avps::{}", t.name),
                value: format!("avps::{}::{}", t.name, v.name),
                doc: format!("{} `{}` ({}).", t.def.name, v.item, v.value),
            });
        }
    }

    for (value, name, meaning) in crate::result_codes::RESULT_CODES {
        out.push(u32_const(
            name.to_string(),
            *value,
            format!("Result-Code {value}: {meaning}"),
        ));
    }
    out.list
}

/// Constants in order; a second constant with a name already used is left out.
#[derive(Default)]
struct Constants {
    list: Vec<Constant>,
    names: HashSet<String>,
}

impl Constants {
    fn push(&mut self, c: Constant) {
        if self.names.insert(c.name.clone()) {
            self.list.push(c);
        }
    }

    fn value_of(&self, name: &str) -> Option<String> {
        self.list
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.value.clone())
    }
}

/// `Name` (code N[, vendor V]).
pub fn avp_doc(dict: &Dictionary, def: &AvpDef) -> String {
    match def.vendor_id {
        0 => format!("`{}` ({})", def.name, def.code),
        v => format!(
            "`{}` ({}, vendor {})",
            def.name,
            def.code,
            dict.vendor_name(v)
                .map_or_else(|| v.to_string(), str::to_string)
        ),
    }
}
