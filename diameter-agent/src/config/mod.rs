//! The agent configuration: CGRateS JSON (sections `general`, `diameter_agent`, `templates`).
//!
//! A configuration is one file or a folder of `*.json` files (walked recursively, in name
//! order) merged one after the other: keys of a section override the ones set before,
//! request processors with the same `id` are merged key by key, templates with the same id
//! replace each other. Both CGRateS v0.10 spellings (`listen`/`listen_net`,
//! `concurrent_requests`, `diameter_agent.templates`) and current ones (`listeners`,
//! `general.caps`, top-level `templates`) are accepted.
//!
//! ```
//! use diameter_agent::config::Config;
//! let cfg = Config::from_str("agent.json", r#"{
//!     // comments and trailing commas are allowed, as in CGRateS
//!     "diameter_agent": {"origin_host": "agent.example", "request_processors": [],},
//! }"#).unwrap();
//! assert_eq!(cfg.agent.origin_host, "agent.example");
//! assert_eq!(cfg.agent.origin_realm, "cgrates.org");
//! assert!(cfg.templates.contains_key("*cca"));
//! ```

mod defaults;
pub(crate) mod jsonc;
mod rpc_conns;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::ConfigError;

pub use defaults::default_templates;
pub use rpc_conns::{
    default_rpc_conns, RemoteHost, RpcConnConfig, Strategy, Transport, INTERNAL_CONNS,
};

/// Where an item of the configuration was defined.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Origin {
    /// File (or source name).
    pub file: String,
    /// JSON path of the item.
    pub path: String,
}

impl Origin {
    /// An error about `key` of this item (`key` empty: the item itself).
    pub fn error(&self, key: &str, reason: impl Into<String>) -> ConfigError {
        let path = if key.is_empty() {
            self.path.clone()
        } else {
            format!("{}.{key}", self.path)
        };
        ConfigError::new(self.file.clone(), path, reason)
    }
}

/// Section `general`: the settings the agent uses.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneralConfig {
    /// `node_id`, exposed as `~*vars.node_id`.
    pub node_id: String,
    /// `default_tenant` (`cgrates.org`).
    pub default_tenant: String,
    /// `default_timezone` (`Local`, taken as UTC).
    pub default_timezone: String,
    /// `rounding_decimals` (5), used by `*value_exponent`.
    pub rounding_decimals: i32,
    /// `rsr_separator` (`;`), separates the rules of a value.
    pub rsr_separator: String,
    /// `reply_timeout` (`2s`), as text: the limit of one call to a remote engine.
    pub reply_timeout: String,
    /// `connect_attempts` (5): connection attempts to a remote engine before giving up
    /// until a call needs it.
    pub connect_attempts: i64,
    /// `reconnects` (-1, unlimited): connection attempts after a link to a remote engine
    /// dropped.
    pub reconnects: i64,
    /// `connect_timeout` (`1s`), as text: the limit of one connection attempt.
    pub connect_timeout: String,
    /// `max_reconnect_interval` (`0`: the built-in cap of 5 s), as text: the longest delay
    /// between connection attempts.
    pub max_reconnect_interval: String,
    /// `caps`: global limit of requests in progress (0: none).
    pub caps: i64,
    /// `caps_strategy`: `*busy` (reject) or `*queue` (wait).
    pub caps_strategy: String,
}

impl Default for GeneralConfig {
    fn default() -> Self {
        GeneralConfig {
            node_id: String::new(),
            default_tenant: "cgrates.org".to_string(),
            default_timezone: "Local".to_string(),
            rounding_decimals: 5,
            rsr_separator: ";".to_string(),
            reply_timeout: "2s".to_string(),
            connect_attempts: 5,
            reconnects: -1,
            connect_timeout: "1s".to_string(),
            max_reconnect_interval: "0".to_string(),
            caps: 0,
            caps_strategy: "*busy".to_string(),
        }
    }
}

/// One listening address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    /// `address` (`127.0.0.1:3868`; empty host: all interfaces).
    pub address: String,
    /// `network`: `tcp` or `sctp`.
    pub network: String,
}

