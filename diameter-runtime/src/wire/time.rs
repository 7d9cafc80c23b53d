//! The RFC 6733 `Time` data type (§4.3.1): NTP seconds since 1900-01-01T00:00:00Z.
//!
//! The 32-bit NTP seconds counter wraps on 2036-02-07T06:28:16Z. Following RFC 2030 §3
//! (the convention the RFC 6733 Time type refers to), values with the most significant bit
//! set are in NTP era 0 (1968-01-20T03:14:08Z ..= 2036-02-07T06:28:15Z) and values with it
//! clear are in era 1 (2036-02-07T06:28:16Z ..= 2104-02-26T09:42:23Z).
//!
//! Civil-date conversions use the proleptic Gregorian calendar in UTC, without leap seconds.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::{BufMut, Bytes, BytesMut};

use super::value::ValueError;

/// Seconds from 1900-01-01T00:00:00Z (NTP epoch) to 1970-01-01T00:00:00Z (Unix epoch).
const NTP_UNIX_OFFSET: i64 = 2_208_988_800;
/// Length of one NTP era in seconds.
const ERA_SECONDS: i64 = 1 << 32;
const SECONDS_PER_DAY: i64 = 86_400;

/// A Diameter `Time` value: a 32-bit NTP seconds count, interpreted with the RFC 2030 era rule.
///
/// ```
/// use diameter_runtime::wire::Time;
///
/// let t: Time = "2024-01-02T03:04:05Z".parse().unwrap();
/// assert_eq!(t.ntp_seconds(), 0xe93d_fba5);
/// assert_eq!(t.to_unix(), 1_704_164_645);
/// assert_eq!(t.to_rfc3339(), "2024-01-02T03:04:05Z");
/// assert_eq!(t.python_str(), "2024-01-02 03:04:05");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Time {
    ntp_seconds: u32,
}

impl Time {
    /// Length of the encoded value in bytes.
    pub const ENCODED_LEN: usize = 4;
    /// The earliest representable instant as Unix seconds (1968-01-20T03:14:08Z, NTP 0x80000000).
    pub const MIN_UNIX: i64 = (1 << 31) - NTP_UNIX_OFFSET;
    /// The latest representable instant as Unix seconds (2104-02-26T09:42:23Z, NTP 0x7fffffff).
    pub const MAX_UNIX: i64 = (1 << 31) + ERA_SECONDS - 1 - NTP_UNIX_OFFSET;

    /// The time with the given raw NTP seconds (as carried on the wire).
    pub const fn from_ntp(ntp_seconds: u32) -> Time {
        Time { ntp_seconds }
    }

    /// The raw NTP seconds (as carried on the wire).
    pub const fn ntp_seconds(&self) -> u32 {
        self.ntp_seconds
    }

    /// The time at `secs` seconds since 1970-01-01T00:00:00Z.
    ///
    /// Fails outside [`Time::MIN_UNIX`]`..=`[`Time::MAX_UNIX`]
    /// (1968-01-20T03:14:08Z ..= 2104-02-26T09:42:23Z).
    pub fn from_unix(secs: i64) -> Result<Time, ValueError> {
        if !(Self::MIN_UNIX..=Self::MAX_UNIX).contains(&secs) {
            return Err(ValueError::new(format!(
                "time {secs} (Unix seconds) is outside the Diameter Time range \
                 1968-01-20T03:14:08Z..=2104-02-26T09:42:23Z"
            )));
        }
        // In range, secs + offset is in [2^31, 2^32 + 2^31): reduce modulo 2^32.
        let ntp = (secs + NTP_UNIX_OFFSET).rem_euclid(ERA_SECONDS);
        Ok(Time {
            ntp_seconds: ntp as u32,
        })
    }

    /// Seconds since 1970-01-01T00:00:00Z (negative before 1970).
    pub const fn to_unix(&self) -> i64 {
        let n = self.ntp_seconds as i64;
        if self.ntp_seconds & 0x8000_0000 != 0 {
            n - NTP_UNIX_OFFSET
        } else {
            n + ERA_SECONDS - NTP_UNIX_OFFSET
        }
    }

