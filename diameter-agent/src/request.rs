//! The state of one request while processors run, and the evaluation of value rules on it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use diameter_dict::{DataType, Dictionary};
use diameter_runtime::message::{Avp, Message, Payload};
use diameter_runtime::wire::{padded, AvpHeader};

use crate::datum::Datum;
use crate::dpath::{CompileCtx, Container, ReadPath, ReqPath, Resolved, Selector, WritePath};
use crate::rsr::{Rule, Rules, Source};
use crate::time::Timestamp;
use crate::tree::{Found, Tree};

/// Why a rule gave no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalError {
    /// The path exists in the dictionary but not in the data (`NOT_FOUND`).
    NotFound,
    /// A `*req` path names an AVP the request's application does not know.
    UnknownAvp(String),
    /// Anything else (bad index, converter failure, ...).
    Failed(String),
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EvalError::NotFound => f.write_str("NOT_FOUND"),
            EvalError::UnknownAvp(e) | EvalError::Failed(e) => f.write_str(e),
        }
    }
}

impl From<String> for EvalError {
    fn from(s: String) -> Self {
        EvalError::Failed(s)
    }
}

/// What evaluation needs from the agent: dictionary, applications, `*cfg`, and a cache of the
/// rules completed from `<...>` splices.
#[derive(Debug)]
pub struct Env {
    /// The dictionary.
    pub dict: Arc<Dictionary>,
    /// Application ids by slot.
    pub apps: Vec<u32>,
    /// `*cfg`.
    pub cfg: Tree,
    /// `general.rsr_separator`.
    pub sep: char,
    dynamic: Mutex<HashMap<String, Arc<Rule>>>,
}

/// Completed dynamic rules kept at most (the cache is cleared when full).
const DYNAMIC_CACHE_MAX: usize = 4096;

impl Env {
    /// An environment over `dict` with every application it defines.
    pub fn new(dict: Arc<Dictionary>, cfg: Tree, sep: char) -> Env {
        let mut apps: Vec<u32> = dict.applications().map(|a| a.id).collect();
        apps.sort_unstable();
        apps.dedup();
        Env {
            dict,
            apps,
            cfg,
            sep,
            dynamic: Mutex::new(HashMap::new()),
        }
    }

    /// The compile context.
    pub fn ctx(&self) -> CompileCtx<'_> {
        CompileCtx {
            dict: &self.dict,
            apps: &self.apps,
            sep: self.sep,
        }
    }

    /// The slot of application `app_id`.
    pub fn app_slot(&self, app_id: u32) -> Option<usize> {
        self.apps.binary_search(&app_id).ok()
    }

    fn dynamic_rule(&self, text: &str) -> Result<Arc<Rule>, String> {
        if let Some(rule) = self.dynamic.lock().expect("cache lock").get(text) {
            return Ok(rule.clone());
        }
        let rule = Arc::new(Rule::compile(text, &self.ctx())?);
        let mut cache = self.dynamic.lock().expect("cache lock");
        if cache.len() >= DYNAMIC_CACHE_MAX {
            cache.clear();
        }
        cache.insert(text.to_string(), rule.clone());
        Ok(rule)
    }
}

/// One request being processed.
#[derive(Debug)]
pub struct Request<'a> {
    /// The environment.
    pub env: &'a Env,
    /// The Diameter request.
    pub msg: &'a Message,
    /// Slot of the request's application.
    pub app_slot: usize,
    /// `*vars` (shared by processors).
    pub vars: Tree,
    /// `*cgreq` (fresh per processor).
    pub cgreq: Tree,
    /// `*cgrep` (shared).
    pub cgrep: Tree,
    /// `*rep` (shared).
    pub rep: Tree,
    /// `*diamreq` (fresh per processor).
    pub diamreq: Tree,
    /// `*tmp` (reset per field list).
    pub tmp: Tree,
    /// `*opts` (shared; the APIOpts of backend calls).
    pub opts: Tree,
    /// The tenant of the current processor.
    pub tenant: Arc<str>,
    /// `*req` values read so far, by path (the request does not change): (path key, value).
    req_cache: RefCell<Vec<(u64, Result<Datum, EvalError>)>>,
}