/// Section `diameter_agent`.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentConfig {
    /// `enabled`.
    pub enabled: bool,
    /// `listeners` (or v0.10 `listen` + `listen_net`).
    pub listeners: Vec<Listener>,
    /// `dictionaries_path`: a folder of extra dictionaries loaded on top of the built-in ones.
    /// `None` when not configured (the built-in dictionaries are complete on their own).
    pub dictionaries_path: Option<PathBuf>,
    /// `ce_applications`: applications advertised in CER/CEA (empty: all loaded).
    pub ce_applications: Vec<String>,
    /// `sessions_conns`.
    pub sessions_conns: Vec<String>,
    /// `origin_host` (`CGR-DA`).
    pub origin_host: String,
    /// `origin_realm` (`cgrates.org`).
    pub origin_realm: String,
    /// `vendor_id` (0).
    pub vendor_id: u32,
    /// `product_name` (`CGRateS`).
    pub product_name: String,
    /// `concurrent_requests` (v0.10; -1 = unlimited).
    pub concurrent_requests: i64,
    /// `synced_conn_requests`: one request at a time per connection.
    pub synced_conn_requests: bool,
    /// `asr_template` (empty: no ASR).
    pub asr_template: String,
    /// `rar_template` (empty: no RAR).
    pub rar_template: String,
    /// `forced_disconnect`: `*none`, `*asr` or `*rar`.
    pub forced_disconnect: String,
    /// `request_processors`, in order.
    pub request_processors: Vec<ProcessorConfig>,
}

impl Default for AgentConfig {
    fn default() -> Self {
        AgentConfig {
            enabled: false,
            listeners: vec![Listener {
                address: "127.0.0.1:3868".to_string(),
                network: "tcp".to_string(),
            }],
            dictionaries_path: None,
            ce_applications: Vec::new(),
            sessions_conns: vec!["*birpc_internal".to_string()],
            origin_host: "CGR-DA".to_string(),
            origin_realm: "cgrates.org".to_string(),
            vendor_id: 0,
            product_name: "CGRateS".to_string(),
            concurrent_requests: -1,
            synced_conn_requests: false,
            asr_template: String::new(),
            rar_template: String::new(),
            forced_disconnect: "*none".to_string(),
            request_processors: Vec::new(),
        }
    }
}

/// One request processor.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProcessorConfig {
    /// `id` (for logs; processors with one id merge across files).
    pub id: String,
    /// `filters`: all must pass.
    pub filters: Vec<String>,
    /// `tenant` (value rules; empty: `general.default_tenant`).
    pub tenant: String,
    /// `timezone` (empty: `general.default_timezone`).
    pub timezone: String,
    /// `flags`.
    pub flags: Vec<String>,
    /// `request_fields`.
    pub request_fields: Vec<FieldConfig>,
    /// `reply_fields`.
    pub reply_fields: Vec<FieldConfig>,
    /// Where it was defined.
    pub origin: Origin,
}

