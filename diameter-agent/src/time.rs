//! Instants as CGRateS reads and prints them: the permissive time parser
//! (`ParseTimeDetectLayout`), RFC 3339 text and Go reference layouts (`2006-01-02T15:04:05Z07:00`).
//!
//! Time zones: `UTC`, `Local` (taken as UTC: the agent does not read the system zone
//! database), the empty string (the caller's default) and fixed offsets (`+02:00`, `-0530`).

use diameter_runtime::wire::time::{civil_from_days, days_from_civil};
use std::cmp::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::duration::parse_go_duration;

const NANOS_PER_SEC: i64 = 1_000_000_000;
const SECS_PER_DAY: i64 = 86_400;
/// Unix seconds of Go's zero time, 0001-01-01T00:00:00Z.
const GO_ZERO_UNIX: i64 = -62_135_596_800;

/// An instant with nanoseconds and the UTC offset it is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    secs: i64,
    nanos: u32,
    /// Offset from UTC in seconds, used when printing.
    offset: i32,
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    /// Chronological order, whatever the offsets.
    fn cmp(&self, other: &Self) -> Ordering {
        (self.secs, self.nanos).cmp(&(other.secs, other.nanos))
    }
}

/// A time zone: a fixed offset from UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Zone {
    /// Offset from UTC in seconds.
    pub offset: i32,
}

impl Zone {
    /// UTC.
    pub const UTC: Zone = Zone { offset: 0 };

    /// Parse a zone name: `""`, `UTC`, `Local` (UTC), `Z`, or a fixed offset `±hh:mm` / `±hhmm` / `±hh`.
    pub fn parse(name: &str) -> Result<Zone, String> {
        match name.trim() {
            "" | "UTC" | "Local" | "Z" | "GMT" | "Etc/UTC" => Ok(Zone::UTC),
            other => parse_offset(other)
                .map(|offset| Zone { offset })
                .ok_or_else(|| {
                    format!(
                        "unsupported time zone `{other}`: use UTC, Local or a fixed offset such as +02:00"
                    )
                }),
        }
    }
}

