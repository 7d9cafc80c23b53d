//! Data paths: `~*req.A.B[sel]` (Diameter request, resolved to AVP codes per application at
//! start), `~*cgreq.X`, `~*vars.Y[1]` (containers), and destination paths of fields.

use std::sync::Arc;

use diameter_dict::{DataType, Dictionary};

use crate::converter::Converter;
use crate::rsr::{split_rule, RsrFilters, Rules, SearchReplace};

/// What compiling needs: the dictionary, the applications requests may belong to, and the rule
/// separator.
pub struct CompileCtx<'a> {
    /// The dictionary.
    pub dict: &'a Dictionary,
    /// Application ids, in slot order (per-application data is indexed by slot).
    pub apps: &'a [u32],
    /// `general.rsr_separator`.
    pub sep: char,
}

/// The data containers of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// `*vars`.
    Vars,
    /// `*cgreq`.
    CgReq,
    /// `*cgrep`.
    CgRep,
    /// `*rep`.
    Rep,
    /// `*diamreq`.
    DiamReq,
    /// `*tmp`.
    Tmp,
    /// `*opts`.
    Opts,
    /// `*cfg` (read only).
    Cfg,
}

impl Container {
    fn parse(prefix: &str) -> Option<Container> {
        Some(match prefix {
            "*vars" => Container::Vars,
            "*cgreq" => Container::CgReq,
            "*cgrep" => Container::CgRep,
            "*rep" => Container::Rep,
            "*diamreq" => Container::DiamReq,
            "*tmp" => Container::Tmp,
            "*opts" => Container::Opts,
            "*cfg" => Container::Cfg,
            _ => return None,
        })
    }
}

/// One element of a dotted path, with its optional `[...]` selector text.
struct Segment<'a> {
    name: &'a str,
    selector: Option<&'a str>,
}

/// Split `A.B[x.y].C` on dots outside brackets.
fn segments<'a>(path: &'a str) -> Result<Vec<Segment<'a>>, String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let b = path.as_bytes();
    let mut push = |piece: &'a str| -> Result<(), String> {
        let seg = match piece.find('[') {
            Some(open) => {
                let sel = piece[open + 1..]
                    .strip_suffix(']')
                    .ok_or_else(|| format!("selector in <{piece}> needs to end in ]"))?;
                Segment {
                    name: &piece[..open],
                    selector: Some(sel),
                }
            }
            None => Segment {
                name: piece,
                selector: None,
            },
        };
        if seg.name.is_empty() {
            return Err(format!("empty element in path <{path}>"));
        }
        out.push(seg);
        Ok(())
    };
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'[' => depth += 1,
            b']' => depth -= 1,
            b'.' if depth == 0 => {
                push(&path[start..i])?;
                start = i + 1;
            }
            _ => {}
        }
    }
    push(&path[start..])?;
    Ok(out)
}

/// A path read by a value rule (the text after `~`).
#[derive(Debug, Clone)]
pub enum ReadPath {
    /// `*req...`: the Diameter request.
    Req(ReqPath),
    /// A container key, optionally indexed.
    Tree {
        /// The container.
        container: Container,
        /// Dotted key inside it.
        key: Arc<str>,
        /// `[n]` on the last element.
        index: Option<i64>,
    },
    /// `*tenant`.
    Tenant,
}

impl ReadPath {
    /// Compile a path such as `*req.Subscription-Id.Subscription-Id-Data[~Subscription-Id-Type(0)]`.
    pub fn compile(text: &str, ctx: &CompileCtx) -> Result<ReadPath, String> {
        let (prefix, rest) = match text.split_once('.') {
            Some((p, r)) => (p, Some(r)),
            None => (text, None),
        };
        match prefix {
            "*req" => {
                let rest = rest.ok_or_else(|| "a *req path needs an AVP name".to_string())?;
                Ok(ReadPath::Req(ReqPath::compile(rest, ctx)?))
            }
            "*tenant" if rest.is_none() => Ok(ReadPath::Tenant),
            _ => {
                let container = Container::parse(prefix)
                    .ok_or_else(|| format!("unsupported field prefix: <{prefix}>"))?;
                let rest = rest.ok_or_else(|| format!("a {prefix} path needs a key"))?;
                let (key, index) = tree_key(rest)?;
                Ok(ReadPath::Tree {
                    container,
                    key,
                    index,
                })
            }
        }
    }
}

