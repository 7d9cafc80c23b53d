//! Value rules (CGRateS RSR parsers), compiled once.
//!
//! A value is a list of rules separated by `;` (outside back-ticks and `<...>`). One rule is
//! constant text, or a `~` path followed by `:s/regex/template/` rewrites, and optionally
//! `{*converter&*converter}`. `<...>` inside a rule is a dynamic splice: its rules are evaluated
//! first and the result pasted in before the rule is read (see §4 of the agent spec).

use std::sync::Arc;

use regex::Regex;

use crate::converter::Converter;
use crate::datum::Datum;
use crate::dpath::{CompileCtx, ReadPath};

/// `:s/regex/template/`: the first match of `regex` replaces the **whole** value by
/// `template` expanded alone (`$1`, `${1}`); no match leaves the value unchanged.
#[derive(Debug, Clone)]
pub struct SearchReplace {
    regex: Regex,
    template: String,
    /// The template names no group: a match needs no captures.
    literal: bool,
}

impl SearchReplace {
    /// Compile `regex` and keep `template`.
    pub fn new(regex: &str, template: &str) -> Result<SearchReplace, String> {
        let regex = Regex::new(regex).map_err(|e| format!("invalid regex <{regex}>: {e}"))?;
        Ok(SearchReplace {
            regex,
            template: template.to_string(),
            literal: !template.contains('$'),
        })
    }

    /// Apply to `input`.
    pub fn apply(&self, input: &str) -> String {
        let mut text = input.to_string();
        self.apply_in_place(&mut text);
        text
    }

    /// Apply to `text`, in place. Most rewrites of a chain do not match: those cost a
    /// search and no allocation.
    pub fn apply_in_place(&self, text: &mut String) {
        if !self.regex.is_match(text) {
            return;
        }
        if self.literal {
            text.clear();
            text.push_str(&self.template);
            return;
        }
        if let Some(caps) = self.regex.captures(text) {
            let mut out = String::with_capacity(self.template.len() + text.len());
            caps.expand(&self.template, &mut out);
            *text = out;
        }
    }
}

/// Where a rule's value comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// Constant text.
    Const(Arc<str>),
    /// A `~` path.
    Path(ReadPath),
    /// A rule with a `<...>` splice, completed and compiled at request time.
    Dynamic {
        /// Text before `<`.
        before: String,
        /// The rules between `<` and `>`.
        inner: Rules,
        /// Text after `>`.
        after: String,
    },
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The rule as written.
    pub text: String,
    /// Where the value comes from.
    pub source: Source,
    /// `:s/.../.../` rewrites, in order.
    pub replaces: Vec<SearchReplace>,
    /// Converters, in order.
    pub converters: Vec<Converter>,
}

/// A `;`-separated list of rules (a field value, a filter value).
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// The rules, in order.
    pub rules: Vec<Rule>,
}

impl Rules {
    /// Compile a value.
    pub fn compile(text: &str, ctx: &CompileCtx) -> Result<Rules, String> {
        let rules = split_rules(text, ctx.sep)?
            .iter()
            .map(|r| Rule::compile(r, ctx))
            .collect::<Result<_, _>>()?;
        Ok(Rules { rules })
    }

    /// Whether there is no rule.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The value when every rule is constant (`None` if one reads data).
    pub fn constant_text(&self) -> Option<String> {
        self.rules
            .iter()
            .map(
                |r| match (&r.source, r.replaces.is_empty(), r.converters.is_empty()) {
                    (Source::Const(s), _, true) => Some(s.to_string()),
                    _ => None,
                },
            )
            .collect()
    }
}

impl Rule {
    /// Compile one rule.
    pub fn compile(text: &str, ctx: &CompileCtx) -> Result<Rule, String> {
        if let Some(start) = text.find('<') {
            if let Some(len) = text[start..].find('>') {
                let end = start + len;
                let inner = Rules::compile(&text[start + 1..end], ctx)?;
                return Ok(Rule {
                    text: text.to_string(),
                    source: Source::Dynamic {
                        before: text[..start].to_string(),
                        inner,
                        after: text[end + 1..].to_string(),
                    },
                    replaces: Vec::new(),
                    converters: Vec::new(),
                });
            }
        }
        let (base, replaces, converters) = split_rule(text)?;
        let source = if !base.starts_with('~') || base.len() == 1 {
            Source::Const(base.into())
        } else {
            Source::Path(ReadPath::compile(&base[1..], ctx)?)
        };
        Ok(Rule {
            text: text.to_string(),
            source,
            replaces,
            converters,
        })
    }

    /// Rewrites and converters applied to a value read by this rule.
    pub fn finish(&self, value: Datum) -> Result<Datum, String> {
        let value = if self.replaces.is_empty() {
            value
        } else {
            let mut text = value.text().into_owned();
            for r in &self.replaces {
                r.apply_in_place(&mut text);
            }
            Datum::from(text)
        };
        crate::converter::convert_all(&self.converters, value)
    }
}