/// One field template (CGRateS FCTemplate).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FieldConfig {
    /// `tag` (defaults to `path`).
    pub tag: String,
    /// `path`: destination (`*cgreq.Usage`, `*rep.Result-Code`).
    pub path: String,
    /// `type` (`*variable`, `*constant`, ...).
    pub field_type: String,
    /// `value`: value rules.
    pub value: String,
    /// `filters`.
    pub filters: Vec<String>,
    /// `mandatory`.
    pub mandatory: bool,
    /// `new_branch`.
    pub new_branch: bool,
    /// `blocker`.
    pub blocker: bool,
    /// `width` (0: none).
    pub width: usize,
    /// `strip`: `*right`, `*xright`, `*left`, `*xleft`.
    pub strip: String,
    /// `padding`: `*right`, `*left`, `*zeroleft`.
    pub padding: String,
    /// `layout` for `*datetime` (default RFC 3339).
    pub layout: String,
    /// `timezone` for time parsing.
    pub timezone: String,
    /// `rounding_decimals` for `*value_exponent`.
    pub rounding_decimals: Option<i32>,
    /// `attribute_id`, `cost_shift_digits`, `mask_destinationd_id`, `mask_length`: accepted, unused here.
    pub attribute_id: String,
    /// Where it was defined.
    pub origin: Origin,
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Section `general`.
    pub general: GeneralConfig,
    /// Section `diameter_agent`.
    pub agent: AgentConfig,
    /// Templates by id: the defaults (`*err`, `*cca`, `*asr`, `*rar`) plus the configured ones.
    pub templates: BTreeMap<String, Vec<FieldConfig>>,
    /// Section `rpc_conns`: connections to remote engines by id, the built-in
    /// `*localhost` and `*bijson_localhost` included.
    pub rpc_conns: BTreeMap<String, RpcConnConfig>,
    /// The merged JSON as read (for `~*cfg`).
    pub raw: Value,
    /// Things accepted but probably wrong (unknown keys, both spellings of one setting).
    pub warnings: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            general: GeneralConfig::default(),
            agent: AgentConfig::default(),
            templates: default_templates(),
            rpc_conns: default_rpc_conns(),
            raw: Value::Object(Map::new()),
            warnings: Vec::new(),
        }
    }
}

impl Config {
    /// Load a file or a folder of `*.json` files.
    pub fn load(path: impl AsRef<Path>) -> Result<Config, ConfigError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let meta = std::fs::metadata(path)
            .map_err(|e| ConfigError::new(&shown, "", format!("cannot read: {e}")))?;
        let files = if meta.is_dir() {
            let mut files = Vec::new();
            json_files(path, &mut files)
                .map_err(|e| ConfigError::new(&shown, "", format!("cannot read folder: {e}")))?;
            if files.is_empty() {
                return Err(ConfigError::new(&shown, "", "no *.json file in the folder"));
            }
            files
        } else {
            vec![path.to_path_buf()]
        };
        let mut sources = Vec::new();
        for file in files {
            let name = file.display().to_string();
            let text = std::fs::read_to_string(&file)
                .map_err(|e| ConfigError::new(&name, "", format!("cannot read: {e}")))?;
            sources.push((name, text));
        }
        Config::from_sources(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())))
    }

    /// Parse one document; `name` names it in errors.
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(name: &str, text: &str) -> Result<Config, ConfigError> {
        Config::from_sources([(name, text)])
    }

    /// Merge documents in order (`(name, text)`), as a folder of files is merged.
    pub fn from_sources<'a>(
        sources: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Config, ConfigError> {
        let mut merger = Merger::default();
        for (name, text) in sources {
            let cleaned = jsonc::clean(text)
                .map_err(|(line, reason)| ConfigError::new(name, format!("line {line}"), reason))?;
            let value: Value = serde_json::from_str(&cleaned).map_err(|e| {
                ConfigError::new(
                    name,
                    format!("line {} column {}", e.line(), e.column()),
                    format!("invalid JSON: {e}"),
                )
            })?;
            let Value::Object(doc) = value else {
                return Err(ConfigError::new(
                    name,
                    "",
                    "the configuration must be a JSON object",
                ));
            };
            merger.merge(name, doc)?;
        }
        merger.finish()
    }

    /// The request limit and whether it comes from `general.caps`: `Some(n)` when requests
    /// beyond `n` in progress must be answered 3004 (DIAMETER_TOO_BUSY).
    pub fn concurrency_limit(&self) -> Option<usize> {
        if self.general.caps > 0 {
            return Some(self.general.caps as usize);
        }
        (self.agent.concurrent_requests >= 0).then_some(self.agent.concurrent_requests as usize)
    }
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    let (dirs, files): (Vec<_>, Vec<_>) = entries.into_iter().partition(|p| p.is_dir());
    out.extend(
        files
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "json")),
    );
    for d in dirs {
        json_files(&d, out)?;
    }
    Ok(())
}

