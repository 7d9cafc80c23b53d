//! Processor flags: `*name`, `*name:param`, `*name:opt:v1&v2`, the main action and the
//! auxiliary options of backend calls (§3 of the spec).

use std::collections::BTreeMap;

/// The single main action of a processor: the first of these flags present, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `*dryrun`: no backend call; log.
    DryRun,
    /// `*authorize` (v0.10 `*auth`).
    Authorize,
    /// `*initiate`.
    Initiate,
    /// `*update`.
    Update,
    /// `*terminate`.
    Terminate,
    /// `*message`.
    Message,
    /// `*cdrs` as main action: only the CDR call.
    Cdrs,
    /// `*event`.
    Event,
    /// `*none`: no backend call.
    None,
}

/// Parsed flags: name -> option -> values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flags {
    map: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

impl Flags {
    /// Parse a flag list.
    pub fn parse(list: &[String]) -> Flags {
        let mut map: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
        for flag in list {
            let mut parts = flag.splitn(3, ':');
            let name = parts.next().unwrap_or_default().trim().to_string();
            let opts = map.entry(name).or_default();
            if let Some(opt) = parts.next() {
                let values = parts
                    .next()
                    .map(|v| v.split('&').map(str::to_string).collect())
                    .unwrap_or_default();
                opts.insert(opt.to_string(), values);
            }
        }
        Flags { map }
    }

    /// Whether the flag is present.
    pub fn has(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    /// Boolean reading: absent false; without params true; with params true unless it has
    /// `false` and not `true`.
    pub fn get_bool(&self, name: &str) -> bool {
        match self.map.get(name) {
            None => false,
            Some(opts) if opts.is_empty() => true,
            Some(opts) => !opts.contains_key("false") || opts.contains_key("true"),
        }
    }

    /// The values of option `opt` of flag `name` (`*attributes:*ids:A&B` -> `[A, B]`).
    pub fn values(&self, name: &str, opt: &str) -> Option<Vec<String>> {
        self.map.get(name)?.get(opt).cloned()
    }

    /// The first parameter of a flag (`*routes_maxcost:10` -> `10`, `*daStats:SQ1&SQ2` -> `SQ1&SQ2`).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.map.get(name)?.keys().next().map(String::as_str)
    }

    /// The flags re-serialised for SessionS' ProcessEvent (`name`, `name:opt`, `name:opt:v1&v2`).
    pub fn to_strings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (name, opts) in &self.map {
            if opts.is_empty() {
                out.push(name.clone());
            }
            for (opt, values) in opts {
                if values.is_empty() {
                    out.push(format!("{name}:{opt}"));
                } else {
                    out.push(format!("{name}:{opt}:{}", values.join("&")));
                }
            }
        }
        out
    }

    /// The main action: the first present of `*dryrun`, `*authorize`/`*auth`, `*initiate`,
    /// `*update`, `*terminate`, `*message`, `*cdrs`, `*event`, `*none`.
    pub fn action(&self) -> Option<Action> {
        const ORDER: [(&str, Action); 10] = [
            ("*dryrun", Action::DryRun),
            ("*authorize", Action::Authorize),
            ("*auth", Action::Authorize),
            ("*initiate", Action::Initiate),
            ("*update", Action::Update),
            ("*terminate", Action::Terminate),
            ("*message", Action::Message),
            ("*cdrs", Action::Cdrs),
            ("*event", Action::Event),
            ("*none", Action::None),
        ];
        ORDER.iter().find(|(n, _)| self.has(n)).map(|(_, a)| *a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(list: &[&str]) -> Flags {
        Flags::parse(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn main_action_priority() {
        assert_eq!(
            flags(&["*message", "*initiate"]).action(),
            Some(Action::Initiate)
        );
        assert_eq!(
            flags(&["*event", "*accounts", "*cdrs"]).action(),
            Some(Action::Cdrs)
        );
        assert_eq!(flags(&["*cdrs", "*dryrun"]).action(), Some(Action::DryRun));
        assert_eq!(flags(&["*auth"]).action(), Some(Action::Authorize));
        assert_eq!(flags(&["*accounts"]).action(), None);
    }

    #[test]
    fn options() {
        let f = flags(&[
            "*attributes:*ids:A1&A2",
            "*cdrs:false",
            "*routes_maxcost:10",
            "*fd",
        ]);
        assert_eq!(
            f.values("*attributes", "*ids"),
            Some(vec!["A1".to_string(), "A2".to_string()])
        );
        assert!(!f.get_bool("*cdrs"));
        assert!(f.get_bool("*fd"));
        assert!(!f.get_bool("*accounts"));
        assert_eq!(f.param("*routes_maxcost"), Some("10"));
        assert_eq!(
            f.to_strings(),
            [
                "*attributes:*ids:A1&A2",
                "*cdrs:false",
                "*fd",
                "*routes_maxcost:10"
            ]
        );
    }
}
