//! Field templates compiled once, and their application to a request (§5, §6 of the spec).

use std::collections::BTreeMap;

use crate::config::FieldConfig;
use crate::datum::{format_float, Datum};
use crate::dpath::{CompileCtx, Container, WritePath};
use crate::error::{ConfigError, ProcessError};
use crate::filter::{all_pass, Filter};
use crate::request::{EvalError, Request};
use crate::rsr::Rules;
use crate::time::{Timestamp, Zone};
use crate::tree::Found;

/// The field types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// `*none`: skipped.
    None,
    /// `*filler`: constant, padded right.
    Filler,
    /// `*constant`.
    Constant,
    /// `*remote_host` (v0.10): the peer address.
    RemoteHost,
    /// `*variable`: overwrite.
    Variable,
    /// `*composed`: append text.
    Composed,
    /// `*group`: append a list element.
    Group,
    /// `*usage_difference`: `end;start` -> duration text.
    UsageDifference,
    /// `*cc_usage`: `reqNumber;usedCCTime;debitInterval` -> duration.
    CcUsage,
    /// `*sum`.
    Sum,
    /// `*difference`.
    Difference,
    /// `*multiply`.
    Multiply,
    /// `*divide`.
    Divide,
    /// `*value_exponent`: `value;exp`.
    ValueExponent,
    /// `*unix_timestamp`.
    UnixTimestamp,
    /// `*datetime`: time formatted with `layout`.
    DateTime,
    /// `*prefix`: value + existing.
    Prefix,
    /// `*suffix`: existing + value.
    Suffix,
    /// `*sipcid`: first arg + sorted non-empty others, `;`-joined.
    SipCid,
    /// `*remove`: delete the destination.
    Remove,
    /// `*removeall`: clear the container.
    RemoveAll,
}

impl FieldKind {
    fn parse(name: &str) -> Option<FieldKind> {
        Some(match name {
            "*none" => FieldKind::None,
            "*filler" => FieldKind::Filler,
            "*constant" => FieldKind::Constant,
            "*remote_host" => FieldKind::RemoteHost,
            "*variable" => FieldKind::Variable,
            "*composed" => FieldKind::Composed,
            "*group" => FieldKind::Group,
            "*usage_difference" => FieldKind::UsageDifference,
            "*cc_usage" => FieldKind::CcUsage,
            "*sum" => FieldKind::Sum,
            "*difference" => FieldKind::Difference,
            "*multiply" => FieldKind::Multiply,
            "*divide" => FieldKind::Divide,
            "*value_exponent" => FieldKind::ValueExponent,
            "*unix_timestamp" => FieldKind::UnixTimestamp,
            "*datetime" => FieldKind::DateTime,
            "*prefix" => FieldKind::Prefix,
            "*suffix" => FieldKind::Suffix,
            "*sipcid" => FieldKind::SipCid,
            "*remove" => FieldKind::Remove,
            "*removeall" => FieldKind::RemoveAll,
            _ => return None,
        })
    }

    /// Types whose result is text and gets width/strip/padding and the mandatory-empty check.
    fn is_text(self) -> bool {
        !matches!(
            self,
            FieldKind::CcUsage
                | FieldKind::Sum
                | FieldKind::Difference
                | FieldKind::Multiply
                | FieldKind::Divide
        )
    }
}

/// One compiled field.
#[derive(Debug, Clone)]
pub struct Field {
    /// `tag` (for errors and logs).
    pub tag: String,
    kind: FieldKind,
    dest: Option<WritePath>,
    value: Rules,
    filters: Vec<Filter>,
    mandatory: bool,
    new_branch: bool,
    blocker: bool,
    width: usize,
    strip: String,
    padding: String,
    layout: String,
    zone: Option<Zone>,
    rounding_decimals: i32,
}

/// Per-compile settings from `general`.
pub struct FieldDefaults {
    /// `general.rounding_decimals`.
    pub rounding_decimals: i32,
}

/// Compile a field list, inlining `*template` fields (recursively) from `templates`.
pub fn compile_fields(
    fields: &[FieldConfig],
    templates: &BTreeMap<String, Vec<FieldConfig>>,
    ctx: &CompileCtx,
    defaults: &FieldDefaults,
) -> Result<Vec<Field>, ConfigError> {
    let mut out = Vec::new();
    let mut stack = Vec::new();
    inline(fields, templates, ctx, defaults, &mut stack, &mut out)?;
    Ok(out)
}

