//! Readers for dictionary formats other than go-diameter's, for comparisons
//! ([`crate::compare`]): Wireshark XML (and the look-alike jDiameter and freeDiameter legacy
//! XML files, whose root is also `<dictionary>`) and freeDiameter's 3GPP CSV.
//!
//! These formats carry no multiplicities worth keeping, so only the AVP definitions are
//! read: name, code, vendor, base data type, the M flag rule and enumerated items.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::error::DictError;
use crate::flags::parse_flag_set;
use crate::lines::Lines;
use crate::model::{AvpDef, DataType, EnumItem, FlagRules, FlagSet, Location, Vendor};
use crate::values::{parse_enum_code, parse_u32};

/// The AVP definitions and vendors read from a dictionary in another format.
#[derive(Debug, Clone, Default)]
pub struct ForeignDict {
    /// Every AVP definition, in file order (the same (code, vendor) may appear twice).
    pub avps: Vec<AvpDef>,
    /// Vendors declared by the files (numeric id and display name).
    pub vendors: Vec<Vendor>,
}

/// Which reader a file needs, from its extension and its root element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// go-diameter / CGRateS XML (`<diameter>` root): load it with [`crate::Dictionary`].
    GoDiameter,
    /// Wireshark-style XML (`<dictionary>` root; jDiameter and freeDiameter legacy XML too).
    Wireshark,
    /// freeDiameter's `dict_dcca_3gpp.csv` layout.
    FreeDiameterCsv,
    /// Anything else (DTD, XSD, JSON, ...).
    Other,
}

/// The format of one file, sniffed from its extension and its root element.
pub fn detect(path: &Path) -> Result<Format, DictError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext.eq_ignore_ascii_case("csv") {
        return Ok(Format::FreeDiameterCsv);
    }
    if !ext.eq_ignore_ascii_case("xml") {
        return Ok(Format::Other);
    }
    let text = read(path)?;
    Ok(match root_element(&text).as_deref() {
        Some("diameter") => Format::GoDiameter,
        Some("dictionary") => Format::Wireshark,
        _ => Format::Other,
    })
}

/// The name of the first element of an XML text (after declarations, comments, DOCTYPE).
fn root_element(text: &str) -> Option<String> {
    let mut rest = text;
    loop {
        let start = rest.find('<')?;
        rest = &rest[start..];
        if let Some(body) = rest.strip_prefix("<!--") {
            rest = &body[body.find("-->")? + 3..];
        } else if rest.starts_with("<?") {
            rest = &rest[rest.find("?>")? + 2..];
        } else if rest.starts_with("<!") {
            rest = &rest[skip_doctype(rest)?..];
        } else {
            let name: String = rest[1..]
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
                .collect();
            return Some(name);
        }
    }
}

/// Length of a `<!DOCTYPE ...>` declaration, internal subset (`[...]`) included.
fn skip_doctype(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '>' if depth == 0 => return Some(i + 1),
            _ => {}
        }
    }
    None
}

