//! Values flowing through the engine, typed as CGRateS types them (Go `interface{}` values).
//!
//! Every datum has a text form (what templates concatenate and what Diameter AVPs are written
//! from); typed comparisons (`*eq`, `*gt`, ...) auto-type text first, as CGRateS'
//! `StringToInterface` does.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::Arc;

use crate::duration::{format_duration, parse_go_duration};
use crate::time::{parse_time, Timestamp, Zone};

/// One value.
#[derive(Debug, Clone)]
pub enum Datum {
    /// Shared text (configuration values, constants).
    Str(Arc<str>),
    /// Text made for this request.
    Text(String),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer (Unsigned32/64 AVPs).
    Uint(u64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// An instant.
    Time(Timestamp),
    /// A duration in nanoseconds (Go `time.Duration`).
    Duration(i64),
}

impl PartialEq for Datum {
    /// Structural, except that shared and owned text compare by content.
    fn eq(&self, other: &Datum) -> bool {
        use Datum::*;
        match (self, other) {
            (Str(_) | Text(_), Str(_) | Text(_)) => self.text() == other.text(),
            (Int(a), Int(b)) | (Duration(a), Duration(b)) => a == b,
            (Uint(a), Uint(b)) => a == b,
            (Float(a), Float(b)) => a == b,
            (Bool(a), Bool(b)) => a == b,
            (Time(a), Time(b)) => a == b,
            _ => false,
        }
    }
}

impl From<String> for Datum {
    fn from(s: String) -> Datum {
        Datum::Text(s)
    }
}

impl From<&str> for Datum {
    fn from(s: &str) -> Datum {
        Datum::Text(s.to_string())
    }
}

/// Text of a float as Go's `strconv.FormatFloat(f, 'f', -1, 64)`.
pub fn format_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    format!("{f}")
}

/// A value reduced to the kinds CGRateS compares (`GetUniformType`): numbers (durations as
/// nanoseconds), times, booleans and text.
#[derive(Debug, Clone, PartialEq)]
enum Uniform<'a> {
    Num(f64),
    Time(Timestamp),
    Bool(bool),
    Str(&'a str),
}