fn inline(
    fields: &[FieldConfig],
    templates: &BTreeMap<String, Vec<FieldConfig>>,
    ctx: &CompileCtx,
    defaults: &FieldDefaults,
    stack: &mut Vec<String>,
    out: &mut Vec<Field>,
) -> Result<(), ConfigError> {
    for f in fields {
        if f.field_type == "*template" {
            let id = f.value.trim();
            let tpl = templates.get(id).ok_or_else(|| {
                f.origin
                    .error("value", format!("no template with id: <{id}>"))
            })?;
            if tpl.is_empty() {
                return Err(f
                    .origin
                    .error("value", format!("empty template with id: <{id}>")));
            }
            if stack.iter().any(|s| s == id) {
                return Err(f
                    .origin
                    .error("value", format!("template <{id}> includes itself")));
            }
            stack.push(id.to_string());
            inline(tpl, templates, ctx, defaults, stack, out)?;
            stack.pop();
            continue;
        }
        out.push(Field::compile(f, ctx, defaults)?);
    }
    Ok(())
}

impl Field {
    /// Compile one field (not `*template`).
    pub fn compile(
        f: &FieldConfig,
        ctx: &CompileCtx,
        defaults: &FieldDefaults,
    ) -> Result<Field, ConfigError> {
        let kind = FieldKind::parse(&f.field_type).ok_or_else(|| {
            f.origin
                .error("type", format!("unsupported type: <{}>", f.field_type))
        })?;
        let dest = if kind == FieldKind::None {
            None
        } else {
            if f.path.is_empty() {
                return Err(f.origin.error("path", "missing path"));
            }
            Some(WritePath::compile(&f.path, ctx).map_err(|e| f.origin.error("path", e))?)
        };
        let value = Rules::compile(&f.value, ctx).map_err(|e| f.origin.error("value", e))?;
        let arity = |n: usize| -> Result<(), ConfigError> {
            if value.rules.len() == n {
                Ok(())
            } else {
                Err(f.origin.error(
                    "value",
                    format!(
                        "invalid arguments <{}> to {}: expected {n} rules",
                        f.value, f.field_type
                    ),
                ))
            }
        };
        match kind {
            FieldKind::UsageDifference | FieldKind::ValueExponent => arity(2)?,
            FieldKind::CcUsage => arity(3)?,
            FieldKind::Sum | FieldKind::Difference | FieldKind::Multiply | FieldKind::Divide
                if value.rules.len() < 2 =>
            {
                return Err(f.origin.error(
                    "value",
                    format!("{} needs at least two rules", f.field_type),
                ))
            }
            _ => {}
        }
        let filters = f
            .filters
            .iter()
            .enumerate()
            .map(|(i, text)| {
                Filter::compile(text, ctx).map_err(|e| f.origin.error(&format!("filters[{i}]"), e))
            })
            .collect::<Result<_, _>>()?;
        let zone = if f.timezone.is_empty() {
            None
        } else {
            Some(Zone::parse(&f.timezone).map_err(|e| f.origin.error("timezone", e))?)
        };
        Ok(Field {
            tag: f.tag.clone(),
            kind,
            dest,
            value,
            filters,
            mandatory: f.mandatory,
            new_branch: f.new_branch,
            blocker: f.blocker,
            width: f.width,
            strip: f.strip.clone(),
            padding: if kind == FieldKind::Filler {
                "*right".to_string()
            } else {
                f.padding.clone()
            },
            layout: if f.layout.is_empty() {
                "2006-01-02T15:04:05Z07:00".to_string()
            } else {
                f.layout.clone()
            },
            zone,
            rounding_decimals: f.rounding_decimals.unwrap_or(defaults.rounding_decimals),
        })
    }

    fn arg_texts(&self, req: &Request) -> Result<Vec<String>, EvalError> {
        self.value
            .rules
            .iter()
            .map(|r| match req.eval_rule(r) {
                Ok(v) => Ok(v.text().into_owned()),
                Err(EvalError::UnknownAvp(_)) => Ok(String::new()),
                Err(e) => Err(e),
            })
            .collect()
    }

