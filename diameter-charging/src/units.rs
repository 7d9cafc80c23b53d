//! Amounts as the engine counts them: usage in the ToR's unit, money in micro-units.
//!
//! Usage follows CGRateS: every ToR carries its usage as a Go `time.Duration`, so a
//! *voice usage is nanoseconds, a *data usage is bytes (1 ns = 1 byte) and a *sms usage is
//! messages (1 ns = 1 message). Balances of a ToR are kept in that same unit.
//! Money (*monetary balances, rates, fees, costs) is an integer count of micro-units
//! (1.000001 = 1_000_001), so balances stay exact whatever the number of debits.

use std::fmt::Write as _;

/// ToR of voice calls; usage in nanoseconds.
pub const VOICE: &str = "*voice";
/// ToR of data sessions; usage in bytes.
pub const DATA: &str = "*data";
/// ToR of text messages; usage in messages.
pub const SMS: &str = "*sms";
/// The money balance, in micro-units.
pub const MONETARY: &str = "*monetary";
/// Wildcard matching any ToR, category or destination in a tariff.
pub const ANY: &str = "*any";

/// Micro-units in one unit of money.
pub const MICROS: i64 = 1_000_000;
/// Nanoseconds in one second.
pub const SECOND: i64 = 1_000_000_000;

/// Read a duration as CGRateS does: a bare integer is nanoseconds, `*unlimited` is -1,
/// anything else is Go syntax (`300s`, `1h2m`, `1.5ms`); empty text is 0.
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

/// Go `time.ParseDuration`: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, units ns, us, µs, ms, s, m, h
/// (a bare number is refused, except `0`); errors read like Go's.
pub fn parse_go_duration(text: &str) -> Result<i64, String> {
    let bad = || format!("time: invalid duration \"{text}\"");
    let (negative, mut rest) = match text.as_bytes().first() {
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
        let scale: i128 = match &rest[..unit_len] {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
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
        let mut value = int.checked_mul(scale).ok_or_else(bad)?;
        if !frac_part.is_empty() {
            let digits = &frac_part[..frac_part.len().min(18)];
            let frac: i128 = digits.parse().map_err(|_| bad())?;
            value += frac * scale / 10i128.pow(digits.len() as u32);
        }
        total = total.checked_add(value).ok_or_else(bad)?;
        if total > i64::MAX as i128 + 1 {
            return Err(bad());
        }
    }
    let total = if negative { -total } else { total };
    i64::try_from(total).map_err(|_| bad())
}

/// `digits[.digits]` times `scale`, truncating below 1; `None` when malformed.
fn parse_scaled(number: &str, scale: i128) -> Option<i128> {
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let int: i128 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut value = int.checked_mul(scale)?;
    let mut place = scale;
    for digit in frac.bytes().take(18) {
        place /= 10;
        value += i128::from(digit - b'0') * place;
    }
    Some(value)
}

/// Parse a decimal amount of money (`10`, `-0.5`, `0.000001`) into micro-units, exactly.
pub fn parse_money(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let bad = || format!("invalid amount \"{text}\" (a decimal number with at most 6 decimals)");
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if frac.len() > 6 && frac[6..].bytes().any(|b| b != b'0') {
        return Err(bad());
    }
    let value = parse_scaled(digits, i128::from(MICROS)).ok_or_else(bad)?;
    if int.is_empty() && frac.is_empty() {
        return Err(bad());
    }
    let value = i64::try_from(value).map_err(|_| bad())?;
    Ok(if negative { -value } else { value })
}

/// Micro-units as a decimal number (`1500000` -> `1.5`).
pub fn format_money(micros: i64) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let abs = micros.unsigned_abs();
    let int = abs / MICROS as u64;
    let frac = abs % MICROS as u64;
    if frac == 0 {
        return format!("{sign}{int}");
    }
    let frac = format!("{frac:06}");
    format!("{sign}{int}.{}", frac.trim_end_matches('0'))
}

/// Micro-units as a float, the way CGRateS replies carry costs.
pub fn money_to_f64(micros: i64) -> f64 {
    micros as f64 / MICROS as f64
}

/// Nanoseconds as Go prints a `time.Duration` (`5m0s`, `1.5s`, `300ns`, `0s`).
pub fn format_duration(ns: i64) -> String {
    if ns == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    if ns < 0 {
        out.push('-');
    }
    let abs = ns.unsigned_abs();
    if abs < 1_000 {
        let _ = write!(out, "{abs}ns");
        return out;
    }
    if abs < 1_000_000_000 {
        let (unit, scale) = if abs < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        out.push_str(&fraction(abs, scale));
        out.push_str(unit);
        return out;
    }
    let hours = abs / 3_600_000_000_000;
    let minutes = abs / 60_000_000_000 % 60;
    let seconds = abs % 60_000_000_000;
    if hours > 0 {
        let _ = write!(out, "{hours}h");
    }
    if hours > 0 || minutes > 0 {
        let _ = write!(out, "{minutes}m");
    }
    out.push_str(&fraction(seconds, 1_000_000_000));
    out.push('s');
    out
}

