//! The merged dictionary and its lookup rules.
//!
//! Merging follows go-diameter / CGRateS (see `shared/spec/dictionaries.md` §2.1):
//!
//! * files are loaded one after the other into one dictionary; the same application id may be
//!   extended by any number of files;
//! * a second command with the same (application, code) is an error;
//! * a second AVP with the same (application, code, vendor) replaces the first (a warning is
//!   returned when its name or type differs). The replaced definition stays reachable by its
//!   own name, as in go-diameter, whose name index keeps pointing at it;
//! * AVP lookups walk the chain application -> parent (16777251 -> 4, 16777238 -> 4, 4 -> 1)
//!   -> base application 0. When the chain has no definition, every other application is
//!   searched in loading order (one interface's messages carry AVPs another interface's file
//!   defines: Rx carries Supported-Features of Cx/Dx, Gx carries the Gi `3GPP-*` AVPs);
//!   go-diameter stops at the chain. Lookups by code then retry the chain by code alone,
//!   whatever the vendor (the last definition loaded wins);
//! * command lookups fall back to application 0;
//! * an application id defined by several files keeps its first location and takes the last
//!   non-empty name and type given (an empty name or absent type never erases one); vendor
//!   names likewise take the last non-empty name.

mod merge;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use crate::error::DictError;
use crate::hash::IntMap;
use crate::index::{lookup_chain, AvpIndex};
use crate::model::{Application, AvpDef, CommandDef, Location, Rule, Vendor};

/// A warning found while loading or checking a dictionary (the load still succeeded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where the item the warning is about was defined.
    pub location: Location,
    /// What is wrong, naming the item.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: warning: {}", self.location, self.message)
    }
}

/// A set of dictionary files merged with the go-diameter / CGRateS rules.
#[derive(Debug, Clone, Default)]
pub struct Dictionary {
    /// Every AVP definition loaded, including replaced ones.
    avps: Vec<AvpDef>,
    /// `in_effect[i]`: `avps[i]` has not been replaced by a later definition.
    in_effect: Vec<bool>,
    /// Application id -> its AVP indexes.
    avp_index: IntMap<u32, AvpIndex>,
    commands: Vec<CommandDef>,
    /// (application, code) -> command.
    command_index: IntMap<u64, usize>,
    /// Lower-case full name, abbreviation (`ccr`, `cca`) or `<name>-request`/`-answer` ->
    /// the first command loaded with it.
    command_names: HashMap<String, usize>,
    /// Applications in the order they were first seen.
    apps: Vec<Application>,
    app_index: IntMap<u32, usize>,
    /// Lower-case application name (any name an application id was given) -> id.
    app_names: HashMap<String, u32>,
    vendors: Vec<Vendor>,
    vendor_index: IntMap<u32, usize>,
    /// `shipped_command[i]`: `commands[i]` comes from the shipped set, so a user file may
    /// redefine it (CGRateS users load e.g. their own Sy file, which go-diameter does not ship).
    shipped_command: Vec<bool>,
}

fn command_key(app_id: u32, code: u32) -> u64 {
    (u64::from(app_id) << 32) | u64::from(code)
}

impl Dictionary {
    /// An empty dictionary.
    pub fn new() -> Self {
        Self::default()
    }

    /// The dictionaries shipped with the project (`dictionaries/*.xml`), embedded at build time.
    ///
    /// Files loaded on top may redefine a shipped command (with a warning); any other
    /// duplicate command stays an error.
    pub fn shipped() -> Result<Self, DictError> {
        let mut dict = Self::new();
        for (source, xml) in crate::shipped::SHIPPED {
            dict.load_str(source, xml)?;
        }
        dict.shipped_command = vec![true; dict.commands.len()];
        Ok(dict)
    }

    /// Load one XML document; `source` names it in errors and locations.
    ///
    /// On error the dictionary is left as it was. On success, returns the load warnings
    /// (trimmed names, AVP definitions replaced by a different name or type).
    pub fn load_str(&mut self, source: &str, xml: &str) -> Result<Vec<Diagnostic>, DictError> {
        let (doc, mut warnings) = crate::parser::parse(source, xml)?;
        self.merge(doc, &mut warnings)?;
        Ok(warnings)
    }