impl Datum {
    /// The text form: integers in decimal, floats shortest, times RFC 3339, durations as Go
    /// prints them (`5m0s`).
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Datum::Str(s) => Cow::Borrowed(s),
            Datum::Text(s) => Cow::Borrowed(s),
            Datum::Int(i) => Cow::Owned(i.to_string()),
            Datum::Uint(u) => Cow::Owned(u.to_string()),
            Datum::Float(f) => Cow::Owned(format_float(*f)),
            Datum::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Datum::Time(t) => Cow::Owned(t.rfc3339()),
            Datum::Duration(d) => Cow::Owned(format_duration(*d)),
        }
    }

    /// Whether the value is empty text.
    pub fn is_empty_text(&self) -> bool {
        match self {
            Datum::Str(s) => s.is_empty(),
            Datum::Text(s) => s.is_empty(),
            _ => false,
        }
    }

    /// CGRateS' `StringToInterface`: integer, boolean, float, time, duration, else text.
    pub fn auto(text: &str) -> Datum {
        if let Ok(i) = text.parse::<i64>() {
            return Datum::Int(i);
        }
        if let Some(b) = parse_go_bool(text) {
            return Datum::Bool(b);
        }
        if let Some(f) = parse_go_float(text) {
            return Datum::Float(f);
        }
        if !text.is_empty() {
            if let Ok(t) = parse_time(text, Zone::UTC) {
                return Datum::Time(t);
            }
        }
        if let Ok(d) = parse_go_duration(text) {
            return Datum::Duration(d);
        }
        Datum::Text(text.to_string())
    }

    /// Auto-type text values; typed values stay as they are.
    pub fn typed(&self) -> Cow<'_, Datum> {
        match self {
            Datum::Str(s) => Cow::Owned(Datum::auto(s)),
            Datum::Text(s) => Cow::Owned(Datum::auto(s)),
            other => Cow::Borrowed(other),
        }
    }

    fn uniform(&self) -> Uniform<'_> {
        match self {
            Datum::Int(i) => Uniform::Num(*i as f64),
            Datum::Uint(u) => Uniform::Num(*u as f64),
            Datum::Float(f) => Uniform::Num(*f),
            Datum::Duration(d) => Uniform::Num(*d as f64),
            Datum::Time(t) => Uniform::Time(*t),
            Datum::Bool(b) => Uniform::Bool(*b),
            Datum::Str(s) => Uniform::Str(s),
            Datum::Text(s) => Uniform::Str(s),
        }
    }

    /// Typed comparison of two (already typed) values; `Err("incomparable")` for different kinds.
    pub fn compare(&self, other: &Datum) -> Result<Ordering, String> {
        let incomparable = || format!("incomparable: <{}> with <{}>", self.text(), other.text());
        match (self.uniform(), other.uniform()) {
            (Uniform::Num(a), Uniform::Num(b)) => a.partial_cmp(&b).ok_or_else(incomparable),
            (Uniform::Time(a), Uniform::Time(b)) => Ok(a.cmp(&b)),
            (Uniform::Bool(a), Uniform::Bool(b)) => Ok(a.cmp(&b)),
            (Uniform::Str(a), Uniform::Str(b)) => Ok(a.cmp(b)),
            _ => Err(incomparable()),
        }
    }

    /// As a float (numbers, durations in ns, numeric text).
    pub fn as_f64(&self) -> Result<f64, String> {
        match self {
            Datum::Int(i) => Ok(*i as f64),
            Datum::Uint(u) => Ok(*u as f64),
            Datum::Float(f) => Ok(*f),
            Datum::Duration(d) => Ok(*d as f64),
            Datum::Bool(b) => Ok(f64::from(u8::from(*b))),
            other => {
                let text = other.text();
                parse_go_float(&text).ok_or_else(|| format!("cannot convert <{text}> to float64"))
            }
        }
    }

    /// As an integer (integers, durations in ns, integral text).
    pub fn as_i64(&self) -> Result<i64, String> {
        match self {
            Datum::Int(i) => Ok(*i),
            Datum::Uint(u) => i64::try_from(*u).map_err(|e| e.to_string()),
            Datum::Duration(d) => Ok(*d),
            Datum::Float(f) if f.fract() == 0.0 => Ok(*f as i64),
            other => {
                let text = other.text();
                text.trim()
                    .parse()
                    .map_err(|_| format!("cannot convert <{text}> to int64"))
            }
        }
    }

    /// As a duration in ns: durations, integers (ns), floats (ns), text as [`crate::duration::parse_duration`].
    pub fn as_duration(&self) -> Result<i64, String> {
        match self {
            Datum::Duration(d) | Datum::Int(d) => Ok(*d),
            Datum::Uint(u) => i64::try_from(*u).map_err(|e| e.to_string()),
            Datum::Float(f) => Ok(*f as i64),
            other => crate::duration::parse_duration(&other.text()),
        }
    }

    /// As an instant: times, or text parsed in `zone`.
    pub fn as_time(&self, zone: Zone) -> Result<Timestamp, String> {
        match self {
            Datum::Time(t) => Ok(*t),
            other => parse_time(&other.text(), zone),
        }
    }

    /// The JSON form CGRateS sends: durations as integer nanoseconds, times as RFC 3339 text.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Datum::Str(s) => Value::String(s.to_string()),
            Datum::Text(s) => Value::String(s.clone()),
            Datum::Int(i) | Datum::Duration(i) => Value::from(*i),
            Datum::Uint(u) => Value::from(*u),
            Datum::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Datum::Bool(b) => Value::Bool(*b),
            Datum::Time(t) => Value::String(t.rfc3339_nano()),
        }
    }

    /// A datum from JSON (numbers stay numbers, the rest becomes text; objects and arrays as JSON text).
    pub fn from_json(value: &serde_json::Value) -> Datum {
        use serde_json::Value;
        match value {
            Value::String(s) => Datum::Text(s.clone()),
            Value::Bool(b) => Datum::Bool(*b),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Datum::Int(i)
                } else if let Some(u) = n.as_u64() {
                    Datum::Uint(u)
                } else {
                    Datum::Float(n.as_f64().unwrap_or(0.0))
                }
            }
            Value::Null => Datum::Text(String::new()),
            other => Datum::Text(other.to_string()),
        }
    }
}

/// Go `strconv.ParseBool`.
fn parse_go_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go `strconv.ParseFloat` for decimal text (no hex floats, no `_`).
pub fn parse_go_float(text: &str) -> Option<f64> {
    let t = text.trim_start_matches(['+', '-']);
    let lower = t.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        return text.parse().ok();
    }
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_typing_order() {
        assert_eq!(Datum::auto("10"), Datum::Int(10));
        assert_eq!(Datum::auto("t"), Datum::Bool(true));
        assert_eq!(Datum::auto("1.5"), Datum::Float(1.5));
        assert!(matches!(
            Datum::auto("2024-01-02T03:04:05Z"),
            Datum::Time(_)
        ));
        assert_eq!(Datum::auto("5m0s"), Datum::Duration(300_000_000_000));
        assert_eq!(Datum::auto("abc"), Datum::from("abc"));
    }

    #[test]
    fn durations_compare_with_numbers_in_nanoseconds() {
        let zero = Datum::auto("0");
        assert_eq!(Datum::Duration(0).compare(&zero), Ok(Ordering::Equal));
        assert_eq!(
            Datum::Duration(300_000_000_000).compare(&zero),
            Ok(Ordering::Greater)
        );
        assert!(Datum::from("abc").compare(&zero).is_err());
    }

    #[test]
    fn text_forms() {
        assert_eq!(Datum::Duration(300_000_000_000).text(), "5m0s");
        assert_eq!(Datum::Float(300.0).text(), "300");
        assert_eq!(Datum::Float(0.1).text(), "0.1");
        assert_eq!(Datum::Uint(7).text(), "7");
    }

    #[test]
    fn json_forms() {
        assert_eq!(Datum::Duration(5).to_json(), serde_json::json!(5));
        assert_eq!(
            Datum::Time(parse_time("2024-01-02T03:04:05Z", Zone::UTC).unwrap()).to_json(),
            serde_json::json!("2024-01-02T03:04:05Z")
        );
    }
}
