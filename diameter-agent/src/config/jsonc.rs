//! CGRateS' relaxed JSON: `//` and `/* */` comments outside strings, trailing commas before
//! `}` or `]`, and `*env:NAME` replaced by the environment variable `NAME`.
//!
//! Comments and dropped commas are replaced by spaces (newlines kept), so line and column
//! numbers of the cleaned text are those of the file.

/// Clean `text` into strict JSON. Errors: an unterminated `/*` comment or string, a missing
/// environment variable (with its 1-based line).
pub fn clean(text: &str) -> Result<String, (usize, String)> {
    let bytes = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    // Index in `out` of a comma that may still turn out to be trailing.
    let mut pending_comma: Option<usize> = None;
    let mut line = 1;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' => {
                pending_comma = None;
                let start_line = line;
                out.push(b);
                i += 1;
                loop {
                    let Some(&c) = bytes.get(i) else {
                        return Err((start_line, "unterminated string".to_string()));
                    };
                    if c == b'\\' {
                        out.push(c);
                        if let Some(&n) = bytes.get(i + 1) {
                            out.push(n);
                        }
                        i += 2;
                        continue;
                    }
                    if c == b'\n' {
                        line += 1;
                    }
                    if c == b'*' && text[i..].starts_with("*env:") {
                        let (value, used) = env_value(&text[i + 5..]).map_err(|e| (line, e))?;
                        out.extend_from_slice(value.as_bytes());
                        i += 5 + used;
                        continue;
                    }
                    out.push(c);
                    i += 1;
                    if c == b'"' {
                        break;
                    }
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    out.push(b' ');
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let start_line = line;
                out.extend_from_slice(b"  ");
                i += 2;
                loop {
                    match bytes.get(i) {
                        None => return Err((start_line, "unterminated /* comment".to_string())),
                        Some(b'*') if bytes.get(i + 1) == Some(&b'/') => {
                            out.extend_from_slice(b"  ");
                            i += 2;
                            break;
                        }
                        Some(b'\n') => {
                            line += 1;
                            out.push(b'\n');
                            i += 1;
                        }
                        Some(_) => {
                            out.push(b' ');
                            i += 1;
                        }
                    }
                }
            }
            b',' => {
                pending_comma = Some(out.len());
                out.push(b);
                i += 1;
            }
            b'}' | b']' => {
                if let Some(at) = pending_comma.take() {
                    out[at] = b' ';
                }
                out.push(b);
                i += 1;
            }
            b'*' if text[i..].starts_with("*env:") => {
                pending_comma = None;
                let (value, used) = env_value(&text[i + 5..]).map_err(|e| (line, e))?;
                out.extend_from_slice(value.as_bytes());
                i += 5 + used;
            }
            _ => {
                if b == b'\n' {
                    line += 1;
                }
                if !b.is_ascii_whitespace() {
                    pending_comma = None;
                }
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| (line, "invalid UTF-8".to_string()))
}

/// The value of the variable named at the start of `rest` and the length of the name.
fn env_value(rest: &str) -> Result<(String, usize), String> {
    let len = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    let name = &rest[..len];
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => Ok((v, len)),
        _ => Err(format!(
            "environment variable {name} is not set (*env:{name})"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::clean;

    fn parse(text: &str) -> serde_json::Value {
        serde_json::from_str(&clean(text).unwrap()).unwrap()
    }

    #[test]
    fn comments_and_trailing_commas() {
        let v = parse(
            "{\n // line comment\n \"a\": \"x//y\", /* block\n comment */ \"b\": [1, 2, ],\n \"c\": {\"d\": 1,},\n}",
        );
        assert_eq!(
            v,
            serde_json::json!({"a": "x//y", "b": [1, 2], "c": {"d": 1}})
        );
    }

    #[test]
    fn lines_are_kept() {
        let cleaned = clean("{/* a\nb */\n\"x\": 1}").unwrap();
        assert_eq!(cleaned.lines().count(), 3);
        let err = serde_json::from_str::<serde_json::Value>(&clean("{\n/*\n*/\n\"x\": }").unwrap())
            .unwrap_err();
        assert_eq!(err.line(), 4);
    }

    #[test]
    fn commas_inside_strings_stay() {
        let v = parse("{\"a\": \"1,]\"}");
        assert_eq!(v, serde_json::json!({"a": "1,]"}));
    }

    #[test]
    fn env_substitution() {
        std::env::set_var("DIAMETER_AGENT_TEST_HOST", "example.org");
        let v = parse("{\"h\": \"*env:DIAMETER_AGENT_TEST_HOST\"}");
        assert_eq!(v, serde_json::json!({"h": "example.org"}));
        assert!(clean("{\"h\": \"*env:DIAMETER_AGENT_TEST_UNSET_VAR\"}").is_err());
    }

    #[test]
    fn unterminated_comment() {
        assert_eq!(clean("{/* x").unwrap_err().0, 1);
    }
}