    /// Load a file, or every `*.xml` under a folder (recursively, in sorted order).
    ///
    /// For a folder the order is CGRateS's: the folder's own `*.xml` files by name, then each
    /// sub-folder in name order. Files are named in locations by their path. Files loaded
    /// before an error stay loaded.
    pub fn load_path(&mut self, path: impl AsRef<Path>) -> Result<Vec<Diagnostic>, DictError> {
        let path = path.as_ref();
        let io_error = |path: &Path, source| DictError::Io {
            path: path.display().to_string(),
            source,
        };
        let files = crate::files::dictionary_files(path).map_err(|e| io_error(path, e))?;
        let mut warnings = Vec::new();
        for file in files {
            let xml = std::fs::read_to_string(&file).map_err(|e| io_error(&file, e))?;
            warnings.extend(self.load_str(&file.display().to_string(), &xml)?);
        }
        Ok(warnings)
    }

    /// AVP by code and vendor for an application, with the fallback chain
    /// app -> parent app -> base (0), then any other application, then vendor-less
    /// along the chain.
    #[inline]
    pub fn avp(&self, app_id: u32, code: u32, vendor_id: u32) -> Option<&AvpDef> {
        let exact = |index: &AvpIndex| index.by_code(code, vendor_id);
        self.find(app_id, exact)
            .or_else(|| self.find_anywhere(exact))
            .or_else(|| self.find(app_id, |index| index.by_code_any_vendor(code)))
    }

    /// AVP by name for an application, with the same fallback chain, then any other
    /// application.
    ///
    /// When several vendors define the name in one application, the last one loaded wins
    /// (go-diameter's vendor-less name index); use [`Dictionary::avp_by_name_vendor`] to choose.
    pub fn avp_by_name(&self, app_id: u32, name: &str) -> Option<&AvpDef> {
        let lookup = |index: &AvpIndex| index.by_name(name);
        self.find(app_id, lookup)
            .or_else(|| self.find_anywhere(lookup))
    }

    /// AVP by name and vendor for an application, with the fallback chain
    /// app -> parent app -> base (0), then any other application.
    pub fn avp_by_name_vendor(&self, app_id: u32, name: &str, vendor_id: u32) -> Option<&AvpDef> {
        let lookup = |index: &AvpIndex| index.by_name_vendor(name, vendor_id);
        self.find(app_id, lookup)
            .or_else(|| self.find_anywhere(lookup))
    }

    /// The AVP a rule refers to, seen from application `app_id` (honours `Rule::vendor_id`).
    ///
    /// The name is looked up along the fallback chain of `app_id`, then in every application
    /// (in the order they were loaded), because grouped AVPs of the base application name
    /// AVPs of other applications. `None` for the `AVP` wildcard unless an AVP has that name.
    pub fn rule_avp(&self, app_id: u32, rule: &Rule) -> Option<&AvpDef> {
        let name = rule.avp.as_str();
        let lookup = |index: &AvpIndex| match rule.vendor_id {
            Some(vendor_id) => index.by_name_vendor(name, vendor_id),
            None => index.by_name(name),
        };
        self.find(app_id, lookup)
            .or_else(|| self.find_anywhere(lookup))
    }

    /// Command by application and code, falling back to application 0.
    #[inline]
    pub fn command(&self, app_id: u32, code: u32) -> Option<&CommandDef> {
        self.command_index
            .get(&command_key(app_id, code))
            .or_else(|| self.command_index.get(&command_key(0, code)))
            .map(|&ix| &self.commands[ix])
    }

    /// Command by full name (`Credit-Control`) or abbreviation (`CCR`, `CCA`).
    ///
    /// Case-insensitive; `Credit-Control-Request` / `-Answer` are accepted too. When several
    /// applications define a command with that name (Credit-Control in applications 4 and
    /// 16777238), the first one loaded wins; see [`Dictionary::command_in`].
    pub fn command_by_name(&self, name: &str) -> Option<&CommandDef> {
        self.command_names
            .get(&name.trim().to_ascii_lowercase())
            .map(|&ix| &self.commands[ix])
    }