/// A container key: selectors on inner elements or non-numeric ones (`MaxUsage[*raw]`)
/// become key elements; a numeric selector on the last element is an index.
fn tree_key(rest: &str) -> Result<(Arc<str>, Option<i64>), String> {
    let segs = segments(rest)?;
    let mut key = String::with_capacity(rest.len());
    let mut index = None;
    let last = segs.len() - 1;
    for (i, seg) in segs.iter().enumerate() {
        if i > 0 {
            key.push('.');
        }
        key.push_str(seg.name);
        if let Some(sel) = seg.selector {
            match sel.parse::<i64>() {
                Ok(n) if i == last => index = Some(n),
                Ok(_) => {
                    return Err(format!(
                        "index [{sel}] on an inner element of <{rest}> is not supported"
                    ))
                }
                Err(_) => {
                    key.push('.');
                    key.push_str(sel);
                }
            }
        }
    }
    Ok((key.into(), index))
}

/// An AVP name path resolved for one application: codes per level and the leaf's data type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// AVP codes from the top level down (vendor ignored, as CGRateS looks AVPs up).
    pub codes: Box<[u32]>,
    /// Data type of the last AVP.
    pub data_type: DataType,
}

fn resolve(dict: &Dictionary, app: u32, names: &[&str]) -> Result<Resolved, String> {
    let mut codes = Vec::with_capacity(names.len());
    let mut data_type = DataType::Grouped;
    for (i, name) in names.iter().enumerate() {
        let def = dict
            .avp_by_name(app, name)
            .ok_or_else(|| format!("Could not find AVP {name:?} in application {app}"))?;
        if i + 1 < names.len() && def.data_type != DataType::Grouped {
            return Err(format!("AVP {name:?} is not Grouped"));
        }
        codes.push(def.code);
        data_type = def.data_type;
    }
    Ok(Resolved {
        codes: codes.into(),
        data_type,
    })
}

/// How a `*req` path picks among the AVPs it finds.
#[derive(Debug, Clone)]
pub enum Selector {
    /// `[n]`: the n-th in the flattened list.
    Index(i64),
    /// `[~A(f)|~B(g)]`: the first index where every sibling passes its filter.
    Siblings(Vec<Sibling>),
}

/// `~Name:s/../../{*conv}(filter)` inside a selector.
#[derive(Debug, Clone)]
pub struct Sibling {
    /// Rewrites of the sibling's value.
    pub replaces: Vec<SearchReplace>,
    /// Converters of the sibling's value.
    pub converters: Vec<Converter>,
    /// The RSR filter the value must pass.
    pub filter: RsrFilters,
    /// Per application slot: candidate sibling paths, the deepest first (the target path with
    /// its last element replaced by the sibling, then one level higher, ...).
    pub candidates: Vec<Vec<Resolved>>,
}

/// A path into the Diameter request.
#[derive(Debug, Clone)]
pub struct ReqPath {
    /// The path as written (after `*req.`).
    pub text: String,
    /// A hash of `text`: the same path written in several rules reads the request once.
    pub key: u64,
    /// The selector of the last element.
    pub selector: Option<Selector>,
    /// Per application slot: the resolved path, or why it does not resolve.
    pub by_app: Vec<Result<Resolved, String>>,
}

