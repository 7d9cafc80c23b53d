//! Rust names for dictionary names, and the rules that keep them unique.
//!
//! * Case: types and enum variants `UpperCamelCase`, fields and modules `snake_case`,
//!   constants `SHOUTY_SNAKE_CASE`. Words are the runs of letters and digits, each taken in
//!   lower case and joined by heck (`SMS-Information` -> `SmsInformation`, `sms_information`;
//!   `AoC-Request-Type` -> `AocRequestType`; `e-mail address` -> `EMailAddress`), so names
//!   read as python-diameter's; constants as python-diameter makes them (see [`shouty`]).
//! * A leading `3GPP` becomes `TGPP` (`Tgpp`, `tgpp`), as python-diameter and go-diameter
//!   spell it (`3GPP-IMSI` -> `TgppImsi`); any other leading digit is spelt out
//!   (`5GS-Thing` -> `FivegsThing`).
//! * Rust keywords get a trailing `_` (`type_`); a name with no letter or digit becomes
//!   `Avp<code>` / `Value<code>`.

use heck::{ToSnakeCase, ToUpperCamelCase};

const DIGITS: [&str; 10] = [
    "Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine",
];

const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Rewrite a leading `3gpp` / other digit of an identifier in `style`.
fn lead(ident: String, tgpp: &str, spell: impl Fn(&str) -> String) -> String {
    if ident.len() >= 4 && ident[..4].eq_ignore_ascii_case("3gpp") {
        return format!("{tgpp}{}", &ident[4..]);
    }
    match ident.chars().next() {
        Some(c) if c.is_ascii_digit() => {
            let word = spell(DIGITS[c as usize - '0' as usize]);
            format!("{word}{}", &ident[1..])
        }
        _ => ident,
    }
}

/// The name with each word (a run of letters and digits) in lower case, so that heck
/// splits only at separators: `AoC-Request-Type` -> `aoc-request-type` (`AocRequestType`,
/// `aoc_request_type`, as python-diameter's `aoc_request_type`), `MMTel` -> `Mmtel`.
fn words(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

/// `UpperCamelCase`; `None` when the name has no letter or digit.
pub fn camel(name: &str) -> Option<String> {
    let s = words(name).to_upper_camel_case();
    if s.is_empty() {
        return None;
    }
    let s = lead(s, "Tgpp", str::to_string);
    // `3gpp2` after `lead` gives `Tgpp2`; a digit right after the spelt word needs no fix.
    Some(upper_first(&s))
}

/// `snake_case`, keyword-safe; `None` when the name has no letter or digit.
pub fn snake(name: &str) -> Option<String> {
    let s = words(name).to_snake_case();
    if s.is_empty() {
        return None;
    }
    let s = lead(s, "tgpp", |w| format!("{}_", w.to_lowercase()));
    Some(unkeyword(s))
}

/// `SHOUTY_SNAKE_CASE` for the part of a constant name after its prefix (`AVP_`, ...), as
/// python-diameter makes its constants: upper case, every run of other characters than
/// letters and digits one `_` (`IPv4 Address` -> `IPV4_ADDRESS`). Digits may lead there;
/// only a leading `3GPP` is rewritten (`TGPP`).
pub fn shouty(name: &str) -> String {
    let mut s = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_uppercase());
        } else if !s.is_empty() && !s.ends_with('_') {
            s.push('_');
        }
    }
    while s.ends_with('_') {
        s.pop();
    }
    if s.len() >= 4 && s[..4].eq_ignore_ascii_case("3gpp") {
        format!("TGPP{}", &s[4..])
    } else {
        s
    }
}

/// A trailing `_` on Rust keywords.
pub fn unkeyword(s: String) -> String {
    if KEYWORDS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert_eq!(camel("SMS-Information").unwrap(), "SmsInformation");
        assert_eq!(camel("CC-Request-Type").unwrap(), "CcRequestType");
        assert_eq!(camel("3GPP-IMSI").unwrap(), "TgppImsi");
        assert_eq!(camel("3GPP2-BSID").unwrap(), "Tgpp2Bsid");
        assert_eq!(camel("5GS-Thing").unwrap(), "FivegsThing");
        assert_eq!(camel("e-mail address").unwrap(), "EMailAddress");
        assert_eq!(camel("AoC-Request-Type").unwrap(), "AocRequestType");
        assert_eq!(camel("IPv4 Address").unwrap(), "Ipv4Address");
        assert_eq!(snake("AoC-Request-Type").unwrap(), "aoc_request_type");
        assert_eq!(snake("MMTel-Information").unwrap(), "mmtel_information");
        assert_eq!(camel("END_USER_E164").unwrap(), "EndUserE164");
        assert_eq!(camel("--"), None);
        assert_eq!(snake("3GPP-IMSI").unwrap(), "tgpp_imsi");
        assert_eq!(snake("5GS-Thing").unwrap(), "five_gs_thing");
        assert_eq!(snake("Type").unwrap(), "type_");
        assert_eq!(snake("Credit-Control").unwrap(), "credit_control");
        assert_eq!(shouty("CC-Request-Type"), "CC_REQUEST_TYPE");
        assert_eq!(shouty("3GPP-IMSI"), "TGPP_IMSI");
        assert_eq!(shouty("IPv4 Address"), "IPV4_ADDRESS");
        assert_eq!(shouty("e-mail address"), "E_MAIL_ADDRESS");
    }
}
