//! Inline filters (`*type:element:value1|value2`), compiled once.
//!
//! Types: `*string`, `*contains`, `*prefix`, `*suffix`, `*exists`, `*empty`, `*eq`, `*gt`,
//! `*gte`, `*lt`, `*lte`, `*regex`, `*rsr`, `*ipnet`, `*ai`; each with a `*not` variant, and
//! the `*ni` (not indexed) spellings. Filters that need an external service (`*timings`,
//! `*destinations`, `*apiban`, `*sentrypeer`, `*http#...`) and filter profile ids are refused.

use std::net::IpAddr;

use regex::Regex;

use crate::datum::Datum;
use crate::dpath::CompileCtx;
use crate::request::{EvalError, Request};
use crate::rsr::{split_outside_angles, RsrFilters, Rule, Rules};
use crate::time::{parse_time, Zone};

#[derive(Debug, Clone)]
enum Kind {
    String,
    Contains,
    Prefix,
    Suffix,
    Exists,
    Empty,
    Eq,
    Gt,
    Gte,
    Lt,
    Lte,
    Regex(Vec<Regex>),
    Rsr(Vec<RsrFilters>),
    IpNet,
    Ai,
}

/// One compiled filter.
#[derive(Debug, Clone)]
pub struct Filter {
    text: String,
    kind: Kind,
    negate: bool,
    element: Rule,
    values: Vec<Rules>,
}

/// An IP network (`10.0.0.0/8`, `2001:db8::/32`, or one address).
fn in_network(ip: IpAddr, cidr: &str) -> Result<bool, String> {
    let (addr, bits) = match cidr.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (cidr, None),
    };
    let net: IpAddr = addr
        .trim()
        .parse()
        .map_err(|_| format!("invalid CIDR address <{cidr}>"))?;
    let max = if net.is_ipv4() { 32 } else { 128 };
    let bits: u32 = match bits {
        Some(b) => b
            .trim()
            .parse()
            .ok()
            .filter(|b| *b <= max)
            .ok_or_else(|| format!("invalid CIDR prefix length <{cidr}>"))?,
        None => max,
    };
    let (a, n) = match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => (
            u128::from(u32::from(a)) << 96,
            u128::from(u32::from(n)) << 96,
        ),
        (IpAddr::V6(a), IpAddr::V6(n)) => (u128::from(a), u128::from(n)),
        _ => return Ok(false),
    };
    let mask = if bits == 0 {
        0
    } else {
        u128::MAX << (128 - bits)
    };
    Ok(a & mask == n & mask)
}

/// Split `*type:element:values` on the first two colons outside `[...]`.
fn split_filter(text: &str) -> (&str, &str, Option<&str>) {
    let mut cuts = Vec::with_capacity(2);
    let mut depth = 0i32;
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ':' if depth == 0 => {
                cuts.push(i);
                if cuts.len() == 2 {
                    break;
                }
            }
            _ => {}
        }
    }
    match cuts[..] {
        [] => (text, "", None),
        [a] => (&text[..a], &text[a + 1..], None),
        [a, b, ..] => (&text[..a], &text[a + 1..b], Some(&text[b + 1..])),
    }
}

impl Filter {
    /// Compile one filter string.
    pub fn compile(text: &str, ctx: &CompileCtx) -> Result<Filter, String> {
        if !text.starts_with('*') {
            return Err(format!(
                "filter profile <{text}> is not supported: use inline filters (*string:~*req.X:value)"
            ));
        }
        let (type_name, element, values) = split_filter(text);
        let (negate, base) = match type_name.strip_prefix("*not") {
            Some(rest) => (true, format!("*{rest}")),
            None => (false, type_name.replacen("*ni", "*", 1)),
        };
        if element.is_empty() {
            return Err(format!("filter <{text}>: missing element"));
        }
        let values_text: Vec<&str> = match values {
            None | Some("") => Vec::new(),
            Some(v) => split_outside_angles(v, '|'),
        };
        let kind = match base.as_str() {
            "*string" => Kind::String,
            "*contains" => Kind::Contains,
            "*prefix" => Kind::Prefix,
            "*suffix" => Kind::Suffix,
            "*exists" | "*empty" => {
                if !values_text.is_empty() {
                    return Err(format!("filter <{text}>: {base} takes no value"));
                }
                if base == "*exists" {
                    Kind::Exists
                } else {
                    Kind::Empty
                }
            }
            "*eq" => Kind::Eq,
            "*gt" => Kind::Gt,
            "*gte" => Kind::Gte,
            "*lt" => Kind::Lt,
            "*lte" => Kind::Lte,
            "*regex" => Kind::Regex(
                values_text
                    .iter()
                    .map(|v| {
                        Regex::new(v)
                            .map_err(|e| format!("filter <{text}>: invalid regex <{v}>: {e}"))
                    })
                    .collect::<Result<_, _>>()?,
            ),
            "*rsr" => Kind::Rsr(
                values_text
                    .iter()
                    .map(|v| RsrFilters::parse(v))
                    .collect::<Result<_, _>>()?,
            ),
            "*ipnet" => Kind::IpNet,
            "*ai" => Kind::Ai,
            "*timings" | "*destinations" | "*apiban" | "*sentrypeer" => {
                return Err(format!(
                    "filter type {base} needs an external service and is not supported"
                ))
            }
            other if other.starts_with("*http") => {
                return Err(format!(
                    "filter type {other} needs an external service and is not supported"
                ))
            }
            other => return Err(format!("unsupported filter type <{other}> in <{text}>")),
        };
        if !matches!(kind, Kind::Exists | Kind::Empty) && values_text.is_empty() {
            return Err(format!("filter <{text}>: missing values"));
        }
        let values = match kind {
            Kind::Regex(_) | Kind::Rsr(_) => Vec::new(),
            _ => values_text
                .iter()
                .map(|v| Rules::compile(v, ctx))
                .collect::<Result<_, _>>()?,
        };
        if let Kind::IpNet = kind {
            for v in &values {
                if let Some(c) = v.constant_text() {
                    in_network(IpAddr::from([0, 0, 0, 0]), &c)?;
                }
            }
        }
        Ok(Filter {
            text: text.to_string(),
            kind,
            negate,
            element: Rule::compile(element, ctx)?,
            values,
        })
    }

