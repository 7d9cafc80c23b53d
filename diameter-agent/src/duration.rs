//! Durations as CGRateS reads and prints them (Go `time.Duration`: signed nanoseconds).
//!
//! Reading ([`parse_duration`]): empty text is 0, `*unlimited` is -1 ns, a bare integer is
//! **nanoseconds** (`"300"` = 300 ns), anything else is Go syntax (`300s`, `1h2m`, `1.5ms`).
//! Printing ([`format_duration`]) gives Go's `Duration.String()` (`5m0s`, `1.5s`, `300ns`).

const NS: i128 = 1;
const US: i128 = 1_000;
const MS: i128 = 1_000_000;
const SEC: i128 = 1_000_000_000;
const MIN: i128 = 60 * SEC;
const HOUR: i128 = 60 * MIN;

/// Parse a duration the CGRateS way: `""` -> 0, `*unlimited` -> -1, bare integer -> ns,
/// else Go `time.ParseDuration` syntax.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(0);
    }
    if text == "*unlimited" {
        return Ok(-1);
    }
    if let Ok(ns) = text.parse::<i64>() {
        return Ok(ns);
    }
    parse_go_duration(text)
}

/// Go `time.ParseDuration`: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, units ns, us, µs, ms, s, m, h.
pub fn parse_go_duration(text: &str) -> Result<i64, String> {
    let bad = || format!("time: invalid duration \"{text}\"");
    let (neg, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total: i128 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let int_part = &rest[..int_len];
        rest = &rest[int_len..];
        let mut frac_part = "";
        if let Some(after) = rest.strip_prefix('.') {
            let frac_len = after.bytes().take_while(u8::is_ascii_digit).count();
            frac_part = &after[..frac_len];
            rest = &after[frac_len..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(bad());
        }
        let unit_len = rest
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(rest.len(), |(i, _)| i);
        let unit = match &rest[..unit_len] {
            "ns" => NS,
            "us" | "µs" | "μs" => US,
            "ms" => MS,
            "s" => SEC,
            "m" => MIN,
            "h" => HOUR,
            "" => return Err(format!("time: missing unit in duration \"{text}\"")),
            other => {
                return Err(format!(
                    "time: unknown unit \"{other}\" in duration \"{text}\""
                ))
            }
        };
        rest = &rest[unit_len..];
        let int: i128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| bad())?
        };
        let mut value = int.checked_mul(unit).ok_or_else(bad)?;
        if !frac_part.is_empty() {
            let digits = &frac_part[..frac_part.len().min(18)];
            let frac: i128 = digits.parse().map_err(|_| bad())?;
            value += frac * unit / 10i128.pow(digits.len() as u32);
        }
        total = total.checked_add(value).ok_or_else(bad)?;
        if total > i64::MAX as i128 + 1 {
            return Err(bad());
        }
    }
    let total = if neg { -total } else { total };
    i64::try_from(total).map_err(|_| bad())
}

/// Go `Duration.String()`: `0s`, `300ns`, `1.5µs`, `100ms`, `1.5s`, `5m0s`, `1h0m0s`.
pub fn format_duration(ns: i64) -> String {
    if ns == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    if ns < 0 {
        out.push('-');
    }
    let u = ns.unsigned_abs();
    if u < 1_000_000_000 {
        let (unit, prec) = if u < 1_000 {
            ("ns", 0)
        } else if u < 1_000_000 {
            ("µs", 3)
        } else {
            ("ms", 6)
        };
        let scale = 10u64.pow(prec);
        out.push_str(&(u / scale).to_string());
        push_fraction(&mut out, u % scale, prec);
        out.push_str(unit);
        return out;
    }
    let secs = u / 1_000_000_000;
    let (hours, minutes, seconds) = (secs / 3600, (secs / 60) % 60, secs % 60);
    if hours > 0 {
        out.push_str(&format!("{hours}h"));
    }
    if secs >= 60 {
        out.push_str(&format!("{minutes}m"));
    }
    out.push_str(&seconds.to_string());
    push_fraction(&mut out, u % 1_000_000_000, 9);
    out.push('s');
    out
}

/// `.ddd` with `prec` digits, trailing zeros removed; nothing for a zero fraction.
fn push_fraction(out: &mut String, frac: u64, prec: u32) {
    if frac == 0 {
        return;
    }
    let digits = format!("{frac:0width$}", width = prec as usize);
    out.push('.');
    out.push_str(digits.trim_end_matches('0'));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_integers_are_nanoseconds() {
        assert_eq!(parse_duration("300"), Ok(300));
        assert_eq!(parse_duration(""), Ok(0));
        assert_eq!(parse_duration("*unlimited"), Ok(-1));
        assert_eq!(parse_duration("-5"), Ok(-5));
    }

    #[test]
    fn go_syntax() {
        assert_eq!(parse_duration("300s"), Ok(300_000_000_000));
        assert_eq!(parse_duration("1h2m3s"), Ok(3_723_000_000_000));
        assert_eq!(parse_duration("1.5ms"), Ok(1_500_000));
        assert_eq!(parse_duration("2µs"), Ok(2_000));
        assert_eq!(parse_duration("-1.5h"), Ok(-5_400_000_000_000));
        assert_eq!(parse_duration(".5s"), Ok(500_000_000));
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("1.5").is_err());
    }

    #[test]
    fn go_string_form() {
        assert_eq!(format_duration(0), "0s");
        assert_eq!(format_duration(300_000_000_000), "5m0s");
        assert_eq!(format_duration(3_600_000_000_000), "1h0m0s");
        assert_eq!(format_duration(1_500_000_000), "1.5s");
        assert_eq!(format_duration(10_000_000_000), "10s");
        assert_eq!(format_duration(300), "300ns");
        assert_eq!(format_duration(1_500), "1.5µs");
        assert_eq!(format_duration(100_000_000), "100ms");
        assert_eq!(format_duration(-1), "-1ns");
        assert_eq!(format_duration(3_723_000_000_001), "1h2m3.000000001s");
    }

    proptest::proptest! {
        #[test]
        fn format_then_parse_round_trips(ns in proptest::prelude::any::<i64>()) {
            proptest::prop_assume!(ns != i64::MIN);
            proptest::prop_assert_eq!(parse_go_duration(&format_duration(ns)), Ok(ns));
        }
    }
}
