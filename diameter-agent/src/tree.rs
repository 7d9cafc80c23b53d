//! The ordered data containers of one request (`*vars`, `*cgreq`, `*cgrep`, `*rep`, `*diamreq`,
//! `*tmp`, `*opts`): leaf values keyed by their dotted path, in insertion order.
//!
//! This is CGRateS' ordered navigable map: overwriting a path removes its old values and
//! appends the new one at the end (so it moves last in the order), `*group` writes append
//! another value under the same path (a list), `*composed` writes extend the text of the last
//! value. Reading a path that holds a list gives its **last** value unless indexed.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::datum::Datum;

/// One leaf value.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Dotted path inside the container (`Multiple-Services-Credit-Control.Rating-Group`).
    pub key: Arc<str>,
    /// The value.
    pub value: Datum,
    /// Written by a field with `new_branch` (start a new grouped AVP instance).
    pub new_branch: bool,
}

/// What a read found.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// A leaf value.
    Value(Datum),
    /// An inner node (a map): present, read as its JSON text.
    Node(String),
}

/// An ordered container of leaf values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tree {
    entries: Vec<Entry>,
}

fn is_under(key: &str, prefix: &str) -> bool {
    key.len() > prefix.len() && key.starts_with(prefix) && key.as_bytes()[prefix.len()] == b'.'
}

impl Tree {
    /// An empty container.
    pub fn new() -> Tree {
        Tree::default()
    }

    /// The leaves in order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Whether the container holds nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Remove everything.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Overwrite: drop the values at `key` (and below it), append the new value last.
    pub fn set(&mut self, key: Arc<str>, value: Datum, new_branch: bool) {
        self.remove(&key);
        self.entries.push(Entry {
            key,
            value,
            new_branch,
        });
    }

    /// Append one more value at `key` (a list element).
    pub fn append(&mut self, key: Arc<str>, value: Datum, new_branch: bool) {
        self.entries.push(Entry {
            key,
            value,
            new_branch,
        });
    }

    /// Append text to the last value at `key` (or add it when there is none).
    pub fn compose(&mut self, key: Arc<str>, text: &str, new_branch: bool) {
        match self.entries.iter_mut().rev().find(|e| *e.key == *key) {
            Some(entry) => {
                let mut joined = entry.value.text().into_owned();
                joined.push_str(text);
                entry.value = Datum::from(joined);
            }
            None => self.append(key, Datum::from(text), new_branch),
        }
    }

    /// Remove the values at `key` and below it.
    pub fn remove(&mut self, key: &str) {
        self.entries
            .retain(|e| *e.key != *key && !is_under(&e.key, key));
    }

    /// The values at exactly `key`, in order.
    pub fn values<'a>(&'a self, key: &'a str) -> impl DoubleEndedIterator<Item = &'a Datum> + 'a {
        self.entries
            .iter()
            .filter(move |e| *e.key == *key)
            .map(|e| &e.value)
    }

    /// Read `key`: its last value, or the `index`-th (negative counts from the end);
    /// `<key>.Length` gives the number of values at `<key>`; an inner node reads as JSON text.
    pub fn get(&self, key: &str, index: Option<i64>) -> Option<Found> {
        let values: Vec<&Datum> = self.values(key).collect();
        if !values.is_empty() {
            let pick = match index {
                None => values.last().copied(),
                Some(i) if i < 0 => values
                    .len()
                    .checked_sub(i.unsigned_abs() as usize)
                    .map(|i| values[i]),
                Some(i) => values.get(i as usize).copied(),
            };
            return pick.map(|d| Found::Value(d.clone()));
        }
        if index.is_none() {
            if let Some(list) = key.strip_suffix(".Length") {
                let n = self.values(list).count();
                if n > 0 {
                    return Some(Found::Value(Datum::Int(n as i64)));
                }
            }
        }
        if self.entries.iter().any(|e| is_under(&e.key, key)) {
            let sub = self.subtree_json(key);
            return Some(Found::Node(Value::Object(sub).to_string()));
        }
        None
    }

    fn subtree_json(&self, prefix: &str) -> Map<String, Value> {
        let mut out = Map::new();
        for e in &self.entries {
            if is_under(&e.key, prefix) {
                insert_json(&mut out, &e.key[prefix.len() + 1..], e.value.to_json());
            }
        }
        out
    }

    /// The container as a JSON object: dotted paths become nested objects, repeated paths arrays.
    pub fn to_json(&self) -> Map<String, Value> {
        let mut out = Map::new();
        for e in &self.entries {
            insert_json(&mut out, &e.key, e.value.to_json());
        }
        out
    }

    /// Flatten a JSON object into leaves (arrays of scalars become repeated values).
    pub fn from_json(object: &Map<String, Value>) -> Tree {
        let mut tree = Tree::new();
        tree.extend_json("", object);
        tree
    }

    /// Add the leaves of `object` under `prefix` (empty for the root).
    pub fn extend_json(&mut self, prefix: &str, object: &Map<String, Value>) {
        for (k, v) in object {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            self.push_json(key, v);
        }
    }

    fn push_json(&mut self, key: String, value: &Value) {
        match value {
            Value::Object(map) => self.extend_json(&key, map),
            Value::Array(items) => {
                let key: Arc<str> = key.into();
                for item in items {
                    self.append(key.clone(), Datum::from_json(item), false);
                }
            }
            scalar => self.append(key.into(), Datum::from_json(scalar), false),
        }
    }
}

