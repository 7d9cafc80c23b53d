//! Merging one parsed file into the dictionary.

use std::collections::hash_map::Entry;

use super::{command_key, command_names, Diagnostic, Dictionary};
use crate::error::DictError;
use crate::hash::IntMap;
use crate::model::{Application, AvpDef, CommandDef, Vendor};
use crate::parser::ParsedDoc;

impl Dictionary {
    /// Merge `doc`; nothing is changed when it returns an error.
    pub(super) fn merge(
        &mut self,
        doc: ParsedDoc,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<(), DictError> {
        self.check_new_commands(&doc)?;
        for vendor in doc.vendors {
            self.add_vendor(vendor);
        }
        for parsed in doc.apps {
            self.add_application(parsed.app);
            for cmd in parsed.commands {
                self.add_command(cmd, warnings);
            }
            for def in parsed.avps {
                self.add_avp(def, warnings);
            }
        }
        Ok(())
    }

    /// A command whose (application, code) is already defined, here or earlier in the same
    /// file, is an error (go-diameter: "cannot be added: index exists"), unless the earlier
    /// definition is a shipped one.
    fn check_new_commands(&self, doc: &ParsedDoc) -> Result<(), DictError> {
        let mut seen: IntMap<u64, &CommandDef> = IntMap::default();
        for cmd in doc.apps.iter().flat_map(|app| &app.commands) {
            let key = command_key(cmd.app_id, cmd.code);
            let first = match self.command_index.get(&key) {
                Some(&ix) if !self.is_shipped_command(ix) => Some(&self.commands[ix]),
                _ => seen.get(&key).copied(),
            };
            if let Some(first) = first {
                return Err(DictError::Invalid {
                    location: cmd.location.clone(),
                    message: format!(
                        "duplicate command {} `{}` in application {} (first defined at {})",
                        cmd.code, cmd.name, cmd.app_id, first.location
                    ),
                });
            }
            seen.insert(key, cmd);
        }
        Ok(())
    }

    fn is_shipped_command(&self, ix: usize) -> bool {
        self.shipped_command.get(ix).copied().unwrap_or(false)
    }

    fn add_vendor(&mut self, vendor: Vendor) {
        match self.vendor_index.entry(vendor.id) {
            Entry::Occupied(slot) => {
                let known = &mut self.vendors[*slot.get()];
                if !vendor.name.is_empty() {
                    known.name = vendor.name;
                }
            }
            Entry::Vacant(slot) => {
                slot.insert(self.vendors.len());
                self.vendors.push(vendor);
            }
        }
    }

    /// First definition: kept with its location. Later ones: a non-empty name and a type
    /// replace the known ones.
    fn add_application(&mut self, app: Application) {
        if !app.name.is_empty() {
            self.app_names.insert(app.name.to_ascii_lowercase(), app.id);
        }
        match self.app_index.entry(app.id) {
            Entry::Occupied(slot) => {
                let known = &mut self.apps[*slot.get()];
                if !app.name.is_empty() {
                    known.name = app.name;
                }
                if app.kind.is_some() {
                    known.kind = app.kind;
                }
            }
            Entry::Vacant(slot) => {
                slot.insert(self.apps.len());
                self.apps.push(app);
            }
        }
    }

    fn add_command(&mut self, cmd: CommandDef, warnings: &mut Vec<Diagnostic>) {
        let key = command_key(cmd.app_id, cmd.code);
        if let Some(&ix) = self.command_index.get(&key) {
            // Only a shipped command gets here (`check_new_commands`): replace it in place.
            warnings.push(Diagnostic {
                location: cmd.location.clone(),
                message: format!(
                    "command {} `{}` in application {} replaces the shipped definition at {}",
                    cmd.code, cmd.name, cmd.app_id, self.commands[ix].location
                ),
            });
            for name in command_names(&cmd) {
                self.command_names.insert(name.to_ascii_lowercase(), ix);
            }
            self.commands[ix] = cmd;
            self.shipped_command[ix] = false;
            return;
        }
        let ix = self.commands.len();
        self.command_index.insert(key, ix);
        for name in command_names(&cmd) {
            self.command_names
                .entry(name.to_ascii_lowercase())
                .or_insert(ix);
        }
        self.commands.push(cmd);
    }

    fn add_avp(&mut self, def: AvpDef, warnings: &mut Vec<Diagnostic>) {
        let ix = self.avps.len();
        let index = self.avp_index.entry(def.app_id).or_default();
        if let Some(old) = index.insert(ix, &def.name, def.code, def.vendor_id) {
            self.in_effect[old] = false;
            let old = &self.avps[old];
            if old.name != def.name || old.data_type != def.data_type {
                warnings.push(Diagnostic {
                    location: def.location.clone(),
                    message: format!(
                        "AVP {} (vendor {}) in application {} redefined: `{}` ({}) replaces `{}` ({}) defined at {}",
                        def.code,
                        def.vendor_id,
                        def.app_id,
                        def.name,
                        def.data_type,
                        old.name,
                        old.data_type,
                        old.location
                    ),
                });
            }
        }
        self.avps.push(def);
        self.in_effect.push(true);
    }
}