    /// The time from a UTC civil date and time of day.
    ///
    /// `second` may be 60 (a leap second, counted as the first second of the next minute).
    ///
    /// ```
    /// use diameter_runtime::wire::Time;
    /// let t = Time::from_utc(2024, 1, 2, 3, 4, 5).unwrap();
    /// assert_eq!(t.to_unix(), 1_704_164_645);
    /// ```
    pub fn from_utc(
        year: i32,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
    ) -> Result<Time, ValueError> {
        if !(1..=12).contains(&month) {
            return Err(ValueError::new(format!("invalid month {month}")));
        }
        if day == 0 || day > days_in_month(i64::from(year), month) {
            return Err(ValueError::new(format!(
                "invalid day {day} for {year:04}-{month:02}"
            )));
        }
        if hour > 23 || minute > 59 || second > 60 {
            return Err(ValueError::new(format!(
                "invalid time of day {hour:02}:{minute:02}:{second:02}"
            )));
        }
        let days = days_from_civil(i64::from(year), month, day);
        let secs = days * SECONDS_PER_DAY
            + i64::from(hour) * 3600
            + i64::from(minute) * 60
            + i64::from(second);
        Time::from_unix(secs)
    }

    /// The UTC civil date and time: `(year, month, day, hour, minute, second)`.
    pub fn to_utc(&self) -> (i32, u32, u32, u32, u32, u32) {
        let secs = self.to_unix();
        let days = secs.div_euclid(SECONDS_PER_DAY);
        let tod = secs.rem_euclid(SECONDS_PER_DAY);
        let (y, m, d) = civil_from_days(days);
        (
            y as i32,
            m,
            d,
            (tod / 3600) as u32,
            (tod / 60 % 60) as u32,
            (tod % 60) as u32,
        )
    }

    /// The current time (saturated to the representable range).
    pub fn now() -> Time {
        let secs = match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
        };
        let secs = secs.clamp(Self::MIN_UNIX, Self::MAX_UNIX);
        Time::from_unix(secs).unwrap_or(Time::from_ntp(0))
    }

    /// This time as a [`SystemTime`].
    pub fn to_system_time(&self) -> SystemTime {
        let secs = self.to_unix();
        if secs >= 0 {
            UNIX_EPOCH + Duration::from_secs(secs as u64)
        } else {
            UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
        }
    }

    /// RFC 3339 in UTC with a `Z` suffix, e.g. `2024-01-02T03:04:05Z`.
    pub fn to_rfc3339(&self) -> String {
        let (y, mo, d, h, mi, s) = self.to_utc();
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }

    /// Python's `str(datetime)` of the UTC time, as python-diameter shows it,
    /// e.g. `2024-01-02 03:04:05`.
    pub fn python_str(&self) -> String {
        let (y, mo, d, h, mi, s) = self.to_utc();
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    }

    /// Decode the 4-byte wire form.
    pub fn decode(data: &[u8]) -> Result<Time, ValueError> {
        let bytes: [u8; 4] = data
            .try_into()
            .map_err(|_| ValueError::new(format!("Time must be 4 bytes, got {}", data.len())))?;
        Ok(Time::from_ntp(u32::from_be_bytes(bytes)))
    }

    /// Append the 4-byte wire form.
    pub fn encode(&self, out: &mut BytesMut) {
        out.put_u32(self.ntp_seconds);
    }

    /// The 4-byte wire form as [`Bytes`].
    pub fn to_bytes(&self) -> Bytes {
        Bytes::copy_from_slice(&self.ntp_seconds.to_be_bytes())
    }

    /// Length of the wire form: always 4.
    pub const fn encoded_len(&self) -> usize {
        Self::ENCODED_LEN
    }
}

impl fmt::Display for Time {
    /// Formats as [`Time::to_rfc3339`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl fmt::Debug for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Time({} ntp=0x{:08x})",
            self.to_rfc3339(),
            self.ntp_seconds
        )
    }
}