fn read(path: &Path) -> Result<String, DictError> {
    std::fs::read_to_string(path).map_err(|source| DictError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Read a Wireshark dictionary: `dictionary.xml` of a folder, or one file. External
/// entities declared in the DOCTYPE (`<!ENTITY TGPP SYSTEM "TGPP.xml">`) are expanded from
/// files next to it, as Wireshark does.
pub fn read_wireshark(path: &Path) -> Result<ForeignDict, DictError> {
    let file = if path.is_dir() {
        path.join("dictionary.xml")
    } else {
        path.to_path_buf()
    };
    let text = expand_entities(&file, &read(&file)?)?;
    WiresharkReader::default().run(&file.display().to_string(), &text)
}

/// Replace `&name;` references to external entities by the referenced files' content
/// (without their XML declaration).
fn expand_entities(file: &Path, text: &str) -> Result<String, DictError> {
    let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut entities: Vec<(String, PathBuf)> = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("<!ENTITY") {
        rest = &rest[at + "<!ENTITY".len()..];
        let end = rest.find('>').unwrap_or(rest.len());
        let decl = &rest[..end];
        let mut words = decl.split_whitespace();
        let (Some(name), Some("SYSTEM")) = (words.next(), words.next()) else {
            continue;
        };
        if let Some(target) = decl.split('"').nth(1) {
            entities.push((name.to_string(), dir.join(target)));
        }
    }
    let mut out = text.to_string();
    for (name, target) in entities {
        let reference = format!("&{name};");
        if !out.contains(&reference) {
            continue;
        }
        let included = read(&target)?;
        let included = match included.find("?>") {
            Some(end) if included.trim_start().starts_with("<?xml") => &included[end + 2..],
            _ => included.as_str(),
        };
        out = out.replace(&reference, included);
    }
    Ok(out)
}

/// One AVP whose vendor may still be a symbol (vendors can be declared after their use).
struct RawAvp {
    def: AvpDef,
    vendor: Option<String>,
    type_name: Option<String>,
    grouped: bool,
}

#[derive(Default)]
struct WiresharkReader {
    /// Vendor symbol (`TGPP`) or numeric string -> id.
    vendor_ids: HashMap<String, u32>,
    vendors: Vec<Vendor>,
    /// Type name -> parent type name.
    typedefs: HashMap<String, String>,
    avps: Vec<RawAvp>,
    /// Vendor symbols of the open `<vendor>` elements (AVPs inside take that vendor).
    vendor_stack: Vec<Option<String>>,
    /// Open elements: `true` for `<vendor>`, to pop `vendor_stack` on close.
    open: Vec<bool>,
    /// The AVP being read.
    current: Option<RawAvp>,
}

impl WiresharkReader {
    fn run(mut self, source: &str, text: &str) -> Result<ForeignDict, DictError> {
        let mut lines = Lines::new(text);
        let mut reader = Reader::from_str(text);
        loop {
            let at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let line = lines.line_at(at);
            let location = Location {
                source: source.to_string(),
                line,
            };
            let event = reader.read_event().map_err(|e| DictError::Invalid {
                location: location.clone(),
                message: format!("malformed XML: {e}"),
            })?;
            match event {
                Event::Start(e) => {
                    let is_vendor = self.open_element(&e, location.clone());
                    self.open.push(is_vendor);
                }
                Event::Empty(e) => {
                    let is_vendor = self.open_element(&e, location.clone());
                    self.close_element(&e, is_vendor);
                }
                Event::End(e) => {
                    let is_vendor = self.open.pop().unwrap_or(false);
                    self.close_end(e.local_name().as_ref(), is_vendor);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(self.finish())
    }

    /// Handle a start tag; returns whether it opened a `<vendor>`.
    fn open_element(&mut self, e: &BytesStart<'_>, location: Location) -> bool {
        let attrs = attributes(e);
        let get = |k: &str| attrs.get(k).map(String::as_str);
        match e.local_name().as_ref() {
            b"vendor" => {
                let symbol = get("vendor-id").map(str::trim).map(str::to_string);
                let code = get("code").or(get("id")).and_then(parse_u32);
                if let Some(code) = code {
                    if let Some(symbol) = &symbol {
                        self.vendor_ids.insert(symbol.clone(), code);
                    }
                    let name = get("name").unwrap_or("").trim().to_string();
                    self.vendors.push(Vendor { id: code, name });
                }
                self.vendor_stack
                    .push(symbol.or_else(|| code.map(|c| c.to_string())));
                return true;
            }
            b"typedefn" => {
                if let (Some(name), Some(parent)) = (get("type-name"), get("type-parent")) {
                    self.typedefs
                        .insert(name.trim().to_string(), parent.trim().to_string());
                }
            }
            // jDiameter command members (`<avp name code vendor multiplicity>`) are not
            // definitions.
            b"avp" | b"avpdefn" if self.current.is_none() && get("multiplicity").is_none() => {
                let (Some(name), Some(code)) = (get("name"), get("code").and_then(parse_u32))
                else {
                    return false;
                };
                let vendor = get("vendor-id")
                    .map(|v| v.trim().to_string())
                    .or_else(|| self.vendor_stack.iter().rev().flatten().next().cloned());
                let must_m = matches!(get("mandatory").map(str::trim), Some("must"))
                    || get("must").is_some_and(|m| parse_flag_set(m).m);
                self.current = Some(RawAvp {
                    def: AvpDef {
                        name: name.trim().to_string(),
                        code,
                        vendor_id: 0,
                        data_type: DataType::OctetString,
                        flags: FlagRules {
                            must: FlagSet {
                                m: must_m,
                                ..FlagSet::default()
                            },
                            ..FlagRules::default()
                        },
                        items: Vec::new(),
                        rules: Vec::new(),
                        app_id: 0,
                        spec: None,
                        location,
                    },
                    vendor,
                    type_name: None,
                    grouped: false,
                });
            }
            b"type" => {
                if let (Some(avp), Some(t)) = (self.current.as_mut(), get("type-name")) {
                    avp.type_name = Some(t.trim().to_string());
                }
            }
            b"grouped" => {
                if let Some(avp) = self.current.as_mut() {
                    avp.grouped = true;
                }
            }
            b"enum" => {
                let code = get("code").and_then(parse_enum_code);
                if let (Some(avp), Some(code)) = (self.current.as_mut(), code) {
                    let name = get("name").unwrap_or("").trim().to_string();
                    avp.def.items.push(EnumItem { code, name });
                }
            }
            _ => {}
        }
        false
    }

    /// An empty element: open and close at once.
    fn close_element(&mut self, e: &BytesStart<'_>, is_vendor: bool) {
        self.close_end(e.local_name().as_ref(), is_vendor);
    }

    fn close_end(&mut self, name: &[u8], is_vendor: bool) {
        if is_vendor {
            self.vendor_stack.pop();
        }
        if matches!(name, b"avp" | b"avpdefn") {
            if let Some(avp) = self.current.take() {
                self.avps.push(avp);
            }
        }
    }

    fn finish(self) -> ForeignDict {
        let avps = self
            .avps
            .into_iter()
            .map(|raw| {
                let mut def = raw.def;
                def.vendor_id = match raw.vendor.as_deref() {
                    None => 0,
                    Some(v) => self
                        .vendor_ids
                        .get(v)
                        .copied()
                        .or_else(|| parse_u32(v))
                        .unwrap_or(0),
                };
                def.flags.must.v = def.vendor_id != 0;
                def.data_type = if raw.grouped {
                    DataType::Grouped
                } else {
                    resolve_type(raw.type_name.as_deref(), &self.typedefs)
                };
                def
            })
            .collect();
        ForeignDict {
            avps,
            vendors: self.vendors,
        }
    }
}

/// The base data type of a (possibly derived) type name: `AppId` -> Unsigned32,
/// `IPAddress` -> Address, unknown names follow their typedef parents, else OctetString.
fn resolve_type(name: Option<&str>, typedefs: &HashMap<String, String>) -> DataType {
    let mut name = name.unwrap_or("OctetString").to_string();
    for _ in 0..8 {
        if name.eq_ignore_ascii_case("IPAddress") {
            return DataType::Address;
        }
        if let Some(t) = DataType::ALL
            .iter()
            .find(|t| t.name().eq_ignore_ascii_case(&name))
        {
            return *t;
        }
        match typedefs.get(&name) {
            Some(parent) => name = parent.clone(),
            None => break,
        }
    }
    DataType::OctetString
}

fn attributes(e: &BytesStart<'_>) -> HashMap<String, String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .map(|a| {
            let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
            let value = a
                .unescape_value()
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned());
            (key, value)
        })
        .collect()
}

/// Read freeDiameter's CSV layout: `Name,Code,Section,Type,MUST,MAY,SHOULD NOT,MUST NOT`,
/// with `@vendor,<id>` and `@standard,<spec>` directives and `#` comment lines.
pub fn read_freediameter_csv(path: &Path) -> Result<ForeignDict, DictError> {
    let text = read(path)?;
    let source = path.display().to_string();
    let mut out = ForeignDict::default();
    let mut vendor = 0;
    let mut standard = String::new();
    for (ix, line) in text.lines().enumerate() {
        let fields = csv_fields(line);
        let first = fields.first().map(String::as_str).unwrap_or("");
        if first.is_empty() || first.starts_with('#') || first == "Attribute Name" {
            continue;
        }
        let field = |i: usize| fields.get(i).map(String::as_str).unwrap_or("");
        match first {
            "@vendor" => vendor = parse_u32(field(1)).unwrap_or(0),
            "@standard" => standard = field(1).to_string(),
            _ => {
                let Some(code) = parse_u32(field(1)) else {
                    continue;
                };
                let section = field(2).trim();
                let spec = format!("{standard} {section}").trim().to_string();
                out.avps.push(AvpDef {
                    name: first.trim().to_string(),
                    code,
                    vendor_id: vendor,
                    data_type: resolve_type(Some(field(3).trim()), &HashMap::new()),
                    flags: FlagRules {
                        must: parse_flag_set(field(4)),
                        may: parse_flag_set(field(5)),
                        must_not: parse_flag_set(field(7)),
                        may_encrypt: false,
                    },
                    items: Vec::new(),
                    rules: Vec::new(),
                    app_id: 0,
                    spec: (!spec.is_empty()).then_some(spec),
                    location: Location {
                        source: source.clone(),
                        line: u32::try_from(ix + 1).unwrap_or(u32::MAX),
                    },
                });
            }
        }
    }
    Ok(out)
}

/// The fields of one CSV line (double quotes group commas; `""` is a quote).
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().expect("one field").push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(String::new()),
            _ => fields.last_mut().expect("one field").push(c),
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_element_skips_prolog() {
        let text = "<?xml version=\"1.0\"?>\n<!-- c -->\n<!DOCTYPE d [ <!ENTITY a SYSTEM \"a.xml\"> ]>\n<dictionary>";
        assert_eq!(root_element(text).as_deref(), Some("dictionary"));
        assert_eq!(root_element("<diameter/>").as_deref(), Some("diameter"));
    }

    #[test]
    fn csv_quotes() {
        assert_eq!(
            csv_fields("A,1,\"M,V\",x"),
            ["A", "1", "M,V", "x"].map(String::from)
        );
    }

    #[test]
    fn types_follow_typedefs() {
        let typedefs = HashMap::from([
            ("AppId".to_string(), "Unsigned32".to_string()),
            ("Mine".to_string(), "AppId".to_string()),
        ]);
        assert_eq!(resolve_type(Some("Mine"), &typedefs), DataType::Unsigned32);
        assert_eq!(
            resolve_type(Some("IPAddress"), &typedefs),
            DataType::Address
        );
        assert_eq!(
            resolve_type(Some("QOSFilterRule"), &typedefs),
            DataType::QoSFilterRule
        );
        assert_eq!(
            resolve_type(Some("Bogus"), &typedefs),
            DataType::OctetString
        );
    }
}