/// Split a rule into its base (constant or `~path`), rewrites and converters.
pub(crate) fn split_rule(text: &str) -> Result<(&str, Vec<SearchReplace>, Vec<Converter>), String> {
    let mut base = text;
    let mut converters = Vec::new();
    if let Some(idx) = text.find("{*") {
        if !text.ends_with('}') {
            return Err(format!("invalid converter terminator in rule: <{text}>"));
        }
        converters = text[idx + 1..text.len() - 1]
            .split('&')
            .map(Converter::parse)
            .collect::<Result<_, _>>()?;
        base = &text[..idx];
    }
    if !base.starts_with('~') || base.len() == 1 {
        return Ok((base, Vec::new(), converters));
    }
    let mut parts = split_outside_brackets(base, ":s/");
    let path = parts.remove(0);
    let replaces = parts
        .into_iter()
        .map(|part| {
            let bad = || format!("invalid search and replace rule <:s/{part}> in <{text}>: expected :s/regex/template/");
            let body = part.strip_suffix('/').ok_or_else(bad)?;
            let sep = last_unescaped_slash(body).ok_or_else(bad)?;
            if sep == 0 {
                return Err(bad());
            }
            SearchReplace::new(&body[..sep], &body[sep + 1..])
        })
        .collect::<Result<_, _>>()?;
    Ok((path, replaces, converters))
}

fn last_unescaped_slash(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    (0..b.len())
        .rev()
        .find(|&i| b[i] == b'/' && (i == 0 || b[i - 1] != b'\\'))
}