    /// The value this field produces for `req` (before formatting).
    fn evaluate(&self, req: &Request, zone: Zone) -> Result<Datum, EvalError> {
        let zone = self.zone.unwrap_or(zone);
        let fail = |e: String| EvalError::Failed(e);
        Ok(match self.kind {
            FieldKind::None | FieldKind::Remove | FieldKind::RemoveAll => Datum::from(""),
            FieldKind::Filler | FieldKind::Constant => {
                Datum::from(Request::eval_constant(&self.value)?)
            }
            FieldKind::RemoteHost => req
                .vars
                .values("RemoteHost")
                .last()
                .cloned()
                .ok_or(EvalError::NotFound)?,
            FieldKind::Variable | FieldKind::Composed | FieldKind::Group => {
                Datum::from(req.eval_text(&self.value)?)
            }
            FieldKind::Prefix | FieldKind::Suffix => {
                let value = req.eval_text(&self.value)?;
                let existing = match &self.dest {
                    Some(dest) => {
                        let key = req.dest_key(dest)?;
                        match req.container(dest.container()).get(&key, None) {
                            Some(Found::Value(v)) => v.text().into_owned(),
                            _ => String::new(),
                        }
                    }
                    None => String::new(),
                };
                Datum::from(if self.kind == FieldKind::Prefix {
                    value + &existing
                } else {
                    existing + &value
                })
            }
            FieldKind::UsageDifference => {
                let args = self.arg_texts(req)?;
                let end = crate::time::parse_time(&args[0], zone).map_err(fail)?;
                let start = crate::time::parse_time(&args[1], zone).map_err(fail)?;
                Datum::from(crate::duration::format_duration(end.sub(&start)))
            }
            FieldKind::CcUsage => {
                let args = self.arg_texts(req)?;
                let req_nr: i64 = args[0].trim().parse().map_err(|_| {
                    fail(format!("invalid requestNumber <{}> to *cc_usage", args[0]))
                })?;
                let used = crate::duration::parse_duration(&args[1])
                    .map_err(|_| fail(format!("invalid usedCCTime <{}> to *cc_usage", args[1])))?;
                let interval = crate::duration::parse_duration(&args[2]).map_err(|_| {
                    fail(format!("invalid debitInterval <{}> to *cc_usage", args[2]))
                })?;
                Datum::Duration(used + interval * (req_nr - 1).max(0))
            }
            FieldKind::Sum | FieldKind::Difference | FieldKind::Multiply | FieldKind::Divide => {
                arithmetic(self.kind, &self.arg_texts(req)?, zone).map_err(fail)?
            }
            FieldKind::ValueExponent => {
                let args = self.arg_texts(req)?;
                let value: f64 = args[0]
                    .trim()
                    .parse()
                    .map_err(|_| fail(format!("invalid value <{}> to *value_exponent", args[0])))?;
                let exp: i32 = args[1].trim().parse().map_err(|_| {
                    fail(format!("invalid exponent <{}> to *value_exponent", args[1]))
                })?;
                let result = crate::converter::round(
                    value * 10f64.powi(exp),
                    self.rounding_decimals,
                    crate::converter::RoundMethod::Middle,
                );
                Datum::from(format_float(result))
            }
            FieldKind::UnixTimestamp => {
                let t =
                    crate::time::parse_time(&req.eval_text(&self.value)?, zone).map_err(fail)?;
                Datum::from(t.unix().to_string())
            }
            FieldKind::DateTime => {
                let t =
                    crate::time::parse_time(&req.eval_text(&self.value)?, zone).map_err(fail)?;
                Datum::from(t.in_zone(zone).format(&self.layout))
            }
            FieldKind::SipCid => {
                let mut args = self.arg_texts(req)?;
                let first = if args.is_empty() {
                    String::new()
                } else {
                    args.remove(0)
                };
                let mut rest: Vec<String> = args.into_iter().filter(|a| !a.is_empty()).collect();
                rest.sort();
                std::iter::once(first)
                    .chain(rest)
                    .collect::<Vec<_>>()
                    .join(";")
                    .into()
            }
        })
    }

    /// Width, strip and padding (CGRateS `FmtFieldWidth`), and the mandatory-empty check.
    fn format(&self, text: String) -> Result<String, ProcessError> {
        if self.mandatory && text.is_empty() {
            return Err(ProcessError::Empty(self.tag.clone()));
        }
        let len = text.chars().count();
        if self.width == 0 || len == self.width {
            return Ok(text);
        }
        let chars: Vec<char> = text.chars().collect();
        let w = self.width;
        if len > w {
            return match self.strip.as_str() {
                "*right" => Ok(chars[..w].iter().collect()),
                "*xright" => Ok(chars[..w - 1].iter().chain(['x'].iter()).collect()),
                "*left" => Ok(chars[len - w..].iter().collect()),
                "*xleft" => Ok(std::iter::once('x')
                    .chain(chars[len - w + 1..].iter().copied())
                    .collect()),
                _ => Err(ProcessError::Other(format!(
                    "Source {text} is bigger than the width {w}, no strip defied, fld id: <{}>",
                    self.tag
                ))),
            };
        }
        let fill = w - len;
        Ok(match self.padding.as_str() {
            "*right" => text + &" ".repeat(fill),
            "*left" => " ".repeat(fill) + &text,
            "*zeroleft" => "0".repeat(fill) + &text,
            _ => text,
        })
    }
}