fn insert_json(map: &mut Map<String, Value>, key: &str, value: Value) {
    match key.split_once('.') {
        Some((head, rest)) => {
            let slot = map
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            if let Value::Object(inner) = slot {
                insert_json(inner, rest, value);
            }
        }
        None => match map.get_mut(key) {
            Some(Value::Array(items)) => items.push(value),
            Some(existing) if !existing.is_object() => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
            _ => {
                map.insert(key.to_string(), value);
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> Arc<str> {
        s.into()
    }

    #[test]
    fn overwrite_moves_the_value_last() {
        let mut t = Tree::new();
        t.set(k("Result-Code"), Datum::from("2001"), false);
        t.set(k("Session-Id"), Datum::from("s"), false);
        t.set(k("Result-Code"), Datum::from("4012"), false);
        let keys: Vec<&str> = t.entries().iter().map(|e| &*e.key).collect();
        assert_eq!(keys, ["Session-Id", "Result-Code"]);
        assert_eq!(
            t.get("Result-Code", None),
            Some(Found::Value(Datum::from("4012")))
        );
    }

    #[test]
    fn group_appends_and_indexes() {
        let mut t = Tree::new();
        t.append(k("A"), Datum::Int(1), false);
        t.append(k("A"), Datum::Int(2), false);
        assert_eq!(t.get("A", None), Some(Found::Value(Datum::Int(2))));
        assert_eq!(t.get("A", Some(0)), Some(Found::Value(Datum::Int(1))));
        assert_eq!(t.get("A", Some(-2)), Some(Found::Value(Datum::Int(1))));
        assert_eq!(t.get("A", Some(5)), None);
        assert_eq!(t.get("A.Length", None), Some(Found::Value(Datum::Int(2))));
        assert_eq!(
            serde_json::Value::Object(t.to_json()),
            serde_json::json!({"A": [1, 2]})
        );
    }

    #[test]
    fn compose_extends_text() {
        let mut t = Tree::new();
        t.compose(k("X"), "a", false);
        t.compose(k("X"), "b", false);
        assert_eq!(t.get("X", None), Some(Found::Value(Datum::from("ab"))));
    }

    #[test]
    fn nested_paths_and_nodes() {
        let mut t = Tree::new();
        t.set(k("MaxUsage.*raw"), Datum::Duration(5), false);
        assert_eq!(
            t.get("MaxUsage", None),
            Some(Found::Node("{\"*raw\":5}".to_string()))
        );
        t.remove("MaxUsage");
        assert!(t.is_empty());
    }

    #[test]
    fn json_round_trip() {
        let json = serde_json::json!({"MaxUsage": 5, "Attributes": {"Account": "1001"}, "Ids": ["a", "b"]});
        let t = Tree::from_json(json.as_object().unwrap());
        assert_eq!(
            t.get("Attributes.Account", None),
            Some(Found::Value(Datum::from("1001")))
        );
        assert_eq!(t.get("Ids", Some(0)), Some(Found::Value(Datum::from("a"))));
        assert_eq!(serde_json::Value::Object(t.to_json()), json);
    }
}
