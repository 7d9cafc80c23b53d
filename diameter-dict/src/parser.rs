//! Streaming parser of one go-diameter / CGRateS XML document into its items (no merging).
//!
//! Tolerance follows Go's `encoding/xml` decoding into go-diameter's `File` struct: the root
//! must be `<diameter>`, anything after the root element is never read, unknown elements
//! (with everything inside them) and unknown attributes are ignored, comments, processing
//! instructions and DOCTYPE are skipped. Elements are matched by local name, attributes too.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::dictionary::Diagnostic;
use crate::error::DictError;
use crate::flags::{parse_flag_set, parse_may_encrypt};
use crate::lines::Lines;
use crate::model::{
    AppKind, Application, AvpDef, CommandDef, DataType, EnumItem, FlagRules, Location, Rule, Vendor,
};
use crate::values::{parse_bool, parse_enum_code, parse_max, parse_min, parse_u32};

/// Everything one file defines, in document order.
#[derive(Debug, Default)]
pub(crate) struct ParsedDoc {
    pub apps: Vec<ParsedApp>,
    /// `<vendor>` elements, at the root or inside applications.
    pub vendors: Vec<Vendor>,
}

/// One `<application>` element and its content.
#[derive(Debug)]
pub(crate) struct ParsedApp {
    pub app: Application,
    pub commands: Vec<CommandDef>,
    pub avps: Vec<AvpDef>,
}

/// Parse `xml`; `source` names the document in locations. Returns the items and the
/// warnings (names that needed trimming).
pub(crate) fn parse(source: &str, xml: &str) -> Result<(ParsedDoc, Vec<Diagnostic>), DictError> {
    let mut parser = Parser {
        source,
        lines: Lines::new(xml),
        doc: ParsedDoc::default(),
        warnings: Vec::new(),
        stack: Vec::new(),
        open: Vec::new(),
        avp: None,
    };
    parser.run(xml)?;
    Ok((parser.doc, parser.warnings))
}

/// Where we are in the document: what the innermost open element is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Root,
    App,
    Command,
    Rules(Side),
    Avp,
    Data,
    /// An element whose content is ignored (unknown, or one with no known children).
    Skip,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Request,
    Answer,
}

/// An `<avp>` being read: its data type comes from a child element.
#[derive(Debug)]
struct PendingAvp {
    def: AvpDef,
    data_type: Option<DataType>,
}

struct Parser<'a> {
    source: &'a str,
    lines: Lines<'a>,
    doc: ParsedDoc,
    warnings: Vec<Diagnostic>,
    stack: Vec<Ctx>,
    /// Names of the open elements (for the "not closed" error).
    open: Vec<String>,
    avp: Option<PendingAvp>,
}