impl<'a> Request<'a> {
    /// A request with empty containers.
    pub fn new(env: &'a Env, msg: &'a Message, app_slot: usize) -> Request<'a> {
        Request {
            env,
            msg,
            app_slot,
            vars: Tree::new(),
            cgreq: Tree::new(),
            cgrep: Tree::new(),
            rep: Tree::new(),
            diamreq: Tree::new(),
            tmp: Tree::new(),
            opts: Tree::new(),
            tenant: Arc::from(""),
            req_cache: RefCell::new(Vec::new()),
        }
    }

    /// A container.
    pub fn container(&self, c: Container) -> &Tree {
        match c {
            Container::Vars => &self.vars,
            Container::CgReq => &self.cgreq,
            Container::CgRep => &self.cgrep,
            Container::Rep => &self.rep,
            Container::DiamReq => &self.diamreq,
            Container::Tmp => &self.tmp,
            Container::Opts => &self.opts,
            Container::Cfg => &self.env.cfg,
        }
    }

    /// A writable container (`*cfg` is read-only and never a destination).
    pub fn container_mut(&mut self, c: Container) -> &mut Tree {
        match c {
            Container::Vars => &mut self.vars,
            Container::CgReq => &mut self.cgreq,
            Container::CgRep => &mut self.cgrep,
            Container::Rep => &mut self.rep,
            Container::DiamReq => &mut self.diamreq,
            Container::Tmp | Container::Cfg => &mut self.tmp,
            Container::Opts => &mut self.opts,
        }
    }

    /// Read a path.
    pub fn read(&self, path: &ReadPath) -> Result<Datum, EvalError> {
        match path {
            ReadPath::Req(p) => self.read_req(p),
            ReadPath::Tenant => Ok(Datum::Str(self.tenant.clone())),
            ReadPath::Tree {
                container,
                key,
                index,
            } => match self.container(*container).get(key, *index) {
                Some(Found::Value(v)) => Ok(v),
                Some(Found::Node(json)) => Ok(Datum::from(json)),
                None => Err(EvalError::NotFound),
            },
        }
    }

    /// Evaluate one rule against the request (typed when the rule neither rewrites nor converts).
    pub fn eval_rule(&self, rule: &Rule) -> Result<Datum, EvalError> {
        match &rule.source {
            Source::Const(text) => Ok(rule.finish(Datum::Str(text.clone()))?),
            Source::Path(path) => Ok(rule.finish(self.read(path)?)?),
            Source::Dynamic {
                before,
                inner,
                after,
            } => {
                let spliced = format!("{before}{}{after}", self.eval_text(inner)?);
                let completed = self.env.dynamic_rule(&spliced)?;
                self.eval_rule(&completed)
            }
        }
    }

    /// Evaluate rules and concatenate their text; `*req` names unknown to the application
    /// give empty text (as CGRateS does in values).
    pub fn eval_text(&self, rules: &Rules) -> Result<String, EvalError> {
        let mut out = String::new();
        for rule in &rules.rules {
            match self.eval_rule(rule) {
                Ok(v) => out.push_str(&v.text()),
                Err(EvalError::UnknownAvp(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Evaluate rules without data (`*constant`): paths read as empty text, then rewrites and
    /// converters apply.
    pub fn eval_constant(rules: &Rules) -> Result<String, EvalError> {
        let mut out = String::new();
        for rule in &rules.rules {
            let v = match &rule.source {
                Source::Const(text) => Datum::Str(text.clone()),
                _ => Datum::from(""),
            };
            out.push_str(&rule.finish(v)?.text());
        }
        Ok(out)
    }

    /// The key a destination names for this request.
    pub fn dest_key(&self, path: &WritePath) -> Result<Arc<str>, EvalError> {
        match path {
            WritePath::Static { key, .. } => Ok(key.clone()),
            WritePath::Dynamic {
                before,
                inner,
                after,
                ..
            } => Ok(format!("{before}{}{after}", self.eval_text(inner)?).into()),
        }
    }

    fn read_req(&self, p: &ReqPath) -> Result<Datum, EvalError> {
        if let Some((_, v)) = self.req_cache.borrow().iter().find(|(k, _)| *k == p.key) {
            return v.clone();
        }
        let v = self.read_req_uncached(p);
        self.req_cache.borrow_mut().push((p.key, v.clone()));
        v
    }

    fn read_req_uncached(&self, p: &ReqPath) -> Result<Datum, EvalError> {
        let resolved = p.by_app[self.app_slot]
            .as_ref()
            .map_err(|e| EvalError::UnknownAvp(e.clone()))?;
        match &p.selector {
            None => first_avp(&self.msg.avps, &resolved.codes)
                .map(|a| avp_datum(&a, resolved.data_type))
                .ok_or(EvalError::NotFound),
            Some(Selector::Index(n)) => {
                let all = all_avps(&self.msg.avps, &resolved.codes);
                if all.is_empty() {
                    return Err(EvalError::NotFound);
                }
                let ix = if *n < 0 { all.len() as i64 + n } else { *n };
                let avp = usize::try_from(ix)
                    .ok()
                    .and_then(|i| all.get(i))
                    .ok_or_else(|| {
                        EvalError::Failed(format!(
                            "avp index higher than number of AVPs: {n} of {} in {}",
                            all.len(),
                            p.text
                        ))
                    })?;
                Ok(avp_datum(avp, resolved.data_type))
            }
            Some(Selector::Siblings(siblings)) => {
                let all = all_avps(&self.msg.avps, &resolved.codes);
                if all.is_empty() {
                    return Err(EvalError::NotFound);
                }
                let mut passing = vec![true; all.len()];
                for sibling in siblings {
                    let found =
                        sibling.candidates[self.app_slot]
                            .iter()
                            .find_map(|cand: &Resolved| {
                                let values = all_avps(&self.msg.avps, &cand.codes);
                                (!values.is_empty()).then_some((values, cand.data_type))
                            });
                    let Some((values, data_type)) = found else {
                        return Err(EvalError::NotFound);
                    };
                    if values.len() != all.len() {
                        return Err(EvalError::NotFound);
                    }
                    for (k, avp) in values.iter().enumerate() {
                        if !passing[k] {
                            continue;
                        }
                        let value = avp_datum(avp, data_type);
                        let value = if sibling.replaces.is_empty() {
                            value
                        } else {
                            let mut text = value.text().into_owned();
                            for r in &sibling.replaces {
                                r.apply_in_place(&mut text);
                            }
                            Datum::from(text)
                        };
                        let value = crate::converter::convert_all(&sibling.converters, value)?;
                        passing[k] = sibling.filter.pass(&value.text());
                    }
                }
                let k = passing.iter().position(|p| *p).ok_or(EvalError::NotFound)?;
                Ok(avp_datum(&all[k], resolved.data_type))
            }
        }
    }
}

/// Depth-first walk of the AVPs at `codes` under `avps` (by code, vendor ignored); `visit`
/// returns false to stop, and then the walk returns false.
fn walk(avps: &[Avp], codes: &[u32], visit: &mut dyn FnMut(Avp) -> bool) -> bool {
    let (code, rest) = (codes[0], &codes[1..]);
    for avp in avps.iter().filter(|a| a.code == code) {
        let go_on = if rest.is_empty() {
            visit(avp.clone())
        } else {
            match &avp.payload {
                Payload::Raw(data) => walk_raw(data, 0..data.len(), rest, visit),
                Payload::Group(children) => walk(children, rest, visit),
            }
        };
        if !go_on {
            return false;
        }
    }
    true
}

/// The same walk over the received bytes of a group, reading AVP headers in place: only
/// the matches become [`Avp`]s. An AVP that does not decode ends the walk of its group.
fn walk_raw(
    data: &Bytes,
    range: Range<usize>,
    codes: &[u32],
    visit: &mut dyn FnMut(Avp) -> bool,
) -> bool {
    let (code, rest) = (codes[0], &codes[1..]);
    let mut pos = range.start;
    while pos < range.end {
        let Ok(h) = AvpHeader::parse(&data[pos..range.end]) else {
            break;
        };
        let body = pos + h.header_len()..pos + h.length;
        if h.code == code {
            let go_on = if rest.is_empty() {
                visit(Avp {
                    code: h.code,
                    flags: h.flags,
                    vendor_id: h.vendor_id,
                    payload: Payload::Raw(data.slice(body)),
                })
            } else {
                walk_raw(data, body, rest, visit)
            };
            if !go_on {
                return false;
            }
        }
        pos += padded(h.length);
    }
    true
}

/// The first AVP at `codes` (matching by code only, vendor ignored).
pub fn first_avp(avps: &[Avp], codes: &[u32]) -> Option<Avp> {
    let mut found = None;
    walk(avps, codes, &mut |a| {
        found = Some(a);
        false
    });
    found
}

/// Every AVP at `codes`, flattened across all instances of the groups on the way.
pub fn all_avps(avps: &[Avp], codes: &[u32]) -> Vec<Avp> {
    let mut found = Vec::new();
    walk(avps, codes, &mut |a| {
        found.push(a);
        true
    });
    found
}

/// The value of an AVP as CGRateS reads it: numbers as numbers (enumerations too), times as
/// times, addresses as IP text, everything else as text.
pub fn avp_datum(avp: &Avp, data_type: DataType) -> Datum {
    let data = avp.data();
    let fixed = |n: usize| (data.len() == n).then_some(&data[..]);
    match data_type {
        DataType::Integer32 | DataType::Enumerated => fixed(4)
            .map(|b| {
                Datum::Int(i64::from(i32::from_be_bytes(
                    b.try_into().expect("4 bytes"),
                )))
            })
            .unwrap_or_else(|| Datum::from("")),
        DataType::Integer64 => fixed(8)
            .map(|b| Datum::Int(i64::from_be_bytes(b.try_into().expect("8 bytes"))))
            .unwrap_or_else(|| Datum::from("")),
        DataType::Unsigned32 => fixed(4)
            .map(|b| {
                Datum::Uint(u64::from(u32::from_be_bytes(
                    b.try_into().expect("4 bytes"),
                )))
            })
            .unwrap_or_else(|| Datum::from("")),
        DataType::Unsigned64 => fixed(8)
            .map(|b| Datum::Uint(u64::from_be_bytes(b.try_into().expect("8 bytes"))))
            .unwrap_or_else(|| Datum::from("")),
        DataType::Float32 => fixed(4)
            .map(|b| {
                Datum::Float(f64::from(f32::from_be_bytes(
                    b.try_into().expect("4 bytes"),
                )))
            })
            .unwrap_or_else(|| Datum::from("")),
        DataType::Float64 => fixed(8)
            .map(|b| Datum::Float(f64::from_be_bytes(b.try_into().expect("8 bytes"))))
            .unwrap_or_else(|| Datum::from("")),
        DataType::Time => match diameter_runtime::wire::Time::decode(&data) {
            Ok(t) => Datum::Time(Timestamp::from_unix(t.to_unix(), 0)),
            Err(_) => Datum::from(""),
        },
        DataType::Address | DataType::IPv4 | DataType::IPv6 => match avp.value(data_type) {
            Ok(v) => Datum::from(
                v.as_ip()
                    .map(|ip| ip.to_string())
                    .or_else(|| v.as_address().map(|a| a.to_string()))
                    .unwrap_or_default(),
            ),
            Err(_) => Datum::from(""),
        },
        DataType::Grouped => Datum::from(format!(
            "0x{}",
            data.iter().map(|b| format!("{b:02x}")).collect::<String>()
        )),
        _ => Datum::from(String::from_utf8_lossy(&data).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rsr::Rule;

    fn unknown_rule() -> Rules {
        let path = ReqPath {
            text: "Foreign-Avp".to_string(),
            key: crate::dpath::req_path_key("Foreign-Avp"),
            selector: None,
            by_app: vec![Err(
                "Could not find AVP \"Foreign-Avp\" in application 4".to_string()
            )],
        };
        Rules {
            rules: vec![Rule {
                text: "~*req.Foreign-Avp".to_string(),
                source: Source::Path(ReadPath::Req(path)),
                replaces: Vec::new(),
                converters: Vec::new(),
            }],
        }
    }

    #[test]
    fn names_unknown_to_the_application_read_as_empty_text_in_values() {
        let dict = Arc::new(Dictionary::new());
        let env = Env::new(dict, Tree::new(), ';');
        let msg = Message::new(272, 4, 0x80);
        let req = Request::new(&env, &msg, 0);
        let rules = unknown_rule();
        assert_eq!(req.eval_text(&rules), Ok(String::new()));
        assert!(matches!(
            req.eval_rule(&rules.rules[0]),
            Err(EvalError::UnknownAvp(_))
        ));
    }
}