/// `*sum`, `*difference`, `*multiply`, `*divide`: the arithmetic is chosen by the first
/// argument's auto-detected type (integer, float, time, duration).
fn arithmetic(kind: FieldKind, args: &[String], zone: Zone) -> Result<Datum, String> {
    let name = match kind {
        FieldKind::Sum => "*sum",
        FieldKind::Difference => "*difference",
        FieldKind::Multiply => "*multiply",
        _ => "*divide",
    };
    let first = Datum::auto(&args[0]);
    let rest = &args[1..];
    let bad = |a: &str| format!("invalid argument <{a}> to {name}");
    Ok(match first {
        Datum::Int(mut acc) => {
            for a in rest {
                let v: i64 = a.trim().parse().map_err(|_| bad(a))?;
                acc = match kind {
                    FieldKind::Sum => acc.checked_add(v),
                    FieldKind::Difference => acc.checked_sub(v),
                    FieldKind::Multiply => acc.checked_mul(v),
                    _ if v == 0 => return Err(format!("division by zero in {name}")),
                    _ => acc.checked_div(v),
                }
                .ok_or_else(|| format!("integer overflow in {name}"))?;
            }
            Datum::Int(acc)
        }
        Datum::Float(mut acc) => {
            for a in rest {
                let v = Datum::auto(a).as_f64().map_err(|_| bad(a))?;
                match kind {
                    FieldKind::Sum => acc += v,
                    FieldKind::Difference => acc -= v,
                    FieldKind::Multiply => acc *= v,
                    _ => acc /= v,
                }
            }
            Datum::Float(acc)
        }
        Datum::Time(start) => {
            let mut t: Timestamp = start.in_zone(zone);
            match kind {
                FieldKind::Sum => {
                    for a in rest {
                        t = t.add_nanos(crate::duration::parse_duration(a).map_err(|_| bad(a))?);
                    }
                    Datum::Time(t)
                }
                FieldKind::Difference => {
                    // time - time -> duration; time - durations -> time.
                    if rest.len() == 1 {
                        if let Datum::Time(other) = Datum::auto(&rest[0]) {
                            return Ok(Datum::Duration(t.sub(&other)));
                        }
                    }
                    for a in rest {
                        t = t.add_nanos(-crate::duration::parse_duration(a).map_err(|_| bad(a))?);
                    }
                    Datum::Time(t)
                }
                _ => return Err(format!("{name} does not apply to times")),
            }
        }
        Datum::Duration(mut acc) => {
            for a in rest {
                match kind {
                    FieldKind::Sum => {
                        acc += crate::duration::parse_duration(a).map_err(|_| bad(a))?
                    }
                    FieldKind::Difference => {
                        acc -= crate::duration::parse_duration(a).map_err(|_| bad(a))?
                    }
                    FieldKind::Multiply => {
                        acc = (acc as f64 * Datum::auto(a).as_f64().map_err(|_| bad(a))?) as i64
                    }
                    _ => acc = (acc as f64 / Datum::auto(a).as_f64().map_err(|_| bad(a))?) as i64,
                }
            }
            Datum::Duration(acc)
        }
        _ => return Err(bad(&args[0])),
    })
}

/// Apply a field list to `req` (§6): `*tmp` is reset first; a field whose filters fail is
/// skipped; NOT_FOUND skips a non-mandatory field and fails a mandatory one; `blocker` stops the list.
pub fn apply_fields(fields: &[Field], req: &mut Request, zone: Zone) -> Result<(), ProcessError> {
    req.tmp.clear();
    for field in fields {
        if field.kind == FieldKind::None {
            continue;
        }
        if !all_pass(&field.filters, req).map_err(ProcessError::Other)? {
            continue;
        }
        let Some(dest) = &field.dest else { continue };
        match field.kind {
            FieldKind::RemoveAll => {
                req.container_mut(dest.container()).clear();
            }
            FieldKind::Remove => {
                let key = req
                    .dest_key(dest)
                    .map_err(|e| ProcessError::Other(e.to_string()))?;
                req.container_mut(dest.container()).remove(&key);
            }
            _ => {
                let value = match field.evaluate(req, zone) {
                    Ok(v) => v,
                    Err(EvalError::NotFound) if field.mandatory => {
                        return Err(ProcessError::NotFound(field.tag.clone()))
                    }
                    Err(EvalError::NotFound) => continue,
                    Err(e) => {
                        return Err(ProcessError::Other(format!("field <{}>: {e}", field.tag)))
                    }
                };
                let value = if field.kind.is_text() {
                    Datum::from(field.format(value.text().into_owned())?)
                } else {
                    value
                };
                let key = req
                    .dest_key(dest)
                    .map_err(|e| ProcessError::Other(e.to_string()))?;
                let container: Container = dest.container();
                let tree = req.container_mut(container);
                match field.kind {
                    FieldKind::Composed => tree.compose(key, &value.text(), field.new_branch),
                    FieldKind::Group => tree.append(key, value, field.new_branch),
                    _ => tree.set(key, value, field.new_branch),
                }
            }
        }
        if field.blocker {
            break;
        }
    }
    Ok(())
}