fn parse_offset(text: &str) -> Option<i32> {
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = text[1..].chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i32>().ok()?, 0),
        4 => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    (h < 24 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

impl Timestamp {
    /// The instant `secs` + `nanos` after the Unix epoch, shown in UTC.
    pub fn from_unix(secs: i64, nanos: u32) -> Timestamp {
        Timestamp {
            secs: secs + i64::from(nanos) / NANOS_PER_SEC,
            nanos: nanos % NANOS_PER_SEC as u32,
            offset: 0,
        }
    }

    /// The current time, in UTC.
    pub fn now() -> Timestamp {
        let d = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp::from_unix(d.as_secs() as i64, d.subsec_nanos())
    }

    /// Go's zero time, 0001-01-01T00:00:00Z (what CGRateS makes of `""` and `"0"`).
    pub fn zero() -> Timestamp {
        Timestamp::from_unix(GO_ZERO_UNIX, 0)
    }

    /// Whether this is Go's zero time.
    pub fn is_zero(&self) -> bool {
        self.secs == GO_ZERO_UNIX && self.nanos == 0
    }

    /// Seconds since the Unix epoch (floored).
    pub fn unix(&self) -> i64 {
        self.secs
    }

    /// Nanoseconds since the Unix epoch.
    pub fn unix_nanos(&self) -> i128 {
        i128::from(self.secs) * i128::from(NANOS_PER_SEC) + i128::from(self.nanos)
    }

    /// The same instant shown in `zone`.
    pub fn in_zone(self, zone: Zone) -> Timestamp {
        Timestamp {
            offset: zone.offset,
            ..self
        }
    }

    /// This instant plus `ns` nanoseconds.
    pub fn add_nanos(self, ns: i64) -> Timestamp {
        let total = self.unix_nanos() + i128::from(ns);
        let secs = total.div_euclid(i128::from(NANOS_PER_SEC)) as i64;
        let nanos = total.rem_euclid(i128::from(NANOS_PER_SEC)) as u32;
        Timestamp {
            secs,
            nanos,
            offset: self.offset,
        }
    }

    /// `self - other` in nanoseconds, saturated to the i64 range (as Go's `Time.Sub`).
    pub fn sub(&self, other: &Timestamp) -> i64 {
        let d = self.unix_nanos() - other.unix_nanos();
        d.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }

    /// Add years, months and days with Go's `AddDate` normalisation (Jan 31 + 1 month = Mar 3).
    pub fn add_date(self, years: i64, months: i64, days: i64) -> Timestamp {
        let c = self.civil();
        let month0 = i64::from(c.month) - 1 + months;
        let year = c.year + years + month0.div_euclid(12);
        let month = month0.rem_euclid(12) as u32 + 1;
        let day_count = days_from_civil(year, month, 1) + i64::from(c.day) - 1 + days;
        let local = day_count * SECS_PER_DAY + c.second_of_day;
        Timestamp {
            secs: local - i64::from(self.offset),
            nanos: self.nanos,
            offset: self.offset,
        }
    }

    /// Go `time.RFC3339` (`2006-01-02T15:04:05Z07:00`): whole seconds, `Z` for UTC.
    pub fn rfc3339(&self) -> String {
        self.rfc3339_with(false)
    }

    /// Go `time.RFC3339Nano`, as Go's JSON encoding writes times.
    pub fn rfc3339_nano(&self) -> String {
        self.rfc3339_with(true)
    }

    /// RFC 3339 without going through the layout engine (it is on every request's path).
    fn rfc3339_with(&self, nanos: bool) -> String {
        fn digits(out: &mut String, value: i64, width: usize) {
            let mut buf = [b'0'; 20];
            let mut v = value.unsigned_abs();
            let mut i = buf.len();
            while v > 0 || buf.len() - i < width {
                i -= 1;
                buf[i] = b'0' + (v % 10) as u8;
                v /= 10;
            }
            if value < 0 {
                out.push('-');
            }
            out.push_str(std::str::from_utf8(&buf[i..]).expect("ASCII digits"));
        }
        let c = self.civil();
        let s = c.second_of_day;
        let mut out = String::with_capacity(36);
        digits(&mut out, c.year, 4);
        for (sep, v) in [
            ('-', i64::from(c.month)),
            ('-', i64::from(c.day)),
            ('T', s / 3600),
            (':', (s / 60) % 60),
            (':', s % 60),
        ] {
            out.push(sep);
            digits(&mut out, v, 2);
        }
        if nanos && self.nanos != 0 {
            let mut frac = String::with_capacity(9);
            digits(&mut frac, i64::from(self.nanos), 9);
            out.push('.');
            out.push_str(frac.trim_end_matches('0'));
        }
        push_offset(&mut out, self.offset, true, true, false, false);
        out
    }

    fn civil(&self) -> Civil {
        let local = self.secs + i64::from(self.offset);
        let days = local.div_euclid(SECS_PER_DAY);
        let second_of_day = local.rem_euclid(SECS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            second_of_day,
            weekday: (days + 4).rem_euclid(7) as usize,
            yday: (days - days_from_civil(year, 1, 1) + 1) as u32,
        }
    }

    /// Format with a Go reference layout (`2006-01-02 15:04:05.000 -0700 MST`, ...).
    pub fn format(&self, layout: &str) -> String {
        let c = self.civil();
        let (hour, minute, second) = (
            c.second_of_day / 3600,
            (c.second_of_day / 60) % 60,
            c.second_of_day % 60,
        );
        let mut out = String::with_capacity(layout.len() + 8);
        let mut rest = layout;
        while !rest.is_empty() {
            let (token, len) = next_token(rest);
            match token {
                Token::Literal => out.push_str(&rest[..len]),
                Token::LongYear => out.push_str(&format!("{:04}", c.year)),
                Token::Year => out.push_str(&format!("{:02}", c.year.rem_euclid(100))),
                Token::LongMonth => out.push_str(MONTHS[c.month as usize - 1]),
                Token::Month => out.push_str(&MONTHS[c.month as usize - 1][..3]),
                Token::NumMonth => out.push_str(&c.month.to_string()),
                Token::ZeroMonth => out.push_str(&format!("{:02}", c.month)),
                Token::LongWeekDay => out.push_str(WEEKDAYS[c.weekday]),
                Token::WeekDay => out.push_str(&WEEKDAYS[c.weekday][..3]),
                Token::Day => out.push_str(&c.day.to_string()),
                Token::UnderDay => out.push_str(&format!("{:>2}", c.day)),
                Token::ZeroDay => out.push_str(&format!("{:02}", c.day)),
                Token::ZeroYearDay => out.push_str(&format!("{:03}", c.yday)),
                Token::UnderYearDay => out.push_str(&format!("{:>3}", c.yday)),
                Token::Hour => out.push_str(&format!("{hour:02}")),
                Token::Hour12 => out.push_str(&hour12(hour).to_string()),
                Token::ZeroHour12 => out.push_str(&format!("{:02}", hour12(hour))),
                Token::Minute => out.push_str(&minute.to_string()),
                Token::ZeroMinute => out.push_str(&format!("{minute:02}")),
                Token::Second => out.push_str(&second.to_string()),
                Token::ZeroSecond => out.push_str(&format!("{second:02}")),
                Token::PM => out.push_str(if hour >= 12 { "PM" } else { "AM" }),
                Token::Pm => out.push_str(if hour >= 12 { "pm" } else { "am" }),
                Token::ZoneName => out.push_str(&zone_name(self.offset)),
                Token::Offset {
                    z,
                    colon,
                    seconds,
                    hours_only,
                } => push_offset(&mut out, self.offset, z, colon, seconds, hours_only),
                Token::Fraction { digits, trim, sep } => {
                    let frac = format!("{:09}", self.nanos);
                    let frac = &frac[..digits];
                    if trim {
                        let t = frac.trim_end_matches('0');
                        if !t.is_empty() {
                            out.push(sep);
                            out.push_str(t);
                        }
                    } else {
                        out.push(sep);
                        out.push_str(frac);
                    }
                }
            }
            rest = &rest[len..];
        }
        out
    }
}

impl std::fmt::Display for Timestamp {
    /// RFC 3339, as CGRateS prints times.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

struct Civil {
    year: i64,
    month: u32,
    day: u32,
    second_of_day: i64,
    weekday: usize,
    yday: u32,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

fn hour12(hour: i64) -> i64 {
    match hour % 12 {
        0 => 12,
        h => h,
    }
}

fn zone_name(offset: i32) -> String {
    if offset == 0 {
        return "UTC".to_string();
    }
    let mut s = String::new();
    push_offset(&mut s, offset, false, false, false, false);
    s
}

fn push_offset(
    out: &mut String,
    offset: i32,
    z: bool,
    colon: bool,
    seconds: bool,
    hours_only: bool,
) {
    if z && offset == 0 {
        out.push('Z');
        return;
    }
    out.push(if offset < 0 { '-' } else { '+' });
    let a = offset.unsigned_abs();
    out.push_str(&format!("{:02}", a / 3600));
    if hours_only {
        return;
    }
    if colon {
        out.push(':');
    }
    out.push_str(&format!("{:02}", (a / 60) % 60));
    if seconds {
        if colon {
            out.push(':');
        }
        out.push_str(&format!("{:02}", a % 60));
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Token {
    Literal,
    LongYear,
    Year,
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    ZeroYearDay,
    UnderYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    PM,
    Pm,
    ZoneName,
    Offset {
        z: bool,
        colon: bool,
        seconds: bool,
        hours_only: bool,
    },
    Fraction {
        digits: usize,
        trim: bool,
        sep: char,
    },
}

/// The layout element at the start of `s` and its length (Go's `nextStdChunk`, one step).
fn next_token(s: &str) -> (Token, usize) {
    const TABLE: &[(&str, Token)] = &[
        ("January", Token::LongMonth),
        ("Jan", Token::Month),
        ("Monday", Token::LongWeekDay),
        ("Mon", Token::WeekDay),
        ("MST", Token::ZoneName),
        ("2006", Token::LongYear),
        ("002", Token::ZeroYearDay),
        ("01", Token::ZeroMonth),
        ("02", Token::ZeroDay),
        ("03", Token::ZeroHour12),
        ("04", Token::ZeroMinute),
        ("05", Token::ZeroSecond),
        ("06", Token::Year),
        ("15", Token::Hour),
        ("__2", Token::UnderYearDay),
        ("_2", Token::UnderDay),
        ("1", Token::NumMonth),
        ("2", Token::Day),
        ("3", Token::Hour12),
        ("4", Token::Minute),
        ("5", Token::Second),
        ("PM", Token::PM),
        ("pm", Token::Pm),
    ];
    const OFFSETS: &[(&str, bool, bool, bool, bool)] = &[
        ("Z07:00:00", true, true, true, false),
        ("-07:00:00", false, true, true, false),
        ("Z070000", true, false, true, false),
        ("-070000", false, false, true, false),
        ("Z07:00", true, true, false, false),
        ("-07:00", false, true, false, false),
        ("Z0700", true, false, false, false),
        ("-0700", false, false, false, false),
        ("Z07", true, false, false, true),
        ("-07", false, false, false, true),
    ];
    for (text, z, colon, seconds, hours_only) in OFFSETS {
        if s.starts_with(text) {
            let token = Token::Offset {
                z: *z,
                colon: *colon,
                seconds: *seconds,
                hours_only: *hours_only,
            };
            return (token, text.len());
        }
    }
    let bytes = s.as_bytes();
    if (bytes[0] == b'.' || bytes[0] == b',') && bytes.len() > 1 && matches!(bytes[1], b'0' | b'9')
    {
        let digit = bytes[1];
        let n = bytes[1..].iter().take_while(|b| **b == digit).count();
        let next_is_digit = bytes.get(1 + n).is_some_and(u8::is_ascii_digit);
        if !next_is_digit {
            let token = Token::Fraction {
                digits: n.min(9),
                trim: digit == b'9',
                sep: bytes[0] as char,
            };
            return (token, 1 + n);
        }
    }
    for (text, token) in TABLE {
        if s.starts_with(text) {
            return (*token, text.len());
        }
    }
    (Token::Literal, s.chars().next().map_or(1, char::len_utf8))
}

/// CGRateS' `ParseTimeDetectLayout`: the formats a time can be written in, in `zone` when the
/// text carries no offset.
///
/// `""`/`"0"` (zero time), `*now`, `+1h`/`-30m` (relative to now), `*daily`, `*monthly`,
/// `*yearly`, RFC 3339 (with or without fraction/offset, `T` or space separator, also Go's
/// `2006-01-02 15:04:05 -0700 MST`), `2006-01-02`, `20060102150405`, Unix seconds (10 digits,
/// optionally with a fraction), milliseconds (13 digits) and nanoseconds (19 digits).
pub fn parse_time(text: &str, zone: Zone) -> Result<Timestamp, String> {
    let s = text.trim();
    let unsupported = || format!("Unsupported time format: <{text}>");
    match s {
        "" | "0" => return Ok(Timestamp::zero()),
        "*now" => return Ok(Timestamp::now()),
        "*daily" => return Ok(Timestamp::now().add_nanos(SECS_PER_DAY * NANOS_PER_SEC)),
        "*monthly" => return Ok(Timestamp::now().add_date(0, 1, 0)),
        "*yearly" => return Ok(Timestamp::now().add_date(1, 0, 0)),
        _ => {}
    }
    if s.starts_with('+') || s.starts_with('-') {
        let d = parse_go_duration(s).map_err(|_| unsupported())?;
        return Ok(Timestamp::now().add_nanos(d));
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = s.parse().map_err(|_| unsupported())?;
        return match s.len() {
            10 => Ok(Timestamp::from_unix(n, 0)),
            13 => Ok(Timestamp::from_unix(
                n.div_euclid(1000),
                (n.rem_euclid(1000) * 1_000_000) as u32,
            )),
            19 => Ok(Timestamp::from_unix(
                n.div_euclid(NANOS_PER_SEC),
                n.rem_euclid(NANOS_PER_SEC) as u32,
            )),
            14 => civil_time(
                n / 10_000_000_000,
                (n / 100_000_000 % 100) as u32,
                (n / 1_000_000 % 100) as u32,
                n / 10_000 % 100,
                n / 100 % 100,
                n % 100,
                0,
                zone.offset,
            )
            .ok_or_else(unsupported),
            _ => Err(unsupported()),
        };
    }
    if let Some((secs, frac)) = s.split_once('.') {
        if secs.len() == 10
            && secs.bytes().all(|b| b.is_ascii_digit())
            && !frac.is_empty()
            && frac.bytes().all(|b| b.is_ascii_digit())
        {
            let nanos = fraction_nanos(frac);
            return Ok(Timestamp::from_unix(
                secs.parse().map_err(|_| unsupported())?,
                nanos,
            ));
        }
    }
    parse_datetime(s, zone).ok_or_else(unsupported)
}

fn fraction_nanos(frac: &str) -> u32 {
    let digits = &frac[..frac.len().min(9)];
    let n: u32 = digits.parse().unwrap_or(0);
    n * 10u32.pow(9 - digits.len() as u32)
}

#[allow(clippy::too_many_arguments)]
fn civil_time(
    year: i64,
    month: u32,
    day: u32,
    hour: i64,
    minute: i64,
    second: i64,
    nanos: u32,
    offset: i32,
) -> Option<Timestamp> {
    let valid = (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month)
        && (0..24).contains(&hour)
        && (0..60).contains(&minute)
        && (0..=60).contains(&second);
    if !valid {
        return None;
    }
    let local =
        days_from_civil(year, month, day) * SECS_PER_DAY + hour * 3600 + minute * 60 + second;
    Some(Timestamp {
        secs: local - i64::from(offset),
        nanos,
        offset,
    })
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `YYYY-MM-DD[(T| )hh:mm:ss[.frac][Z|±hh:mm|±hhmm| ±hhmm NAME| UTC]]`.
fn parse_datetime(s: &str, zone: Zone) -> Option<Timestamp> {
    let num = |t: &str| -> Option<i64> {
        (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok())?
    };
    let date = s.get(..10)?;
    let mut parts = date.split('-');
    let (y, mo, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || mo.len() != 2 || d.len() != 2 {
        return None;
    }
    let (year, month, day) = (num(y)?, num(mo)? as u32, num(d)? as u32);
    let rest = &s[10..];
    if rest.is_empty() {
        return civil_time(year, month, day, 0, 0, 0, 0, zone.offset);
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let clock = rest.get(..8)?;
    let mut parts = clock.split(':');
    let (h, mi, se) = (parts.next()?, parts.next()?, parts.next()?);
    if h.len() != 2 || mi.len() != 2 || se.len() != 2 {
        return None;
    }
    let mut rest = &rest[8..];
    let mut nanos = 0;
    if let Some(after) = rest.strip_prefix('.') {
        let n = after.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        nanos = fraction_nanos(&after[..n]);
        rest = &after[n..];
    }
    let offset = match rest.trim() {
        "" => zone.offset,
        "Z" | "z" | "UTC" => 0,
        zone_text => {
            // `+0000 UTC` (Go's Time.String) or a bare numeric offset.
            let first = zone_text.split_whitespace().next()?;
            parse_offset(first)?
        }
    };
    civil_time(year, month, day, num(h)?, num(mi)?, num(se)?, nanos, offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> Timestamp {
        parse_time(s, Zone::UTC).unwrap()
    }

    #[test]
    fn rfc3339_round_trip() {
        let t = utc("2024-01-02T03:04:05Z");
        assert_eq!(t.unix(), 1_704_164_645);
        assert_eq!(t.rfc3339(), "2024-01-02T03:04:05Z");
        let t = utc("2024-01-02T05:04:05+02:00");
        assert_eq!(t.unix(), 1_704_164_645);
        assert_eq!(t.rfc3339(), "2024-01-02T05:04:05+02:00");
    }

    #[test]
    fn detected_layouts() {
        assert_eq!(utc("1704164645").unix(), 1_704_164_645);
        assert_eq!(utc("1704164645000").unix(), 1_704_164_645);
        assert_eq!(utc("1704164645000000000").unix(), 1_704_164_645);
        assert_eq!(utc("20240102030405").unix(), 1_704_164_645);
        assert_eq!(utc("2024-01-02 03:04:05").unix(), 1_704_164_645);
        assert_eq!(utc("2024-01-02 03:04:05 +0000 UTC").unix(), 1_704_164_645);
        assert_eq!(
            utc("2024-01-02T03:04:05.5Z").rfc3339_nano(),
            "2024-01-02T03:04:05.5Z"
        );
        assert_eq!(utc("2024-01-02").unix(), 1_704_153_600);
        assert!(utc("").is_zero());
        assert!(utc("0").is_zero());
        assert_eq!(utc("").rfc3339(), "0001-01-01T00:00:00Z");
        assert!(parse_time("yesterday", Zone::UTC).is_err());
        assert!(parse_time("2024-13-01T00:00:00Z", Zone::UTC).is_err());
    }

    #[test]
    fn text_without_offset_is_in_the_given_zone() {
        let zone = Zone::parse("+02:00").unwrap();
        let t = parse_time("2024-01-02 05:04:05", zone).unwrap();
        assert_eq!(t.unix(), 1_704_164_645);
        assert!(Zone::parse("Europe/Berlin").is_err());
    }

    #[test]
    fn relative_times_follow_now() {
        let before = Timestamp::now();
        let t = utc("+1h");
        assert!(t.sub(&before) >= 3_600 * NANOS_PER_SEC);
    }

    #[test]
    fn go_layouts() {
        let t = utc("2024-03-09T15:04:05.123456789Z");
        assert_eq!(
            t.rfc3339_nano(),
            t.format("2006-01-02T15:04:05.999999999Z07:00")
        );
        assert_eq!(t.rfc3339(), t.format("2006-01-02T15:04:05Z07:00"));
        assert_eq!(t.format("2006-01-02 15:04:05"), "2024-03-09 15:04:05");
        assert_eq!(t.format("Mon Jan _2 3:4:5 PM 06"), "Sat Mar  9 3:4:5 PM 24");
        assert_eq!(t.format("Monday, January 2"), "Saturday, March 9");
        assert_eq!(t.format("15:04:05.000"), "15:04:05.123");
        assert_eq!(t.format("15:04:05.999"), "15:04:05.123");
        assert_eq!(t.format("-0700 MST"), "+0000 UTC");
        assert_eq!(t.format("002"), "069");
        assert_eq!(utc("2024-01-02T03:04:05Z").format("05.999"), "05");
    }

    #[test]
    fn add_date_normalises_like_go() {
        let t = utc("2024-01-31T10:00:00Z").add_date(0, 1, 0);
        assert_eq!(t.rfc3339(), "2024-03-02T10:00:00Z");
        let t = utc("2024-12-15T10:00:00Z").add_date(0, 1, 0);
        assert_eq!(t.rfc3339(), "2025-01-15T10:00:00Z");
    }
}