impl PartialOrd for Time {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Time {
    /// Chronological order (taking the NTP era into account).
    fn cmp(&self, other: &Self) -> Ordering {
        self.to_unix().cmp(&other.to_unix())
    }
}

impl TryFrom<SystemTime> for Time {
    type Error = ValueError;

    /// Truncates to whole seconds; fails outside the representable range.
    fn try_from(t: SystemTime) -> Result<Time, ValueError> {
        let secs = match t.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(e) => {
                // Floor towards the past for instants before 1970 with a fraction.
                let d = e.duration();
                let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                -whole - i64::from(d.subsec_nanos() > 0)
            }
        };
        Time::from_unix(secs)
    }
}

impl From<Time> for SystemTime {
    fn from(t: Time) -> SystemTime {
        t.to_system_time()
    }
}

impl FromStr for Time {
    type Err = ValueError;

    /// Parse an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
    ///
    /// The date/time separator may be `T`, `t` or a space; the offset may be `Z`, `z` or a
    /// numeric offset. As an extension, a missing offset means UTC, so that
    /// [`Time::python_str`] output parses back. Fractions of a second are truncated; a leap
    /// second (`:60`) counts as the first second of the next minute.
    fn from_str(s: &str) -> Result<Time, ValueError> {
        parse_rfc3339(s).map_err(|why| ValueError::new(format!("invalid time {s:?}: {why}")))
    }
}

fn parse_rfc3339(s: &str) -> Result<Time, String> {
    let b = s.as_bytes();
    if b.len() < 19 {
        return Err("too short for YYYY-MM-DDTHH:MM:SS".into());
    }
    let num = |range: std::ops::Range<usize>| -> Result<u32, String> {
        let part = &b[range];
        if part.iter().all(u8::is_ascii_digit) {
            Ok(part
                .iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')))
        } else {
            Err("expected digits".into())
        }
    };
    let expect = |i: usize, chars: &[u8]| -> Result<(), String> {
        if chars.contains(&b[i]) {
            Ok(())
        } else {
            Err(format!("unexpected character at position {i}"))
        }
    };
    let year = num(0..4)?;
    expect(4, b"-")?;
    let month = num(5..7)?;
    expect(7, b"-")?;
    let day = num(8..10)?;
    expect(10, b"Tt ")?;
    let hour = num(11..13)?;
    expect(13, b":")?;
    let minute = num(14..16)?;
    expect(16, b":")?;
    let second = num(17..19)?;
    let mut rest = &b[19..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let digits = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return Err("empty fraction of a second".into());
        }
        rest = &frac[digits..];
    }
    let offset_secs: i64 = match rest {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let digits = [*h1, *h2, *m1, *m2];
            if !digits.iter().all(u8::is_ascii_digit) {
                return Err("invalid UTC offset".into());
            }
            let oh = i64::from((h1 - b'0') * 10 + (h2 - b'0'));
            let om = i64::from((m1 - b'0') * 10 + (m2 - b'0'));
            if oh > 23 || om > 59 {
                return Err("invalid UTC offset".into());
            }
            let off = oh * 3600 + om * 60;
            if *sign == b'-' {
                -off
            } else {
                off
            }
        }
        _ => return Err("invalid UTC offset (expected Z or ±HH:MM)".into()),
    };
    if !(1..=12).contains(&month) {
        return Err(format!("invalid month {month}"));
    }
    if day == 0 || day > days_in_month(i64::from(year), month) {
        return Err(format!("invalid day {day}"));
    }
    if hour > 23 || minute > 59 || second > 60 {
        return Err("invalid time of day".into());
    }
    let secs = days_from_civil(i64::from(year), month, day) * SECONDS_PER_DAY
        + i64::from(hour) * 3600
        + i64::from(minute) * 60
        + i64::from(second)
        - offset_secs;
    Time::from_unix(secs).map_err(|e| e.reason().to_string())
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm); days past
/// the month's end roll over into the next month.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date `(year, month, day)` of a day count since 1970-01-01
/// (H. Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}