/// Merges documents at the JSON level, remembering which file set what.
#[derive(Default)]
struct Merger {
    root: Map<String, Value>,
    /// JSON path prefix -> file that set it (the longest matching prefix names an error's file).
    provenance: Vec<(String, String)>,
    first_file: String,
}

impl Merger {
    fn merge(&mut self, file: &str, doc: Map<String, Value>) -> Result<(), ConfigError> {
        if self.first_file.is_empty() {
            self.first_file = file.to_string();
        }
        for (section, value) in doc {
            match (section.as_str(), value) {
                ("templates", Value::Object(tpls)) => self.merge_templates("templates", file, tpls),
                ("diameter_agent", Value::Object(da)) => self.merge_agent(file, da)?,
                (_, Value::Object(map)) => {
                    self.section(&section);
                    for (k, v) in map {
                        self.provenance
                            .push((format!("{section}.{k}"), file.to_string()));
                        self.section(&section).insert(k, v);
                    }
                }
                (_, _) => {
                    return Err(ConfigError::new(
                        file,
                        section,
                        "a section must be a JSON object",
                    ))
                }
            }
        }
        Ok(())
    }

    fn section(&mut self, name: &str) -> &mut Map<String, Value> {
        let slot = self
            .root
            .entry(name.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        slot.as_object_mut().expect("object")
    }

    fn merge_templates(&mut self, prefix: &str, file: &str, tpls: Map<String, Value>) {
        for (id, fields) in tpls {
            self.provenance
                .push((format!("{prefix}.{id}"), file.to_string()));
            let section = match prefix {
                "templates" => self.section("templates"),
                _ => {
                    let da = self.section("diameter_agent");
                    da.entry("templates")
                        .or_insert_with(|| Value::Object(Map::new()))
                        .as_object_mut()
                        .expect("templates object")
                }
            };
            section.insert(id, fields);
        }
    }

    fn merge_agent(&mut self, file: &str, da: Map<String, Value>) -> Result<(), ConfigError> {
        for (key, value) in da {
            match (key.as_str(), value) {
                ("request_processors", Value::Array(procs)) => {
                    for (i, proc_value) in procs.into_iter().enumerate() {
                        let Value::Object(proc_map) = proc_value else {
                            return Err(ConfigError::new(
                                file,
                                format!("diameter_agent.request_processors[{i}]"),
                                "a request processor must be a JSON object",
                            ));
                        };
                        self.merge_processor(file, proc_map);
                    }
                }
                ("request_processors", _) => {
                    return Err(ConfigError::new(
                        file,
                        "diameter_agent.request_processors",
                        "must be a list of request processors",
                    ))
                }
                ("templates", Value::Object(tpls)) => {
                    self.merge_templates("diameter_agent.templates", file, tpls)
                }
                (_, v) => {
                    self.provenance
                        .push((format!("diameter_agent.{key}"), file.to_string()));
                    self.section("diameter_agent").insert(key, v);
                }
            }
        }
        Ok(())
    }

    fn merge_processor(&mut self, file: &str, proc_map: Map<String, Value>) {
        let id = proc_map
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_string);
        let da = self.section("diameter_agent");
        let list = da
            .entry("request_processors")
            .or_insert_with(|| Value::Array(Vec::new()));
        if !list.is_array() {
            *list = Value::Array(Vec::new());
        }
        let list = list.as_array_mut().expect("array");
        let existing = id.as_ref().and_then(|id| {
            list.iter()
                .position(|p| p.get("id").and_then(Value::as_str) == Some(id.as_str()))
        });
        let index = match existing {
            Some(ix) => ix,
            None => {
                list.push(Value::Object(Map::new()));
                list.len() - 1
            }
        };
        let target = list[index].as_object_mut().expect("processor object");
        let mut keys = Vec::new();
        for (k, v) in proc_map {
            keys.push(k.clone());
            target.insert(k, v);
        }
        for k in keys {
            self.provenance.push((
                format!("diameter_agent.request_processors[{index}].{k}"),
                file.to_string(),
            ));
        }
        if existing.is_none() {
            self.provenance.push((
                format!("diameter_agent.request_processors[{index}]"),
                file.to_string(),
            ));
        }
    }