/// `value / scale` with the fractional digits Go would print (no trailing zeros).
fn fraction(value: u64, scale: u64) -> String {
    let int = value / scale;
    let frac = value % scale;
    if frac == 0 {
        return int.to_string();
    }
    let width = scale.ilog10() as usize;
    let digits = format!("{frac:0width$}");
    format!("{int}.{}", digits.trim_end_matches('0'))
}

/// A balance or usage of `tor` in the unit people read: seconds for *voice, decimal money
/// for *monetary, plain counts otherwise.
pub fn format_amount(tor: &str, value: i64) -> String {
    match tor {
        MONETARY => format_money(value),
        VOICE => format_duration(value),
        _ => value.to_string(),
    }
}

/// Read an amount of `tor` written by people: *monetary takes decimals; *voice takes a
/// number of seconds or a Go duration (`90s`, `1h`); other ToRs take whole units.
pub fn parse_amount(tor: &str, text: &str) -> Result<i64, String> {
    let text = text.trim();
    match tor {
        MONETARY => parse_money(text),
        VOICE => {
            if text
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
            {
                let micros =
                    parse_money(text).map_err(|_| format!("invalid seconds \"{text}\""))?;
                micros
                    .checked_mul(1_000)
                    .ok_or_else(|| format!("seconds out of range \"{text}\""))
            } else {
                parse_duration(text)
            }
        }
        _ => text
            .parse::<i64>()
            .map_err(|_| format!("invalid {tor} amount \"{text}\" (a whole number)")),
    }
}

/// Round `value` up to a multiple of `step` (`step` <= 1 leaves it unchanged).
pub fn round_up(value: i64, step: i64) -> i64 {
    if step <= 1 || value <= 0 {
        return value.max(0);
    }
    (value / step + i64::from(value % step != 0)).saturating_mul(step)
}

/// Round `value` down to a multiple of `step` (`step` <= 1 leaves it unchanged).
pub fn round_down(value: i64, step: i64) -> i64 {
    if step <= 1 || value <= 0 {
        return value.max(0);
    }
    value / step * step
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_cgrates() {
        assert_eq!(parse_duration("300"), Ok(300));
        assert_eq!(parse_duration("300s"), Ok(300 * SECOND));
        assert_eq!(parse_duration("1h2m3.5s"), Ok(3_723_500_000_000));
        assert_eq!(parse_duration("1.5ms"), Ok(1_500_000));
        assert_eq!(parse_duration("-2s"), Ok(-2 * SECOND));
        assert_eq!(parse_duration(""), Ok(0));
        assert_eq!(parse_duration("*unlimited"), Ok(-1));
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("12").is_ok());
        assert!(parse_duration("1.2.3s").is_err());
        assert_eq!(parse_go_duration("0"), Ok(0));
        assert_eq!(parse_go_duration(".5s"), Ok(500_000_000));
        assert_eq!(
            parse_go_duration("12"),
            Err("time: missing unit in duration \"12\"".into())
        );
        assert!(parse_go_duration("9223372036854775808ns").is_err());
        assert_eq!(parse_go_duration("-9223372036854775808ns"), Ok(i64::MIN));
    }

    #[test]
    fn durations_print_like_go() {
        assert_eq!(format_duration(300 * SECOND), "5m0s");
        assert_eq!(format_duration(1_500_000_000), "1.5s");
        assert_eq!(format_duration(3_723_500_000_000), "1h2m3.5s");
        assert_eq!(format_duration(300), "300ns");
        assert_eq!(format_duration(1_500_000), "1.5ms");
        assert_eq!(format_duration(-1), "-1ns");
        assert_eq!(format_duration(0), "0s");
    }

    #[test]
    fn money_is_exact() {
        assert_eq!(parse_money("10"), Ok(10_000_000));
        assert_eq!(parse_money("0.1"), Ok(100_000));
        assert_eq!(parse_money("-1.000001"), Ok(-1_000_001));
        assert_eq!(parse_money("2.50000000"), Ok(2_500_000));
        assert!(parse_money("0.0000001").is_err());
        assert!(parse_money("abc").is_err());
        assert!(parse_money(".").is_err());
        assert_eq!(format_money(1_500_000), "1.5");
        assert_eq!(format_money(-1_000_001), "-1.000001");
        assert_eq!(format_money(7_000_000), "7");
    }

    #[test]
    fn amounts_per_tor() {
        assert_eq!(parse_amount(VOICE, "90"), Ok(90 * SECOND));
        assert_eq!(parse_amount(VOICE, "1.5"), Ok(1_500_000_000));
        assert_eq!(parse_amount(VOICE, "1h"), Ok(3600 * SECOND));
        assert_eq!(parse_amount(DATA, "1048576"), Ok(1_048_576));
        assert!(parse_amount(SMS, "1.5").is_err());
        assert_eq!(parse_amount(MONETARY, "0.05"), Ok(50_000));
        assert_eq!(format_amount(VOICE, 90 * SECOND), "1m30s");
        assert_eq!(format_amount(MONETARY, 50_000), "0.05");
    }

    #[test]
    fn rounding() {
        assert_eq!(round_up(61, 60), 120);
        assert_eq!(round_up(60, 60), 60);
        assert_eq!(round_up(0, 60), 0);
        assert_eq!(round_down(119, 60), 60);
        assert_eq!(round_up(7, 1), 7);
    }
}
