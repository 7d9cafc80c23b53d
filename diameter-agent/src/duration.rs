//! Durations as CGRateS reads and prints them (Go `time.Duration`: signed nanoseconds).
//!
//! Reading ([`parse_duration`]): empty text is 0, `*unlimited` is -1 ns, a bare integer is
//! **nanoseconds** (`"300"` = 300 ns), anything else is Go syntax (`300s`, `1h2m`, `1.5ms`).
//! Printing ([`format_duration`]) gives Go's `Duration.String()` (`5m0s`, `1.5s`, `300ns`).
//! The functions are the charging engine's ([`diameter_charging::units`]), so the agent and
//! the engine read every duration alike.

pub use diameter_charging::units::{format_duration, parse_duration, parse_go_duration};

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