    fn finish(self) -> Result<Config, ConfigError> {
        let reader = Reader {
            provenance: &self.provenance,
            first_file: &self.first_file,
        };
        let mut warnings = Vec::new();
        let general = match self.root.get("general") {
            Some(v) => reader.general(v)?,
            None => GeneralConfig::default(),
        };
        let mut templates = default_templates();
        if let Some(Value::Object(da)) = self.root.get("diameter_agent") {
            if let Some(Value::Object(tpls)) = da.get("templates") {
                for (id, fields) in tpls {
                    let path = format!("diameter_agent.templates.{id}");
                    templates.insert(id.clone(), reader.fields(fields, &path, &mut warnings)?);
                }
            }
        }
        if let Some(Value::Object(tpls)) = self.root.get("templates") {
            for (id, fields) in tpls {
                let path = format!("templates.{id}");
                templates.insert(id.clone(), reader.fields(fields, &path, &mut warnings)?);
            }
        }
        let agent = match self.root.get("diameter_agent") {
            Some(v) => reader.agent(v, &mut warnings)?,
            None => AgentConfig::default(),
        };
        let rpc_conns = match self.root.get("rpc_conns") {
            Some(v) => reader.rpc_conns(v, &mut warnings)?,
            None => default_rpc_conns(),
        };
        reader.check_sessions_conns(&agent.sessions_conns, &rpc_conns)?;
        Ok(Config {
            general,
            agent,
            templates,
            rpc_conns,
            raw: Value::Object(self.root),
            warnings,
        })
    }
}

/// Reads the merged JSON into typed settings, naming file and path in errors.
struct Reader<'a> {
    provenance: &'a [(String, String)],
    first_file: &'a str,
}

fn is_prefix_path(prefix: &str, path: &str) -> bool {
    path == prefix
        || (path.starts_with(prefix) && matches!(path.as_bytes()[prefix.len()], b'.' | b'['))
}