impl Parser<'_> {
    fn run(&mut self, xml: &str) -> Result<(), DictError> {
        let mut reader = Reader::from_str(xml);
        loop {
            let start = pos(reader.buffer_position());
            let event = match reader.read_event() {
                Ok(event) => event,
                Err(err) => {
                    let line = self.lines.line_at(pos(reader.error_position()));
                    return Err(self.invalid(line, format!("malformed XML: {err}")));
                }
            };
            match event {
                Event::Start(e) => {
                    let line = self.lines.line_at(start);
                    let ctx = self.open(&e, line)?;
                    self.stack.push(ctx);
                    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                    self.open.push(name);
                }
                Event::Empty(e) => {
                    let line = self.lines.line_at(start);
                    let ctx = self.open(&e, line)?;
                    self.close(ctx)?;
                    if ctx == Ctx::Root {
                        return Ok(());
                    }
                }
                Event::End(_) => {
                    // quick-xml checks that end tags match their start tags.
                    self.open.pop();
                    if let Some(ctx) = self.stack.pop() {
                        self.close(ctx)?;
                        if ctx == Ctx::Root {
                            // Like Go's Decoder.Decode: nothing after the root is read.
                            return Ok(());
                        }
                    }
                }
                Event::Eof => {
                    let line = self.lines.line_at(xml.len());
                    let message = match self.open.last() {
                        None => "no <diameter> root element".to_string(),
                        Some(name) => {
                            format!(
                                "malformed XML: unexpected end of document, <{name}> is not closed"
                            )
                        }
                    };
                    return Err(self.invalid(line, message));
                }
                _ => {}
            }
        }
    }

    /// Handle a start (or empty) element; returns the context its children are read in.
    fn open(&mut self, e: &BytesStart<'_>, line: u32) -> Result<Ctx, DictError> {
        let parent = self.stack.last().copied();
        let name = e.local_name();
        let ctx = match (parent, name.as_ref()) {
            (None, b"diameter") => Ctx::Root,
            (None, other) => {
                let other = String::from_utf8_lossy(other).into_owned();
                return Err(self.invalid(
                    line,
                    format!("root element is <{other}>, expected <diameter>"),
                ));
            }
            (Some(Ctx::Root), b"application") => {
                self.application(e, line)?;
                Ctx::App
            }
            (Some(Ctx::Root | Ctx::App), b"vendor") => {
                self.vendor(e, line)?;
                Ctx::Skip
            }
            (Some(Ctx::App), b"command") => {
                self.command(e, line)?;
                Ctx::Command
            }
            (Some(Ctx::App), b"avp") => {
                self.avp(e, line)?;
                Ctx::Avp
            }
            (Some(Ctx::Command), b"request") => Ctx::Rules(Side::Request),
            (Some(Ctx::Command), b"answer") => Ctx::Rules(Side::Answer),
            (Some(Ctx::Rules(side)), b"rule") => {
                let rule = self.rule(e, line)?;
                let cmd = self.current_app().commands.last_mut();
                let cmd = cmd.expect("a <request>/<answer> is inside a command");
                match side {
                    Side::Request => cmd.request.push(rule),
                    Side::Answer => cmd.answer.push(rule),
                }
                Ctx::Skip
            }
            (Some(Ctx::Avp), b"data") => {
                self.data(e, line)?;
                Ctx::Data
            }
            (Some(Ctx::Data), b"item") => {
                self.item(e, line)?;
                Ctx::Skip
            }
            (Some(Ctx::Data), b"rule") => {
                let rule = self.rule(e, line)?;
                self.pending_avp().def.rules.push(rule);
                Ctx::Skip
            }
            (Some(_), _) => Ctx::Skip,
        };
        Ok(ctx)
    }

    /// Handle the end of an element read in context `ctx`.
    fn close(&mut self, ctx: Ctx) -> Result<(), DictError> {
        if ctx != Ctx::Avp {
            return Ok(());
        }
        let PendingAvp { mut def, data_type } = self.avp.take().expect("<avp> was opened");
        match data_type {
            Some(t) => {
                def.data_type = t;
                self.current_app().avps.push(def);
                Ok(())
            }
            None => Err(self.invalid(
                def.location.line,
                format!(
                    "AVP `{}` (code {}): missing data type (<data type=\"...\">)",
                    def.name, def.code
                ),
            )),
        }
    }

    fn application(&mut self, e: &BytesStart<'_>, line: u32) -> Result<(), DictError> {
        let attrs = self.attrs(e, line)?;
        // go-diameter reads an absent id as 0.
        let id = match attrs.get("id") {
            None => 0,
            Some(v) => self.number(v, line, || "application id".to_string())?,
        };
        let kind = attrs.get("type").and_then(|t| match t.trim() {
            t if t.eq_ignore_ascii_case("auth") => Some(AppKind::Auth),
            t if t.eq_ignore_ascii_case("acct") => Some(AppKind::Acct),
            _ => None,
        });
        let name = attrs.get("name").unwrap_or("").trim().to_string();
        let location = self.location(line);
        self.doc.apps.push(ParsedApp {
            app: Application {
                id,
                kind,
                name,
                location,
            },
            commands: Vec::new(),
            avps: Vec::new(),
        });
        Ok(())
    }

    fn vendor(&mut self, e: &BytesStart<'_>, line: u32) -> Result<(), DictError> {
        let attrs = self.attrs(e, line)?;
        let id = match attrs.get("id") {
            None => 0,
            Some(v) => self.number(v, line, || "vendor id".to_string())?,
        };
        let name = attrs.get("name").unwrap_or("").trim().to_string();
        self.doc.vendors.push(Vendor { id, name });
        Ok(())
    }

    fn command(&mut self, e: &BytesStart<'_>, line: u32) -> Result<(), DictError> {
        let attrs = self.attrs(e, line)?;
        let name = self.name(attrs.get("name").unwrap_or(""), "command name", line);
        let short = self.name(attrs.get("short").unwrap_or(""), "command short name", line);
        let what = || format!("command `{name}`");
        let code = match attrs.get("code") {
            Some(v) if !v.trim().is_empty() => {
                self.number(v, line, || format!("{} code", what()))?
            }
            _ => return Err(self.missing(line, &what(), "code")),
        };
        let app_id = self.current_app().app.id;
        let location = self.location(line);
        self.current_app().commands.push(CommandDef {
            code,
            short,
            name,
            app_id,
            request: Vec::new(),
            answer: Vec::new(),
            location,
        });
        Ok(())
    }

    fn avp(&mut self, e: &BytesStart<'_>, line: u32) -> Result<(), DictError> {
        let attrs = self.attrs(e, line)?;
        let name = attrs.get("name").filter(|n| !n.trim().is_empty());
        let name = name.map(|n| self.name(n, "AVP name", line));
        let code = attrs.get("code").filter(|c| !c.trim().is_empty());
        let (name, code) = match (name, code) {
            (Some(name), Some(code)) => {
                let code = self.number(code, line, || format!("AVP `{name}` code"))?;
                (name, code)
            }
            (None, Some(code)) => {
                return Err(self.missing(line, &format!("AVP (code {})", code.trim()), "name"))
            }
            (Some(name), None) => return Err(self.missing(line, &format!("AVP `{name}`"), "code")),
            (None, None) => return Err(self.missing(line, "AVP", "name")),
        };
        let what = || format!("AVP `{name}` (code {code})");
        let vendor_id = match attrs.get("vendor-id") {
            Some(v) if !v.trim().is_empty() => {
                self.number(v, line, || format!("{} vendor-id", what()))?
            }
            _ => 0,
        };
        let flags = FlagRules {
            must: parse_flag_set(attrs.get("must").unwrap_or("")),
            may: parse_flag_set(attrs.get("may").unwrap_or("")),
            must_not: parse_flag_set(attrs.get("must-not").unwrap_or("")),
            may_encrypt: parse_may_encrypt(attrs.get("may-encrypt").unwrap_or("")),
        };
        let spec = attrs
            .get("spec")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let app_id = self.current_app().app.id;
        let location = self.location(line);
        self.avp = Some(PendingAvp {
            def: AvpDef {
                name,
                code,
                vendor_id,
                data_type: DataType::OctetString, // replaced when the AVP closes
                flags,
                items: Vec::new(),
                rules: Vec::new(),
                app_id,
                spec,
                location,
            },
            data_type: None,
        });
        Ok(())
    }

    fn data(&mut self, e: &BytesStart<'_>, line: u32) -> Result<(), DictError> {
        let attrs = self.attrs(e, line)?;
        let Some(type_name) = attrs.get("type") else {
            return Ok(());
        };
        let type_name = type_name.trim();
        match type_name.parse::<DataType>() {
            Ok(t) => {
                self.pending_avp().data_type = Some(t);
                Ok(())
            }
            Err(err) => {
                let def = &self.pending_avp().def;
                let message = format!("AVP `{}` (code {}): {err}", def.name, def.code);
                Err(self.invalid(line, message))
            }
        }
    }

    fn item(&mut self, e: &BytesStart<'_>, line: u32) -> Result<(), DictError> {
        let attrs = self.attrs(e, line)?;
        let name = self.name(attrs.get("name").unwrap_or(""), "item name", line);
        let code = match attrs.get("code") {
            Some(v) if !v.trim().is_empty() => match parse_enum_code(v) {
                Some(code) => code,
                None => {
                    let def = &self.pending_avp().def;
                    let message = format!(
                        "AVP `{}` (code {}) item `{name}` code `{v}`: invalid number",
                        def.name, def.code
                    );
                    return Err(self.invalid(line, message));
                }
            },
            _ => 0,
        };
        self.pending_avp().def.items.push(EnumItem { code, name });
        Ok(())
    }

    fn rule(&mut self, e: &BytesStart<'_>, line: u32) -> Result<Rule, DictError> {
        let attrs = self.attrs(e, line)?;
        let avp = self.name(attrs.get("avp").unwrap_or(""), "rule AVP name", line);
        let bad = |attr: &str, value: &str, kind: &str| {
            format!("rule `{avp}` {attr} `{value}`: invalid {kind}")
        };
        let vendor_id = match attrs.get("vendor-id") {
            Some(v) if !v.trim().is_empty() => match parse_u32(v) {
                Some(id) => Some(id),
                None => return Err(self.invalid(line, bad("vendor-id", v, "number"))),
            },
            _ => None,
        };
        let Some(required) = parse_bool(attrs.get("required")) else {
            let v = attrs.get("required").unwrap_or("");
            return Err(self.invalid(line, bad("required", v, "boolean")));
        };
        let Some(min) = parse_min(attrs.get("min")) else {
            let v = attrs.get("min").unwrap_or("");
            return Err(self.invalid(line, bad("min", v, "number")));
        };
        let Ok(mut max) = parse_max(attrs.get("max")) else {
            let v = attrs.get("max").unwrap_or("");
            return Err(self.invalid(line, bad("max", v, "number")));
        };
        // Project extension `allowed="false"`: the RFC's `0*0` (go-diameter reads `max`
        // 0 as unbounded, so the format has no other way to say it).
        let allowed = match attrs.get("allowed").map(str::trim) {
            None | Some("") => true,
            Some(v) => match parse_bool(Some(v)) {
                Some(allowed) => allowed,
                None => return Err(self.invalid(line, bad("allowed", v, "boolean"))),
            },
        };
        if !allowed {
            if required || min > 0 {
                let reason = format!("rule `{avp}` is both required and not allowed");
                return Err(self.invalid(line, reason));
            }
            max = Some(0);
        }
        Ok(Rule {
            avp,
            vendor_id,
            required,
            min,
            max,
            location: self.location(line),
        })
    }

    /// The attributes of an element, by local name, values unescaped. Duplicate attributes
    /// are tolerated (the last one wins, as with Go's decoder).
    fn attrs(&self, e: &BytesStart<'_>, line: u32) -> Result<Attrs, DictError> {
        let mut attrs = Attrs(Vec::new());
        for attr in e.attributes().with_checks(false) {
            let attr = attr.map_err(|err| self.invalid(line, format!("malformed XML: {err}")))?;
            let value = attr
                .unescape_value()
                .map_err(|err| self.invalid(line, format!("malformed XML: {err}")))?;
            let key = String::from_utf8_lossy(attr.key.local_name().as_ref()).into_owned();
            attrs.0.push((key, value.into_owned()));
        }
        Ok(attrs)
    }

    /// A name, trimmed; a warning when trimming changed it.
    fn name(&mut self, raw: &str, what: &str, line: u32) -> String {
        let trimmed = raw.trim();
        if trimmed.len() != raw.len() {
            let location = self.location(line);
            self.warnings.push(Diagnostic {
                location,
                message: format!("{what} `{raw}` has surrounding whitespace, read as `{trimmed}`"),
            });
        }
        trimmed.to_string()
    }

    fn number(
        &self,
        value: &str,
        line: u32,
        what: impl FnOnce() -> String,
    ) -> Result<u32, DictError> {
        parse_u32(value)
            .ok_or_else(|| self.invalid(line, format!("{} `{value}`: invalid number", what())))
    }

    fn current_app(&mut self) -> &mut ParsedApp {
        self.doc
            .apps
            .last_mut()
            .expect("commands and AVPs are read inside an application")
    }

    fn pending_avp(&mut self) -> &mut PendingAvp {
        self.avp.as_mut().expect("<data> is read inside an <avp>")
    }

    fn location(&self, line: u32) -> Location {
        Location {
            source: self.source.to_string(),
            line,
        }
    }

    fn invalid(&self, line: u32, message: String) -> DictError {
        DictError::Invalid {
            location: self.location(line),
            message,
        }
    }

    fn missing(&self, line: u32, what: &str, attr: &str) -> DictError {
        self.invalid(line, format!("{what}: missing attribute `{attr}`"))
    }
}

/// An element's attributes (local name, unescaped value).
struct Attrs(Vec<(String, String)>);

impl Attrs {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn pos(offset: u64) -> usize {
    usize::try_from(offset).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_get_their_own_line() {
        let xml = "<?xml version=\"1.0\"?>\n<diameter>\n  <application id=\"4\">\n\n    <avp name=\"A\" code=\"1\">\n      <data type=\"Grouped\">\n        <rule avp=\"B\"/>\n      </data>\n    </avp>\n  </application>\n</diameter>\n";
        let (doc, warnings) = parse("t.xml", xml).unwrap();
        assert!(warnings.is_empty());
        let app = &doc.apps[0];
        assert_eq!(app.app.location.line, 3);
        assert_eq!(app.avps[0].location.line, 5);
        assert_eq!(app.avps[0].rules[0].location.line, 7);
    }
}
