//! AVP paths such as `Service-Information.SMS-Information.Recipient-Info.Recipient-Address.Address-Data`,
//! resolved once to codes through the dictionary and then walked over messages.

use std::ops::Range;

use bytes::Bytes;
use diameter_dict::{AvpDef, DataType, Dictionary};

use super::avp::{Avp, Payload};
use crate::wire::Walk;

/// A path that names no known AVP, or goes through an AVP that is not grouped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("empty AVP path")]
    Empty,
    #[error("unknown AVP `{name}` in path `{path}`")]
    UnknownAvp { name: String, path: String },
    #[error("AVP `{name}` in path `{path}` is not Grouped")]
    NotGrouped { name: String, path: String },
}

/// One step: an AVP key.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Step {
    code: u32,
    vendor_id: u32,
}

/// A compiled AVP path.
///
/// ```
/// # use diameter_dict::Dictionary;
/// # use diameter_runtime::message::Path;
/// let dict = Dictionary::shipped().unwrap();
/// let path = Path::compile(&dict, 4, "Subscription-Id.Subscription-Id-Data").unwrap();
/// assert_eq!(path.data_type(), diameter_dict::DataType::UTF8String);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    text: String,
    steps: Vec<Step>,
    data_type: DataType,
}

impl Path {
    /// Resolve a dot-separated path of AVP names for application `app_id`.
    pub fn compile(dict: &Dictionary, app_id: u32, text: &str) -> Result<Path, PathError> {
        let mut steps = Vec::new();
        let mut last: Option<&AvpDef> = None;
        for name in text.split('.').map(str::trim) {
            if name.is_empty() {
                return Err(PathError::Empty);
            }
            if let Some(parent) = last {
                if parent.data_type != DataType::Grouped {
                    return Err(PathError::NotGrouped {
                        name: parent.name.clone(),
                        path: text.to_string(),
                    });
                }
            }
            let def = dict
                .avp_by_name(app_id, name)
                .ok_or_else(|| PathError::UnknownAvp {
                    name: name.to_string(),
                    path: text.to_string(),
                })?;
            steps.push(Step {
                code: def.code,
                vendor_id: def.vendor_id,
            });
            last = Some(def);
        }
        let data_type = last.ok_or(PathError::Empty)?.data_type;
        Ok(Path {
            text: text.to_string(),
            steps,
            data_type,
        })
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The data type of the AVP the path ends at.
    pub fn data_type(&self) -> DataType {
        self.data_type
    }

    /// The first AVP at the path under `avps`.
    pub fn first(&self, avps: &[Avp]) -> Option<Avp> {
        let mut found = None;
        self.walk(avps, 0, &mut |avp| {
            found = Some(avp);
            false
        });
        found
    }

    /// Every AVP at the path under `avps`, in order.
    pub fn all(&self, avps: &[Avp]) -> Vec<Avp> {
        let mut found = Vec::new();
        self.walk(avps, 0, &mut |avp| {
            found.push(avp);
            true
        });
        found
    }

    /// Visit matches depth-first; `visit` returns false to stop. Returns false once stopped.
    fn walk(&self, avps: &[Avp], depth: usize, visit: &mut dyn FnMut(Avp) -> bool) -> bool {
        let step = &self.steps[depth];
        for avp in avps.iter().filter(|a| a.is(step.code, step.vendor_id)) {
            let go_on = if depth + 1 == self.steps.len() {
                visit(avp.clone())
            } else {
                match &avp.payload {
                    Payload::Raw(data) => self.walk_raw(data, 0..data.len(), depth + 1, visit),
                    Payload::Group(children) => self.walk(children, depth + 1, visit),
                }
            };
            if !go_on {
                return false;
            }
        }
        true
    }

    /// The same walk over received bytes, reading AVP headers in place: only the matches
    /// become [`Avp`]s. An AVP that does not decode ends the walk of its group: reading
    /// never fails, it finds less.
    fn walk_raw(
        &self,
        data: &Bytes,
        range: Range<usize>,
        depth: usize,
        visit: &mut dyn FnMut(Avp) -> bool,
    ) -> bool {
        let step = &self.steps[depth];
        for avp in Walk::new(data, range).map_while(Result::ok) {
            if avp.code != step.code || avp.vendor_id != step.vendor_id {
                continue;
            }
            let go_on = if depth + 1 == self.steps.len() {
                visit(Avp::from(avp.to_raw()))
            } else {
                let (buf, members) = avp.data_range();
                self.walk_raw(buf, members, depth + 1, visit)
            };
            if !go_on {
                return false;
            }
        }
        true
    }
}