    /// The filter as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether the filter passes for `req`. Errors: `*req` names unknown to the application,
    /// incomparable values in `*eq`/`*gt`/..., failing converters.
    pub fn pass(&self, req: &Request) -> Result<bool, String> {
        let element = match req.eval_rule(&self.element) {
            Ok(v) => Some(v),
            Err(EvalError::NotFound) => None,
            Err(e) => return Err(format!("filter <{}>: {e}", self.text)),
        };
        let positive = match element {
            None => match &self.kind {
                Kind::Empty => true,
                Kind::Rsr(filters) => filters.iter().any(RsrFilters::is_empty_filter),
                _ => false,
            },
            Some(value) => self.pass_value(req, &value)?,
        };
        Ok(positive != self.negate)
    }

    fn values<'r>(&'r self, req: &'r Request) -> impl Iterator<Item = String> + 'r {
        self.values.iter().filter_map(|v| req.eval_text(v).ok())
    }

    fn pass_value(&self, req: &Request, value: &Datum) -> Result<bool, String> {
        let text = value.text();
        Ok(match &self.kind {
            Kind::String => self.values(req).any(|v| v == text),
            Kind::Contains => self.values(req).any(|v| text.contains(v.as_str())),
            Kind::Prefix => self.values(req).any(|v| text.starts_with(v.as_str())),
            Kind::Suffix => self.values(req).any(|v| text.ends_with(v.as_str())),
            Kind::Exists => true,
            Kind::Empty => text.is_empty() || text == "[]" || text == "{}",
            Kind::Regex(res) => res.iter().any(|re| re.is_match(&text)),
            Kind::Rsr(filters) => filters.iter().any(|f| f.pass(&text)),
            Kind::Eq | Kind::Gt | Kind::Gte | Kind::Lt | Kind::Lte => {
                let element = value.typed();
                for v in self.values(req) {
                    let ord = element
                        .compare(&Datum::auto(&v))
                        .map_err(|e| format!("filter <{}>: {e}", self.text))?;
                    let ok = match self.kind {
                        Kind::Eq => ord.is_eq(),
                        Kind::Gt => ord.is_gt(),
                        Kind::Gte => ord.is_ge(),
                        Kind::Lt => ord.is_lt(),
                        _ => ord.is_le(),
                    };
                    if ok {
                        return Ok(true);
                    }
                }
                false
            }
            Kind::IpNet => {
                let Ok(ip) = text.trim().parse::<IpAddr>() else {
                    return Ok(false);
                };
                let mut any = false;
                for v in self.values(req) {
                    any |=
                        in_network(ip, &v).map_err(|e| format!("filter <{}>: {e}", self.text))?;
                }
                any
            }
            Kind::Ai => {
                let at = value
                    .as_time(Zone::UTC)
                    .map_err(|e| format!("filter <{}>: {e}", self.text))?;
                let bounds: Vec<String> = self.values(req).collect();
                let time = |s: &str| {
                    parse_time(s, Zone::UTC).map_err(|e| format!("filter <{}>: {e}", self.text))
                };
                let start = time(&bounds[0])?;
                let after_start = start.is_zero() || start < at;
                let before_end = match bounds.get(1) {
                    Some(end) => {
                        let end = time(end)?;
                        end.is_zero() || at < end
                    }
                    None => true,
                };
                after_start && before_end
            }
        })
    }
}

/// Whether all filters pass (an empty list passes).
pub fn all_pass(filters: &[Filter], req: &Request) -> Result<bool, String> {
    for f in filters {
        if !f.pass(req)? {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(in_network(ip("10.1.2.3"), "10.0.0.0/8").unwrap());
        assert!(!in_network(ip("11.1.2.3"), "10.0.0.0/8").unwrap());
        assert!(in_network(ip("10.1.2.3"), "0.0.0.0/0").unwrap());
        assert!(in_network(ip("10.1.2.3"), "10.1.2.3").unwrap());
        assert!(in_network(ip("2001:db8::1"), "2001:db8::/32").unwrap());
        assert!(!in_network(ip("2001:db9::1"), "2001:db8::/32").unwrap());
        assert!(!in_network(ip("10.1.2.3"), "2001:db8::/32").unwrap());
        assert!(in_network(ip("10.1.2.3"), "10.0.0.0/33").is_err());
    }

    #[test]
    fn splitting() {
        assert_eq!(
            split_filter("*string:~*vars.*cmd:CCR"),
            ("*string", "~*vars.*cmd", Some("CCR"))
        );
        assert_eq!(
            split_filter("*notempty:~*cgrep.Error:"),
            ("*notempty", "~*cgrep.Error", Some(""))
        );
        assert_eq!(
            split_filter("*string:~*req.A.B[~C(1:2)]:x:y"),
            ("*string", "~*req.A.B[~C(1:2)]", Some("x:y"))
        );
    }
}
