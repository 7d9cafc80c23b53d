//! Generating part of a dictionary set: the commands of some files or applications, and
//! the grouped and enumerated types they need.
//!
//! Selection happens after planning, so every name (types, modules, constants) is the one a
//! full build gives: enabling one more interface never renames what was already there.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use diameter_dict::CommandDef;

use crate::plan::{Plan, TypeKind};

/// Which commands to generate; empty means all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Dictionary files (by file name, or a path suffix) whose commands are kept.
    pub files: Vec<String>,
    /// Application ids whose commands are kept.
    pub applications: Vec<u32>,
}

impl Selection {
    /// Whether nothing is selected, so everything is generated.
    pub fn is_all(&self) -> bool {
        self.files.is_empty() && self.applications.is_empty()
    }

    /// Whether `cmd` is selected.
    pub fn keeps(&self, cmd: &CommandDef) -> bool {
        self.is_all()
            || self.applications.contains(&cmd.app_id)
            || self
                .files
                .iter()
                .any(|f| Path::new(&cmd.location.source).ends_with(f))
    }
}

/// Keep the selected commands, the types their fields reach (through grouped members, to
/// any depth) and the constants whose type is still there.
pub fn retain(plan: &mut Plan<'_>, selection: &Selection) {
    if selection.is_all() {
        return;
    }
    plan.commands.retain(|cmd| selection.keeps(cmd.def));

    let index: HashMap<&str, usize> = plan
        .types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), i))
        .collect();
    let mut reached: HashSet<usize> = HashSet::new();
    let mut queue: Vec<usize> = Vec::new();
    let mut visit = |ty: &str, queue: &mut Vec<usize>| {
        for name in type_names(ty) {
            if let Some(&i) = index.get(name) {
                if reached.insert(i) {
                    queue.push(i);
                }
            }
        }
    };
    for cmd in &plan.commands {
        for field in cmd.request.fields.iter().chain(&cmd.answer.fields) {
            visit(&field.ty, &mut queue);
        }
    }
    while let Some(i) = queue.pop() {
        if let TypeKind::Grouped { fields, .. } = &plan.types[i].kind {
            for field in fields {
                visit(&field.ty, &mut queue);
            }
        }
    }

    let dropped: HashSet<String> = plan
        .types
        .iter()
        .enumerate()
        .filter(|(i, _)| !reached.contains(i))
        .map(|(_, t)| t.name.clone())
        .collect();
    let mut i = 0;
    plan.types.retain(|_| {
        i += 1;
        reached.contains(&(i - 1))
    });
    plan.constants
        .retain(|c| type_names(&c.ty).all(|name| !dropped.contains(name)));
}

/// The identifiers in a Rust type (`Option<Box<ServiceInformation>>` gives `Option`, `Box`,
/// `ServiceInformation`).
fn type_names(ty: &str) -> impl Iterator<Item = &str> {
    ty.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_splits_wrappers_and_paths() {
        let names: Vec<&str> = type_names("Vec<Box<avps::ServiceInformation>>").collect();
        assert_eq!(names, ["Vec", "Box", "avps", "ServiceInformation"]);
    }
}