/// Split on `sep` where not inside `[...]`.
fn split_outside_brackets<'a>(text: &'a str, sep: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let mut i = 0;
    let b = text.as_bytes();
    while i < b.len() {
        match b[i] {
            b'[' => depth += 1,
            b']' => depth -= 1,
            _ if depth == 0 && text[i..].starts_with(sep) => {
                out.push(&text[start..i]);
                i += sep.len();
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(&text[start..]);
    out
}

/// Split a value into rules on `sep`, outside back-ticks and `<...>`; back-ticks are removed
/// and what they quote is taken as is (it may contain `sep`).
pub fn split_rules(text: &str, sep: char) -> Result<Vec<String>, String> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    if text.matches('`').count() % 2 != 0 {
        return Err(format!("Unclosed unspilit syntax: {text}"));
    }
    let mut rules = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut angle = 0i32;
    for c in text.chars() {
        match c {
            '`' => quoted = !quoted,
            _ if quoted => current.push(c),
            '<' => {
                angle += 1;
                current.push(c);
            }
            '>' if angle > 0 => {
                angle -= 1;
                current.push(c);
            }
            _ if c == sep && angle == 0 => rules.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    rules.push(current);
    Ok(rules)
}

/// Split on `sep` outside `<...>` (filter values on `|`).
pub fn split_outside_angles(text: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '<' => depth += 1,
            '>' if depth > 0 => depth -= 1,
            _ if c == sep && depth == 0 => {
                out.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}

/// One RSR filter (`!` negation; empty passes; `~regex`; `^$` empty; `^abc$` exact; `^abc`
/// prefix; `abc$` suffix; `>=n`, `<=n`, `>n`, `<n` typed comparison; else substring).
#[derive(Debug, Clone)]
pub struct RsrFilter {
    negate: bool,
    kind: RsrFilterKind,
}

#[derive(Debug, Clone)]
enum RsrFilterKind {
    Any,
    Regex(Regex),
    Empty,
    Exact(String),
    Prefix(String),
    Suffix(String),
    Compare(&'static str, Datum),
    Contains(String),
}

impl RsrFilter {
    /// Parse one filter.
    pub fn parse(text: &str) -> Result<RsrFilter, String> {
        let (negate, body) = match text.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let kind = if body.is_empty() {
            RsrFilterKind::Any
        } else if let Some(re) = body.strip_prefix('~') {
            RsrFilterKind::Regex(Regex::new(re).map_err(|e| format!("invalid regex <{re}>: {e}"))?)
        } else if body == "^$" {
            RsrFilterKind::Empty
        } else if let Some(op) = [">=", "<=", ">", "<"]
            .into_iter()
            .find(|op| body.starts_with(op))
        {
            RsrFilterKind::Compare(op, Datum::auto(&body[op.len()..]))
        } else if body.len() > 1 && body.starts_with('^') && body.ends_with('$') {
            RsrFilterKind::Exact(body[1..body.len() - 1].to_string())
        } else if let Some(p) = body.strip_prefix('^') {
            RsrFilterKind::Prefix(p.to_string())
        } else if let Some(s) = body.strip_suffix('$') {
            RsrFilterKind::Suffix(s.to_string())
        } else {
            RsrFilterKind::Contains(body.to_string())
        };
        Ok(RsrFilter { negate, kind })
    }

    /// Whether `value` passes.
    pub fn pass(&self, value: &str) -> bool {
        let ok = match &self.kind {
            RsrFilterKind::Any => true,
            RsrFilterKind::Regex(re) => re.is_match(value),
            RsrFilterKind::Empty => value.is_empty(),
            RsrFilterKind::Exact(s) => value == s,
            RsrFilterKind::Prefix(s) => value.starts_with(s.as_str()),
            RsrFilterKind::Suffix(s) => value.ends_with(s.as_str()),
            RsrFilterKind::Compare(op, limit) => match Datum::auto(value).compare(limit) {
                Ok(ord) => match *op {
                    ">=" => ord.is_ge(),
                    "<=" => ord.is_le(),
                    ">" => ord.is_gt(),
                    _ => ord.is_lt(),
                },
                Err(_) => false,
            },
            RsrFilterKind::Contains(s) => value.contains(s.as_str()),
        };
        ok != self.negate
    }

    /// Whether this is the `^$` filter (which also passes a missing value).
    pub fn is_empty_filter(&self) -> bool {
        !self.negate && matches!(self.kind, RsrFilterKind::Empty)
    }
}

/// `&`-joined RSR filters: all must pass.
#[derive(Debug, Clone)]
pub struct RsrFilters(pub Vec<RsrFilter>);

impl RsrFilters {
    /// Parse `f1&f2`.
    pub fn parse(text: &str) -> Result<RsrFilters, String> {
        text.split('&')
            .map(RsrFilter::parse)
            .collect::<Result<_, _>>()
            .map(RsrFilters)
    }

    /// Whether all pass.
    pub fn pass(&self, value: &str) -> bool {
        self.0.iter().all(|f| f.pass(value))
    }

    /// Whether this is exactly `^$`.
    pub fn is_empty_filter(&self) -> bool {
        self.0.len() == 1 && self.0[0].is_empty_filter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_replace_keeps_only_the_expanded_template() {
        let sr = SearchReplace::new(r"^\+49(\d+)", "int${1}").unwrap();
        assert_eq!(sr.apply("+4917612345"), "int17612345");
        // No match: unchanged.
        assert_eq!(sr.apply("0049123"), "0049123");
        // The rest of the input is discarded, not substituted in place.
        let sr = SearchReplace::new(r"(\d+)", "n$1").unwrap();
        assert_eq!(sr.apply("abc123def"), "n123");
        let sr = SearchReplace::new("(.*)", "${1}s").unwrap();
        assert_eq!(sr.apply("300"), "300s");
    }

    #[test]
    fn rules_split_outside_backticks_and_splices() {
        assert_eq!(
            split_rules("~*req.A;-;~*req.B", ';').unwrap(),
            ["~*req.A", "-", "~*req.B"]
        );
        assert_eq!(split_rules("`a;b`;c", ';').unwrap(), ["a;b", "c"]);
        assert_eq!(split_rules("x`;`y", ';').unwrap(), ["x;y"]);
        assert_eq!(
            split_rules("*cgrep.Route2.<CGR_;~*cgreq.BestRoute>", ';').unwrap(),
            ["*cgrep.Route2.<CGR_;~*cgreq.BestRoute>"]
        );
        assert!(split_rules("`open", ';')
            .unwrap_err()
            .contains("Unclosed unspilit syntax"));
        assert!(split_rules("", ';').unwrap().is_empty());
    }

    #[test]
    fn rule_parts() {
        let (base, sr, conv) =
            split_rule("~*req.CC-Time:s/(.*)/${1}s/{*duration_seconds&*round:1}").unwrap();
        assert_eq!(base, "~*req.CC-Time");
        assert_eq!(sr.len(), 1);
        assert_eq!(conv.len(), 2);
        // Rewrites do not apply to constants.
        let (base, sr, _) = split_rule("abc:s/a/b/").unwrap();
        assert_eq!(base, "abc:s/a/b/");
        assert!(sr.is_empty());
        assert!(split_rule("~*req.X{*duration")
            .unwrap_err()
            .contains("invalid converter terminator"));
        assert!(split_rule("~*req.X:s/abc").is_err());
        // The regex may contain slashes: it ends at the second-last unescaped slash.
        let (_, sr, _) = split_rule("~*req.X:s/^a/b(.)$/x$1/").unwrap();
        assert_eq!(sr[0].apply("a/bc"), "xc");
    }

    #[test]
    fn rsr_filters() {
        let f = |s: &str, v: &str| RsrFilters::parse(s).unwrap().pass(v);
        assert!(f("1", "10"));
        assert!(f("1", "21"));
        assert!(!f("^1$", "10"));
        assert!(f("^1$", "1"));
        assert!(f("^1", "10"));
        assert!(f("0$", "10"));
        assert!(f("^$", ""));
        assert!(!f("^$", "x"));
        assert!(f("~^\\d+$", "123"));
        assert!(f("!abc", "xyz"));
        assert!(f(">=10", "10"));
        assert!(!f(">10", "10"));
        assert!(f("<5s", "1s"));
        assert!(!f("<5", "abc"));
        assert!(f("", "anything"));
        assert!(f("^a&b$", "ab"));
        assert!(!f("^a&c$", "ab"));
    }
}