/// The [`ReqPath::key`] of `text`.
pub fn req_path_key(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

impl ReqPath {
    fn compile(text: &str, ctx: &CompileCtx) -> Result<ReqPath, String> {
        let segs = segments(text)?;
        let last = segs.len() - 1;
        if let Some(seg) = segs[..last].iter().find(|s| s.selector.is_some()) {
            return Err(format!(
                "selector on <{}>: only the last element of a *req path may have one",
                seg.name
            ));
        }
        let names: Vec<&str> = segs.iter().map(|s| s.name).collect();
        let by_app: Vec<Result<Resolved, String>> = ctx
            .apps
            .iter()
            .map(|&app| resolve(ctx.dict, app, &names))
            .collect();
        if let Some(Err(e)) = by_app
            .iter()
            .find(|r| r.is_err())
            .filter(|_| by_app.iter().all(Result::is_err))
        {
            return Err(e.clone());
        }
        let selector = match segs[last].selector {
            None => None,
            Some(sel) => Some(match sel.trim().parse::<i64>() {
                Ok(n) => Selector::Index(n),
                Err(_) => Selector::Siblings(
                    sel.split('|')
                        .map(|s| Sibling::compile(s, &names, ctx))
                        .collect::<Result<_, _>>()?,
                ),
            }),
        };
        Ok(ReqPath {
            text: text.to_string(),
            key: req_path_key(text),
            selector,
            by_app,
        })
    }
}

impl Sibling {
    fn compile(text: &str, target: &[&str], ctx: &CompileCtx) -> Result<Sibling, String> {
        let bad = || format!("invalid selector <{text}>: expected ~Name(filter)");
        let body = text.trim().strip_suffix(')').ok_or_else(bad)?;
        // The filter starts at the '(' that balances the final ')'.
        let mut depth = 1;
        let mut open = None;
        for (i, c) in body.char_indices().rev() {
            match c {
                ')' => depth += 1,
                '(' => {
                    depth -= 1;
                    if depth == 0 {
                        open = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let open = open.ok_or_else(bad)?;
        let filter = RsrFilters::parse(&body[open + 1..])?;
        let rule = &body[..open];
        if !rule.starts_with('~') {
            return Err(bad());
        }
        let (base, replaces, converters) = split_rule(rule)?;
        let name = &base[1..];
        if name.is_empty() || name.contains('.') {
            return Err(format!(
                "invalid selector <{text}>: the sibling must be one AVP name"
            ));
        }
        let candidates: Vec<Vec<Resolved>> = ctx
            .apps
            .iter()
            .map(|&app| {
                (0..target.len())
                    .rev()
                    .filter_map(|level| {
                        let mut path: Vec<&str> = target[..level].to_vec();
                        path.push(name);
                        resolve(ctx.dict, app, &path).ok()
                    })
                    .collect()
            })
            .collect();
        if candidates.iter().all(Vec::is_empty) {
            return Err(format!("Could not find AVP {name:?} in selector <{text}>"));
        }
        Ok(Sibling {
            replaces,
            converters,
            filter,
            candidates,
        })
    }
}

/// A field destination.
#[derive(Debug, Clone)]
pub enum WritePath {
    /// A fixed key.
    Static {
        /// The container.
        container: Container,
        /// Dotted key.
        key: Arc<str>,
    },
    /// A key with a `<...>` splice, completed per request.
    Dynamic {
        /// The container.
        container: Container,
        /// Key text before `<`.
        before: String,
        /// The rules between `<` and `>`.
        inner: Rules,
        /// Key text after `>`.
        after: String,
    },
}

impl WritePath {
    /// The container written to.
    pub fn container(&self) -> Container {
        match self {
            WritePath::Static { container, .. } | WritePath::Dynamic { container, .. } => {
                *container
            }
        }
    }

    /// Compile a destination such as `*cgreq.Usage` or `*rep.Multiple-Services-Credit-Control.Rating-Group`.
    pub fn compile(text: &str, ctx: &CompileCtx) -> Result<WritePath, String> {
        let (prefix, rest) = text.split_once('.').map_or((text, ""), |(p, r)| (p, r));
        let container = match Container::parse(prefix) {
            Some(Container::Cfg) | None => {
                return Err(format!(
                    "unsupported field prefix: <{prefix}> when set field (use *cgreq, *rep, *vars, *cgrep, *diamreq, *tmp or *opts)"
                ))
            }
            Some(c) => c,
        };
        if let Some(start) = rest.find('<') {
            let end = start
                + rest[start..]
                    .find('>')
                    .ok_or_else(|| format!("WRONG_PATH: <{text}> has no closing >"))?;
            return Ok(WritePath::Dynamic {
                container,
                before: rest[..start].to_string(),
                inner: Rules::compile(&rest[start + 1..end], ctx)?,
                after: rest[end + 1..].to_string(),
            });
        }
        let (key, index) = if rest.is_empty() {
            (Arc::from(""), None)
        } else {
            tree_key(rest)?
        };
        if index.is_some() {
            return Err(format!("index in destination <{text}> is not supported"));
        }
        if matches!(container, Container::Rep | Container::DiamReq) && !key.is_empty() {
            check_avp_path(ctx, &key)?;
        }
        Ok(WritePath::Static { container, key })
    }
}

/// A `*rep`/`*diamreq` key must name dictionary AVPs (in some application) and end on a
/// non-grouped one.
fn check_avp_path(ctx: &CompileCtx, key: &str) -> Result<(), String> {
    let names: Vec<&str> = key.split('.').collect();
    let mut first_error = None;
    for &app in ctx.apps {
        match resolve(ctx.dict, app, &names) {
            Ok(r) if r.data_type == DataType::Grouped => {
                return Err(format!("last AVP in path <{key}> cannot be GroupedAVP"))
            }
            Ok(_) => return Ok(()),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or_else(|| format!("no application to resolve <{key}>")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx_for(dict: &Dictionary, apps: &[u32]) -> CompileCtx<'static> {
        let dict: &'static Dictionary = Box::leak(Box::new(dict.clone()));
        let apps: &'static [u32] = Box::leak(apps.to_vec().into_boxed_slice());
        CompileCtx {
            dict,
            apps,
            sep: ';',
        }
    }

    #[test]
    fn req_paths_resolve_per_application() {
        let dict = Dictionary::shipped().unwrap();
        let ctx = ctx_for(&dict, &[0, 4]);
        let ReadPath::Req(p) =
            ReadPath::compile("*req.Subscription-Id.Subscription-Id-Data", &ctx).unwrap()
        else {
            panic!()
        };
        assert_eq!(p.by_app[1].as_ref().unwrap().codes[..], [443, 444]);
        assert!(ReadPath::compile("*req.No-Such-Avp", &ctx)
            .unwrap_err()
            .contains("Could not find AVP"));
        assert!(ReadPath::compile("*req.Session-Id.X", &ctx).is_err());
    }

    #[test]
    fn selectors() {
        let dict = Dictionary::shipped().unwrap();
        let ctx = ctx_for(&dict, &[4]);
        let ReadPath::Req(p) = ReadPath::compile(
            "*req.Multiple-Services-Credit-Control.Used-Service-Unit.CC-Input-Octets[~Rating-Group(^1$)|~Service-Identifier(2)]",
            &ctx,
        )
        .unwrap() else {
            panic!()
        };
        let Some(Selector::Siblings(s)) = p.selector else {
            panic!()
        };
        assert_eq!(s.len(), 2);
        // Deepest first: the target's level, then one level up.
        assert_eq!(s[0].candidates[0][0].codes[..], [456, 446, 432]);
        assert_eq!(s[0].candidates[0][1].codes[..], [456, 432]);
        let ReadPath::Req(p) = ReadPath::compile(
            "*req.Multiple-Services-Credit-Control.Rating-Group[1]",
            &ctx,
        )
        .unwrap() else {
            panic!()
        };
        assert!(matches!(p.selector, Some(Selector::Index(1))));
        assert!(ReadPath::compile(
            "*req.Multiple-Services-Credit-Control[0].Rating-Group",
            &ctx
        )
        .is_err());
    }

    #[test]
    fn tree_paths() {
        let dict = Dictionary::shipped().unwrap();
        let ctx = ctx_for(&dict, &[4]);
        match ReadPath::compile("*cgrep.MaxUsage[*raw]", &ctx).unwrap() {
            ReadPath::Tree {
                container,
                key,
                index,
            } => {
                assert_eq!(container, Container::CgRep);
                assert_eq!(&*key, "MaxUsage.*raw");
                assert_eq!(index, None);
            }
            other => panic!("{other:?}"),
        }
        match ReadPath::compile("*vars.*appid", &ctx).unwrap() {
            ReadPath::Tree { key, .. } => assert_eq!(&*key, "*appid"),
            other => panic!("{other:?}"),
        }
        assert!(ReadPath::compile("*nope.X", &ctx)
            .unwrap_err()
            .contains("unsupported field prefix"));
    }

    #[test]
    fn destinations() {
        let dict = Dictionary::shipped().unwrap();
        let ctx = ctx_for(&dict, &[4]);
        assert!(WritePath::compile("*rep.Result-Code", &ctx).is_ok());
        assert!(WritePath::compile("Category", &ctx)
            .unwrap_err()
            .contains("unsupported field prefix"));
        assert!(
            WritePath::compile("*rep.Multiple-Services-Credit-Control", &ctx)
                .unwrap_err()
                .contains("GroupedAVP")
        );
        assert!(WritePath::compile("*rep.Nope", &ctx)
            .unwrap_err()
            .contains("Could not find AVP"));
        assert!(matches!(
            WritePath::compile("*cgrep.Route2.<CGR_;~*cgreq.BestRoute>", &ctx).unwrap(),
            WritePath::Dynamic { .. }
        ));
    }
}
