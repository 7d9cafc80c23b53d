//! Differences between our dictionary and another set ([`compare`]).

use std::collections::HashMap;
use std::fmt;

use crate::model::{AvpDef, DataType};

/// What differs for one AVP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffKind {
    /// The same name with another code or vendor.
    CodeVendor {
        /// Our (code, vendor).
        ours: (u32, u32),
        /// Their (code, vendor).
        theirs: (u32, u32),
    },
    /// The same (code, vendor) with another data type.
    Type {
        /// Our type.
        ours: DataType,
        /// Their type.
        theirs: DataType,
    },
    /// The same (code, vendor) with another M rule (`must` has M or not).
    Mandatory {
        /// Our `must` has M.
        ours: bool,
        /// Their `must` has M.
        theirs: bool,
    },
}

/// One difference, named by our AVP name (their name when it differs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Our name of the AVP.
    pub name: String,
    /// Their name, when it is not ours.
    pub their_name: Option<String>,
    /// The (code, vendor) the difference is about (ours for a code/vendor difference).
    pub code: u32,
    /// The vendor id.
    pub vendor_id: u32,
    /// What differs.
    pub kind: DiffKind,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flag = |m: bool| if m { "M" } else { "-" };
        let name = match &self.their_name {
            Some(theirs) => format!("{} ({theirs})", self.name),
            None => self.name.clone(),
        };
        match &self.kind {
            DiffKind::CodeVendor { ours, theirs } => write!(
                f,
                "code/vendor  {name}: ours {}/{}, theirs {}/{}",
                ours.0, ours.1, theirs.0, theirs.1
            ),
            DiffKind::Type { ours, theirs } => write!(
                f,
                "type         {name} {}/{}: ours {ours}, theirs {theirs}",
                self.code, self.vendor_id
            ),
            DiffKind::Mandatory { ours, theirs } => write!(
                f,
                "M flag       {name} {}/{}: ours {}, theirs {}",
                self.code,
                self.vendor_id,
                flag(*ours),
                flag(*theirs)
            ),
        }
    }
}

/// The result of [`compare`].
#[derive(Debug, Clone, Default)]
pub struct Comparison {
    /// (code, vendor) pairs both sets define.
    pub common: usize,
    /// Their AVPs (deduplicated by (code, vendor)) whose pair and name we do not define.
    pub only_theirs: Vec<(String, u32, u32)>,
    /// Our AVPs whose (code, vendor) they do not define.
    pub only_ours: usize,
    /// Every difference, in their file order.
    pub differences: Vec<Difference>,
}

/// Compare `theirs` with `ours`: for each (code, vendor) both define, the data type and the
/// M rule; for each of their AVPs whose pair we do not define but whose name we use with the
/// same code or the same vendor, the code and vendor. Their duplicate definitions of a pair
/// are compared once (the first).
pub fn compare<'a>(ours: impl IntoIterator<Item = &'a AvpDef>, theirs: &[AvpDef]) -> Comparison {
    let mut by_key: HashMap<(u32, u32), &AvpDef> = HashMap::new();
    let mut by_name: HashMap<&str, &AvpDef> = HashMap::new();
    for def in ours {
        by_key.entry((def.code, def.vendor_id)).or_insert(def);
        by_name.entry(def.name.as_str()).or_insert(def);
    }
    let mut out = Comparison::default();
    let mut seen: HashMap<(u32, u32), ()> = HashMap::new();
    for their in theirs {
        let key = (their.code, their.vendor_id);
        if seen.insert(key, ()).is_some() {
            continue;
        }
        let their_name = |ours: &AvpDef| (ours.name != their.name).then(|| their.name.clone());
        match by_key.get(&key) {
            Some(our) => {
                out.common += 1;
                let diff = |kind| Difference {
                    name: our.name.clone(),
                    their_name: their_name(our),
                    code: our.code,
                    vendor_id: our.vendor_id,
                    kind,
                };
                if our.data_type != their.data_type {
                    out.differences.push(diff(DiffKind::Type {
                        ours: our.data_type,
                        theirs: their.data_type,
                    }));
                }
                if our.flags.must.m != their.flags.must.m {
                    out.differences.push(diff(DiffKind::Mandatory {
                        ours: our.flags.must.m,
                        theirs: their.flags.must.m,
                    }));
                }
            }
            // The same name is the same AVP with another code or vendor only when one of the
            // two still matches (both differing means two AVPs that share a name, such as
            // RFC 4740 SIP-Method 393 and TS 29.229 SIP-Method 824/10415).
            None => match by_name
                .get(their.name.as_str())
                .filter(|our| our.code == their.code || our.vendor_id == their.vendor_id)
            {
                Some(our) => out.differences.push(Difference {
                    name: our.name.clone(),
                    their_name: None,
                    code: our.code,
                    vendor_id: our.vendor_id,
                    kind: DiffKind::CodeVendor {
                        ours: (our.code, our.vendor_id),
                        theirs: key,
                    },
                }),
                None => out
                    .only_theirs
                    .push((their.name.clone(), their.code, their.vendor_id)),
            },
        }
    }
    out.only_ours = by_key.keys().filter(|k| !seen.contains_key(k)).count();
    out
}
