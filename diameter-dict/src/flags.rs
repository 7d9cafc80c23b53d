//! Flag-rule strings (`must="M,V"`, `may="P"`, `must-not="V.M"`, `may-encrypt="Y"`).
//!
//! go-diameter never interprets these; the files hold free text such as `M,V`, `V.M`, `-` or
//! an empty string. We keep the V, M and P letters and ignore everything else.

use crate::model::FlagSet;

/// The V/M/P letters found in a flag string (case-insensitive); any other character is ignored.
pub(crate) fn parse_flag_set(s: &str) -> FlagSet {
    let mut set = FlagSet::default();
    for c in s.chars() {
        match c.to_ascii_uppercase() {
            'V' => set.v = true,
            'M' => set.m = true,
            'P' => set.p = true,
            _ => {}
        }
    }
    set
}

/// `may-encrypt`: true when the value starts with `Y` or `y` (`Y`, `y`, `Yes`); `N`, `-` or
/// empty are false.
pub(crate) fn parse_may_encrypt(s: &str) -> bool {
    s.trim_start().starts_with(['Y', 'y'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(v: bool, m: bool, p: bool) -> FlagSet {
        FlagSet { v, m, p }
    }

    #[test]
    fn flag_strings_seen_in_the_wild() {
        assert_eq!(parse_flag_set("M"), set(false, true, false));
        assert_eq!(parse_flag_set("M,V"), set(true, true, false));
        assert_eq!(parse_flag_set("V.M"), set(true, true, false));
        assert_eq!(parse_flag_set("P,V,M"), set(true, true, true));
        assert_eq!(parse_flag_set("-"), FlagSet::default());
        assert_eq!(parse_flag_set(""), FlagSet::default());
        assert_eq!(parse_flag_set(" p , m "), set(false, true, true));
    }

    #[test]
    fn may_encrypt() {
        assert!(parse_may_encrypt("Y"));
        assert!(parse_may_encrypt("y"));
        assert!(!parse_may_encrypt("N"));
        assert!(!parse_may_encrypt("-"));
        assert!(!parse_may_encrypt(""));
    }
}