    /// Command by name (as [`Dictionary::command_by_name`]) defined in application `app_id`,
    /// else in application 0.
    pub fn command_in(&self, app_id: u32, name: &str) -> Option<&CommandDef> {
        let name = name.trim();
        let matches = |cmd: &&CommandDef| command_names(cmd).any(|n| n.eq_ignore_ascii_case(name));
        let in_app = |app| self.commands.iter().filter(move |c| c.app_id == app);
        in_app(app_id)
            .find(matches)
            .or_else(|| in_app(0).find(matches))
    }

    /// Application by id.
    ///
    /// An application id extended by several files keeps the location of its first
    /// definition, and the last non-empty name and type given to it (go-diameter's
    /// application index also holds the last one loaded).
    pub fn application(&self, id: u32) -> Option<&Application> {
        self.app_index.get(&id).map(|&ix| &self.apps[ix])
    }

    /// Application by name, case-insensitive: any name the id was given in any file
    /// (application 4 is both `Charging Control` and `TGPP` in go-diameter's files).
    pub fn application_by_name(&self, name: &str) -> Option<&Application> {
        let id = self.app_names.get(&name.trim().to_ascii_lowercase())?;
        self.application(*id)
    }

    /// Vendor name by id.
    ///
    /// From `<vendor>` elements anywhere in the files; the last non-empty name loaded wins.
    pub fn vendor_name(&self, id: u32) -> Option<&str> {
        self.vendor_index
            .get(&id)
            .map(|&ix| self.vendors[ix].name.as_str())
    }

    /// Every vendor, in the order first seen.
    pub fn vendors(&self) -> impl Iterator<Item = &Vendor> {
        self.vendors.iter()
    }

    /// Every AVP definition currently in effect.
    pub fn avps(&self) -> impl Iterator<Item = &AvpDef> {
        self.avps
            .iter()
            .zip(&self.in_effect)
            .filter(|(_, &in_effect)| in_effect)
            .map(|(def, _)| def)
    }

    /// Every command definition.
    pub fn commands(&self) -> impl Iterator<Item = &CommandDef> {
        self.commands.iter()
    }

    /// Every application.
    pub fn applications(&self) -> impl Iterator<Item = &Application> {
        self.apps.iter()
    }

    /// AVP and command counts per application and per vendor.
    pub fn stats(&self) -> crate::Stats {
        crate::stats::stats(self)
    }

    /// Consistency check: rules that name no AVP, enum/grouped content on the wrong type, ...
    pub fn check(&self) -> Vec<Diagnostic> {
        crate::check::check(self)
    }

    /// The first definition `lookup` finds in any application, in the order the applications
    /// were loaded.
    fn find_anywhere(&self, lookup: impl Fn(&AvpIndex) -> Option<usize>) -> Option<&AvpDef> {
        self.apps
            .iter()
            .find_map(|app| self.avp_index.get(&app.id).and_then(&lookup))
            .map(|ix| &self.avps[ix])
    }

    /// The first definition `lookup` finds along the fallback chain of `app_id`.
    #[inline]
    fn find(&self, app_id: u32, lookup: impl Fn(&AvpIndex) -> Option<usize>) -> Option<&AvpDef> {
        lookup_chain(app_id)
            .find_map(|app| self.avp_index.get(&app).and_then(&lookup))
            .map(|ix| &self.avps[ix])
    }
}

/// The names a command answers to: full name, `<name>-Request`/`-Answer`, short + `R`/`A`.
fn command_names(cmd: &CommandDef) -> impl Iterator<Item = String> + '_ {
    let full = (!cmd.name.is_empty()).then(|| {
        [
            cmd.name.clone(),
            format!("{}-Request", cmd.name),
            format!("{}-Answer", cmd.name),
        ]
    });
    let short =
        (!cmd.short.is_empty()).then(|| [format!("{}R", cmd.short), format!("{}A", cmd.short)]);
    full.into_iter()
        .flatten()
        .chain(short.into_iter().flatten())
}
