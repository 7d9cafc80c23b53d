//! Attribute value parsing, as tolerant as Go's `encoding/xml` + `strconv` (and a bit more).
//!
//! Every function returns `None` for a value it cannot read; the caller turns that into a
//! [`DictError`](crate::DictError) naming the item.

/// A non-negative number: decimal or `0x` hexadecimal, surrounding whitespace ignored
/// (Go trims attribute values before converting them).
pub(crate) fn parse_u32(s: &str) -> Option<u32> {
    let s = s.trim();
    match hex_digits(s) {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

/// An enumerated value (Integer32 on the wire). Accepts negative decimals and, as the
/// bit pattern of an Integer32, decimals and hex numbers up to `0xFFFFFFFF`.
pub(crate) fn parse_enum_code(s: &str) -> Option<i32> {
    let s = s.trim();
    if let Some(hex) = hex_digits(s) {
        return u32::from_str_radix(hex, 16).ok().map(|v| v as i32);
    }
    let v: i64 = s.parse().ok()?;
    if v >= i64::from(i32::MIN) && v <= i64::from(u32::MAX) {
        Some(v as i32)
    } else {
        None
    }
}

/// A rule count (`min`, `max`): Go reads it as an `int`, so negative values load too.
/// Values are clamped to `0..=u32::MAX`.
fn parse_count(s: &str) -> Option<u32> {
    let s = s.trim();
    let v: i64 = match hex_digits(s) {
        Some(hex) => i64::from_str_radix(hex, 16).ok()?,
        None => s.parse().ok()?,
    };
    Some(v.clamp(0, i64::from(u32::MAX)) as u32)
}

/// `min`: absent or empty means 0.
pub(crate) fn parse_min(s: Option<&str>) -> Option<u32> {
    match s.map(str::trim) {
        None | Some("") => Some(0),
        Some(s) => parse_count(s),
    }
}

/// `max`: absent, empty, `0`, a negative number, `unbounded` or `*` mean unbounded (`None`).
pub(crate) fn parse_max(s: Option<&str>) -> Result<Option<u32>, ()> {
    match s.map(str::trim) {
        None | Some("") | Some("*") => Ok(None),
        Some(s) if s.eq_ignore_ascii_case("unbounded") => Ok(None),
        Some(s) => match parse_count(s) {
            Some(0) => Ok(None),
            Some(n) => Ok(Some(n)),
            None => Err(()),
        },
    }
}

/// `required`: Go's `strconv.ParseBool` set (`1 t T TRUE true True 0 f F FALSE false False`),
/// compared case-insensitively; absent or empty means false.
pub(crate) fn parse_bool(s: Option<&str>) -> Option<bool> {
    let s = match s.map(str::trim) {
        None | Some("") => return Some(false),
        Some(s) => s,
    };
    if ["1", "t", "true"].iter().any(|t| s.eq_ignore_ascii_case(t)) {
        Some(true)
    } else if ["0", "f", "false"]
        .iter()
        .any(|f| s.eq_ignore_ascii_case(f))
    {
        Some(false)
    } else {
        None
    }
}

fn hex_digits(s: &str) -> Option<&str> {
    s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_u32(" 16777238 "), Some(16_777_238));
        assert_eq!(parse_u32("0x1000000"), Some(16_777_216));
        assert_eq!(parse_u32("-1"), None);
        assert_eq!(parse_u32("abc"), None);
        assert_eq!(parse_u32(""), None);
        assert_eq!(parse_enum_code("-3"), Some(-3));
        assert_eq!(parse_enum_code("0xFFFFFFFF"), Some(-1));
        assert_eq!(parse_enum_code("4294967295"), Some(-1));
        assert_eq!(parse_enum_code("4294967296"), None);
    }

    #[test]
    fn counts() {
        assert_eq!(parse_min(None), Some(0));
        assert_eq!(parse_min(Some("2")), Some(2));
        assert_eq!(parse_min(Some("-1")), Some(0));
        assert_eq!(parse_min(Some("x")), None);
        assert_eq!(parse_max(None), Ok(None));
        assert_eq!(parse_max(Some("0")), Ok(None));
        assert_eq!(parse_max(Some("Unbounded")), Ok(None));
        assert_eq!(parse_max(Some("*")), Ok(None));
        assert_eq!(parse_max(Some("1")), Ok(Some(1)));
        assert_eq!(parse_max(Some("many")), Err(()));
    }

    #[test]
    fn booleans() {
        for t in ["true", "True", "TRUE", "1", "t", "T"] {
            assert_eq!(parse_bool(Some(t)), Some(true), "{t}");
        }
        for f in ["false", "False", "0", "f", "F", ""] {
            assert_eq!(parse_bool(Some(f)), Some(false), "{f}");
        }
        assert_eq!(parse_bool(None), Some(false));
        assert_eq!(parse_bool(Some("yes")), None);
    }
}