impl Reader<'_> {
    fn file_of(&self, path: &str) -> &str {
        // The longest matching prefix; among equals, the last recorded (max_by_key keeps the last).
        self.provenance
            .iter()
            .filter(|(p, _)| is_prefix_path(p, path))
            .max_by_key(|(p, _)| p.len())
            .map_or(self.first_file, |(_, f)| f.as_str())
    }

    fn error(&self, path: &str, reason: impl Into<String>) -> ConfigError {
        ConfigError::new(self.file_of(path), path, reason)
    }

    fn origin(&self, path: &str) -> Origin {
        Origin {
            file: self.file_of(path).to_string(),
            path: path.to_string(),
        }
    }

    fn object<'v>(&self, v: &'v Value, path: &str) -> Result<&'v Map<String, Value>, ConfigError> {
        v.as_object()
            .ok_or_else(|| self.error(path, "expected a JSON object"))
    }

    fn string(&self, v: &Value, path: &str) -> Result<String, ConfigError> {
        match v {
            Value::String(s) => Ok(s.clone()),
            Value::Null => Ok(String::new()),
            _ => Err(self.error(path, format!("expected a string, found {v}"))),
        }
    }

    fn boolean(&self, v: &Value, path: &str) -> Result<bool, ConfigError> {
        v.as_bool()
            .ok_or_else(|| self.error(path, format!("expected true or false, found {v}")))
    }

    fn integer(&self, v: &Value, path: &str) -> Result<i64, ConfigError> {
        match v {
            Value::Number(n) if n.is_i64() => Ok(n.as_i64().expect("i64")),
            Value::String(s) if s.trim().parse::<i64>().is_ok() => {
                Ok(s.trim().parse().expect("int"))
            }
            _ => Err(self.error(path, format!("expected an integer, found {v}"))),
        }
    }

    fn strings(&self, v: &Value, path: &str) -> Result<Vec<String>, ConfigError> {
        match v {
            Value::Null => Ok(Vec::new()),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Value::String(s) => Ok(s.clone()),
                    _ => Err(self.error(
                        &format!("{path}[{i}]"),
                        format!("expected a string, found {item}"),
                    )),
                })
                .collect(),
            _ => Err(self.error(path, format!("expected a list of strings, found {v}"))),
        }
    }

    fn unknown(&self, path: &str, key: &str, warnings: &mut Vec<String>) {
        let full = format!("{path}.{key}");
        warnings.push(format!(
            "{}: {full}: unknown key, ignored",
            self.file_of(&full)
        ));
    }

    fn general(&self, v: &Value) -> Result<GeneralConfig, ConfigError> {
        let mut g = GeneralConfig::default();
        for (key, value) in self.object(v, "general")? {
            let path = format!("general.{key}");
            match key.as_str() {
                "node_id" => g.node_id = self.string(value, &path)?,
                "default_tenant" => g.default_tenant = self.string(value, &path)?,
                "default_timezone" => {
                    g.default_timezone = self.string(value, &path)?;
                    crate::time::Zone::parse(&g.default_timezone)
                        .map_err(|e| self.error(&path, e))?;
                }
                "rounding_decimals" => g.rounding_decimals = self.integer(value, &path)? as i32,
                "rsr_separator" => {
                    g.rsr_separator = self.string(value, &path)?;
                    if g.rsr_separator.chars().count() != 1 {
                        return Err(self.error(&path, "must be one character"));
                    }
                }
                "reply_timeout" => {
                    g.reply_timeout = self.duration(value, &path)?;
                    if crate::duration::parse_duration(&g.reply_timeout).unwrap_or(0) <= 0 {
                        return Err(self.error(&path, "must be a positive duration"));
                    }
                }
                "connect_attempts" => {
                    g.connect_attempts = self.integer(value, &path)?;
                    if g.connect_attempts < 1 {
                        return Err(self.error(&path, "must be at least 1"));
                    }
                }
                "reconnects" => g.reconnects = self.reconnects(value, &path)?,
                "connect_timeout" => g.connect_timeout = self.duration(value, &path)?,
                "max_reconnect_interval" => {
                    g.max_reconnect_interval = self.duration(value, &path)?
                }
                "caps" => g.caps = self.integer(value, &path)?,
                "caps_strategy" => {
                    g.caps_strategy = self.string(value, &path)?;
                    if !matches!(g.caps_strategy.as_str(), "*busy" | "*queue") {
                        return Err(self.error(&path, "must be *busy or *queue"));
                    }
                }
                // Other CGRateS general settings do not concern the agent.
                _ => {}
            }
        }
        Ok(g)
    }

    fn agent(&self, v: &Value, warnings: &mut Vec<String>) -> Result<AgentConfig, ConfigError> {
        const SECTION: &str = "diameter_agent";
        let mut a = AgentConfig::default();
        let obj = self.object(v, SECTION)?;
        let mut listen: Option<String> = None;
        let mut listen_net: Option<String> = None;
        let mut has_listeners = false;
        for (key, value) in obj {
            let path = format!("{SECTION}.{key}");
            match key.as_str() {
                "enabled" => a.enabled = self.boolean(value, &path)?,
                "listen" => listen = Some(self.string(value, &path)?),
                "listen_net" => listen_net = Some(self.string(value, &path)?),
                "listeners" => {
                    has_listeners = true;
                    a.listeners = self.listeners(value, &path)?;
                }
                "dictionaries_path" => {
                    let p = self.string(value, &path)?;
                    a.dictionaries_path = (!p.is_empty()).then(|| PathBuf::from(p));
                }
                "ce_applications" => a.ce_applications = self.strings(value, &path)?,
                "sessions_conns" => a.sessions_conns = self.strings(value, &path)?,
                "origin_host" => a.origin_host = self.string(value, &path)?,
                "origin_realm" => a.origin_realm = self.string(value, &path)?,
                "vendor_id" => {
                    a.vendor_id = u32::try_from(self.integer(value, &path)?)
                        .map_err(|_| self.error(&path, "must be an unsigned 32-bit integer"))?
                }
                "product_name" => a.product_name = self.string(value, &path)?,
                "concurrent_requests" => {
                    a.concurrent_requests = self.integer(value, &path)?;
                    if a.concurrent_requests < -1 {
                        return Err(self.error(&path, "must be -1 (unlimited) or a count"));
                    }
                }
                "synced_conn_requests" => a.synced_conn_requests = self.boolean(value, &path)?,
                "asr_template" => a.asr_template = self.string(value, &path)?,
                "rar_template" => a.rar_template = self.string(value, &path)?,
                "forced_disconnect" => {
                    a.forced_disconnect = self.string(value, &path)?;
                    if !matches!(a.forced_disconnect.as_str(), "*none" | "*asr" | "*rar") {
                        return Err(self.error(
                            &path,
                            format!(
                                "Unsupported request type <{}>: use *none, *asr or *rar",
                                a.forced_disconnect
                            ),
                        ));
                    }
                }
                "request_processors" => {
                    let Value::Array(items) = value else {
                        return Err(self.error(&path, "must be a list of request processors"));
                    };
                    for (i, item) in items.iter().enumerate() {
                        let p = format!("{path}[{i}]");
                        a.request_processors
                            .push(self.processor(item, &p, warnings)?);
                    }
                }
                "templates" => {} // read with the top-level templates
                "dictionaries_append_defaults"
                | "stats_conns"
                | "thresholds_conns"
                | "slr_template"
                | "snr_template"
                | "str_template"
                | "conn_status_stat_queue_ids"
                | "conn_status_threshold_ids"
                | "conn_health_check_interval" => {}
                _ => self.unknown(SECTION, key, warnings),
            }
        }
        if !has_listeners {
            if let Some(address) = listen {
                let network = listen_net.unwrap_or_default();
                a.listeners = vec![self.listener(address, network, "diameter_agent.listen_net")?];
            }
        } else if listen.is_some() {
            warnings.push(format!(
                "{}: diameter_agent.listen: ignored, listeners is set",
                self.file_of("diameter_agent.listen")
            ));
        }
        for name in [&a.asr_template, &a.rar_template] {
            if !name.is_empty() && !self.template_declared(name) {
                let key = if *name == a.asr_template {
                    "asr_template"
                } else {
                    "rar_template"
                };
                return Err(self.error(
                    &format!("{SECTION}.{key}"),
                    format!("no template with id: <{name}>"),
                ));
            }
        }
        Ok(a)
    }

    fn template_declared(&self, id: &str) -> bool {
        default_templates().contains_key(id)
            || self.provenance.iter().any(|(p, _)| {
                p == &format!("templates.{id}") || p == &format!("diameter_agent.templates.{id}")
            })
    }

    fn listener(
        &self,
        address: String,
        network: String,
        path: &str,
    ) -> Result<Listener, ConfigError> {
        let network = if network.is_empty() {
            "tcp".to_string()
        } else {
            network
        };
        if !matches!(network.as_str(), "tcp" | "sctp") {
            return Err(self.error(
                path,
                format!("network must be tcp or sctp, found {network:?}"),
            ));
        }
        let address = if address.is_empty() {
            ":3868".to_string()
        } else {
            address
        };
        Ok(Listener { address, network })
    }

    fn listeners(&self, v: &Value, path: &str) -> Result<Vec<Listener>, ConfigError> {
        let Value::Array(items) = v else {
            return Err(self.error(path, "must be a list of {\"address\", \"network\"} objects"));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let p = format!("{path}[{i}]");
                let obj = self.object(item, &p)?;
                let address = obj
                    .get("address")
                    .map(|v| self.string(v, &format!("{p}.address")))
                    .transpose()?
                    .unwrap_or_default();
                let network = obj
                    .get("network")
                    .map(|v| self.string(v, &format!("{p}.network")))
                    .transpose()?
                    .unwrap_or_default();
                self.listener(address, network, &format!("{p}.network"))
            })
            .collect()
    }

    fn processor(
        &self,
        v: &Value,
        path: &str,
        warnings: &mut Vec<String>,
    ) -> Result<ProcessorConfig, ConfigError> {
        let mut p = ProcessorConfig {
            origin: self.origin(path),
            ..ProcessorConfig::default()
        };
        for (key, value) in self.object(v, path)? {
            let kp = format!("{path}.{key}");
            match key.as_str() {
                "id" => p.id = self.string(value, &kp)?,
                "filters" => p.filters = self.strings(value, &kp)?,
                "tenant" => p.tenant = self.string(value, &kp)?,
                "timezone" => p.timezone = self.string(value, &kp)?,
                "flags" => p.flags = self.strings(value, &kp)?,
                "request_fields" => p.request_fields = self.fields(value, &kp, warnings)?,
                "reply_fields" => p.reply_fields = self.fields(value, &kp, warnings)?,
                _ => self.unknown(path, key, warnings),
            }
        }
        Ok(p)
    }

    fn fields(
        &self,
        v: &Value,
        path: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Vec<FieldConfig>, ConfigError> {
        let Value::Array(items) = v else {
            return Err(self.error(path, "must be a list of field templates"));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| self.field(item, &format!("{path}[{i}]"), warnings))
            .collect()
    }

    fn field(
        &self,
        v: &Value,
        path: &str,
        warnings: &mut Vec<String>,
    ) -> Result<FieldConfig, ConfigError> {
        let mut f = FieldConfig {
            origin: self.origin(path),
            ..FieldConfig::default()
        };
        for (key, value) in self.object(v, path)? {
            let kp = format!("{path}.{key}");
            match key.as_str() {
                "tag" => f.tag = self.string(value, &kp)?,
                "path" => f.path = self.string(value, &kp)?,
                "type" => f.field_type = self.string(value, &kp)?,
                "value" => {
                    f.value = match value {
                        Value::Number(n) => n.to_string(),
                        Value::Bool(b) => b.to_string(),
                        other => self.string(other, &kp)?,
                    }
                }
                "filters" => f.filters = self.strings(value, &kp)?,
                "mandatory" => f.mandatory = self.boolean(value, &kp)?,
                "new_branch" => f.new_branch = self.boolean(value, &kp)?,
                "blocker" => f.blocker = self.boolean(value, &kp)?,
                "width" => {
                    f.width = usize::try_from(self.integer(value, &kp)?)
                        .map_err(|_| self.error(&kp, "must not be negative"))?
                }
                "strip" => {
                    f.strip = self.string(value, &kp)?;
                    if !matches!(
                        f.strip.as_str(),
                        "" | "*right" | "*xright" | "*left" | "*xleft"
                    ) {
                        return Err(self.error(&kp, "must be *right, *xright, *left or *xleft"));
                    }
                }
                "padding" => {
                    f.padding = self.string(value, &kp)?;
                    if !matches!(f.padding.as_str(), "" | "*right" | "*left" | "*zeroleft") {
                        return Err(self.error(&kp, "must be *right, *left or *zeroleft"));
                    }
                }
                "layout" => f.layout = self.string(value, &kp)?,
                "timezone" => {
                    f.timezone = self.string(value, &kp)?;
                    crate::time::Zone::parse(&f.timezone).map_err(|e| self.error(&kp, e))?;
                }
                "rounding_decimals" => {
                    f.rounding_decimals = match value {
                        Value::Null => None,
                        v => Some(self.integer(v, &kp)? as i32),
                    }
                }
                "attribute_id" => f.attribute_id = self.string(value, &kp)?,
                "cost_shift_digits" | "mask_destinationd_id" | "mask_length" => {}
                _ => self.unknown(path, key, warnings),
            }
        }
        if f.tag.is_empty() {
            f.tag = f.path.clone();
        }
        Ok(f)
    }
}

#[cfg(test)]
mod tests;
