//! Section `rpc_conns`: connection pools to remote CGRateS engines, by id, and which of
//! them `diameter_agent.sessions_conns` names.
//!
//! ```json
//! {"rpc_conns": {"engines": {"strategy": "*first", "poolSize": 0, "conns": [
//!     {"address": "10.0.0.1:2014", "transport": "*birpc_json"},
//!     {"address": "10.0.0.2:2014", "transport": "*birpc_json", "reply_timeout": "1s"}]}},
//!  "diameter_agent": {"sessions_conns": ["engines"]}}
//! ```
//!
//! Built in, as in CGRateS: `*localhost` (`127.0.0.1:2012`, `*json`) and
//! `*bijson_localhost` (`127.0.0.1:2014`, `*birpc_json`); `*internal` and
//! `*birpc_internal` name the embedded engine. A connection's `connect_attempts`,
//! `reconnects`, `connect_timeout`, `reply_timeout` and `max_reconnect_interval` default to
//! the `general` settings of the same names.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Origin, Reader};
use crate::duration::parse_duration;
use crate::error::ConfigError;

/// `sessions_conns` entries served by the embedded engine.
pub const INTERNAL_CONNS: [&str; 2] = ["*internal", "*birpc_internal"];

/// How a connection talks to its engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// `*json`: JSON-RPC, the agent calls the engine (default port 2012).
    Json,
    /// `*birpc_json`: JSON-RPC both ways on one link (default port 2014): the engine's
    /// SessionS calls `AgentV1` back on it.
    BirpcJson,
}

impl Transport {
    /// The configuration spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Json => "*json",
            Transport::BirpcJson => "*birpc_json",
        }
    }
}

/// How a pool chooses among its connections (CGRateS `strategy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// `*first`: in order, the first one reachable.
    First,
    /// `*next`: round robin.
    Next,
    /// `*random`: a random order.
    Random,
    /// `*first_positive`: in order, until one answers without error.
    FirstPositive,
    /// `*broadcast`: all at once, the first answer wins.
    Broadcast,
}

impl Strategy {
    const ALL: [(&'static str, Strategy); 5] = [
        ("*first", Strategy::First),
        ("*next", Strategy::Next),
        ("*random", Strategy::Random),
        ("*first_positive", Strategy::FirstPositive),
        ("*broadcast", Strategy::Broadcast),
    ];

    /// The strategy named `name`.
    pub fn parse(name: &str) -> Option<Strategy> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
    }

    /// The configuration spelling.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, s)| *s == self)
            .map_or("*first", |(n, _)| n)
    }
}

/// One `rpc_conns` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcConnConfig {
    /// `strategy` (`*first`).
    pub strategy: Strategy,
    /// `poolSize` (accepted; one connection per address is kept).
    pub pool_size: i64,
    /// `conns`, in order.
    pub conns: Vec<RemoteHost>,
    /// Where it was defined.
    pub origin: Origin,
}

/// One address of an `rpc_conns` entry. Unset limits take the `general` ones.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteHost {
    /// `id` (optional, for logs).
    pub id: String,
    /// `address`: `host:port`.
    pub address: String,
    /// `transport` (`*json` when empty).
    pub transport: Transport,
    /// `connect_attempts`.
    pub connect_attempts: Option<i64>,
    /// `reconnects` (-1: unlimited).
    pub reconnects: Option<i64>,
    /// `connect_timeout`, as text.
    pub connect_timeout: Option<String>,
    /// `reply_timeout`, as text.
    pub reply_timeout: Option<String>,
    /// `max_reconnect_interval`, as text.
    pub max_reconnect_interval: Option<String>,
}

/// The built-in entries.
pub fn default_rpc_conns() -> BTreeMap<String, RpcConnConfig> {
    let builtin = |id: &str, address: &str, transport| {
        let conn = RpcConnConfig {
            strategy: Strategy::First,
            pool_size: 0,
            conns: vec![RemoteHost {
                id: String::new(),
                address: address.to_string(),
                transport,
                connect_attempts: None,
                reconnects: None,
                connect_timeout: None,
                reply_timeout: None,
                max_reconnect_interval: None,
            }],
            origin: Origin {
                file: "<built-in rpc_conns>".to_string(),
                path: format!("rpc_conns.{id}"),
            },
        };
        (id.to_string(), conn)
    };
    BTreeMap::from([
        builtin("*localhost", "127.0.0.1:2012", Transport::Json),
        builtin("*bijson_localhost", "127.0.0.1:2014", Transport::BirpcJson),
    ])
}

/// A `host:port` address: a non-empty host and a port number.
fn check_address(address: &str) -> Result<(), String> {
    let valid = address.rsplit_once(':').is_some_and(|(host, port)| {
        !host.is_empty() && !host.contains(char::is_whitespace) && port.parse::<u16>().is_ok()
    });
    if valid {
        Ok(())
    } else {
        Err(format!(
            "invalid address <{address}>: expected host:port, e.g. 127.0.0.1:2012"
        ))
    }
}

/// A duration setting: Go syntax or integer nanoseconds, not negative.
pub(super) fn check_duration(text: &str) -> Result<(), String> {
    match parse_duration(text) {
        Ok(ns) if ns >= 0 => Ok(()),
        Ok(_) => Err(format!("<{text}>: must not be negative")),
        Err(e) => Err(format!("<{text}>: {e}")),
    }
}

impl Reader<'_> {
    /// Section `rpc_conns` on top of the built-in entries.
    pub(super) fn rpc_conns(
        &self,
        v: &Value,
        warnings: &mut Vec<String>,
    ) -> Result<BTreeMap<String, RpcConnConfig>, ConfigError> {
        let mut conns = default_rpc_conns();
        for (id, entry) in self.object(v, "rpc_conns")? {
            let path = format!("rpc_conns.{id}");
            if INTERNAL_CONNS.contains(&id.as_str()) {
                return Err(self.error(
                    &path,
                    format!("<{id}> names the embedded engine and cannot be redefined"),
                ));
            }
            conns.insert(id.clone(), self.rpc_conn(entry, &path, warnings)?);
        }
        Ok(conns)
    }

    fn rpc_conn(
        &self,
        v: &Value,
        path: &str,
        warnings: &mut Vec<String>,
    ) -> Result<RpcConnConfig, ConfigError> {
        let mut conn = RpcConnConfig {
            strategy: Strategy::First,
            pool_size: 0,
            conns: Vec::new(),
            origin: self.origin(path),
        };
        for (key, value) in self.object(v, path)? {
            let kp = format!("{path}.{key}");
            match key.as_str() {
                "strategy" => {
                    let name = self.string(value, &kp)?;
                    conn.strategy = match name.as_str() {
                        "" => Strategy::First,
                        name => Strategy::parse(name).ok_or_else(|| {
                            self.error(
                                &kp,
                                format!(
                                    "unknown strategy <{name}>: use *first, *next, *random, \
                                     *first_positive or *broadcast"
                                ),
                            )
                        })?,
                    };
                }
                "poolSize" => conn.pool_size = self.integer(value, &kp)?,
                "conns" => {
                    let Value::Array(items) = value else {
                        return Err(self.error(
                            &kp,
                            "must be a list of {\"address\", \"transport\"} objects",
                        ));
                    };
                    for (i, item) in items.iter().enumerate() {
                        conn.conns
                            .push(self.remote_host(item, &format!("{kp}[{i}]"), warnings)?);
                    }
                }
                _ => self.unknown(path, key, warnings),
            }
        }
        if conn.conns.is_empty() {
            return Err(self.error(path, "no connection: conns is empty"));
        }
        Ok(conn)
    }

    fn remote_host(
        &self,
        v: &Value,
        path: &str,
        warnings: &mut Vec<String>,
    ) -> Result<RemoteHost, ConfigError> {
        let mut host = RemoteHost {
            id: String::new(),
            address: String::new(),
            transport: Transport::Json,
            connect_attempts: None,
            reconnects: None,
            connect_timeout: None,
            reply_timeout: None,
            max_reconnect_interval: None,
        };
        for (key, value) in self.object(v, path)? {
            let kp = format!("{path}.{key}");
            match key.as_str() {
                "id" => host.id = self.string(value, &kp)?,
                "address" => host.address = self.string(value, &kp)?,
                "transport" => {
                    host.transport = match self.string(value, &kp)?.as_str() {
                        "" | "*json" => Transport::Json,
                        "*birpc_json" => Transport::BirpcJson,
                        other => {
                            return Err(self.error(
                                &kp,
                                format!(
                                    "unsupported transport <{other}>: use *json or *birpc_json"
                                ),
                            ))
                        }
                    }
                }
                "connect_attempts" => {
                    host.connect_attempts = Some(self.non_negative(value, &kp)?);
                }
                "reconnects" => host.reconnects = Some(self.reconnects(value, &kp)?),
                "connect_timeout" | "reply_timeout" | "max_reconnect_interval" => {
                    let text = self.duration(value, &kp)?;
                    let slot = match key.as_str() {
                        "connect_timeout" => &mut host.connect_timeout,
                        "reply_timeout" => &mut host.reply_timeout,
                        _ => &mut host.max_reconnect_interval,
                    };
                    *slot = (!text.is_empty()).then_some(text);
                }
                "tls" => {
                    if self.boolean(value, &kp)? {
                        return Err(self.error(&kp, "TLS connections are not supported"));
                    }
                }
                "key_path" | "cert_path" | "ca_path" | "synchronous" => {}
                _ => self.unknown(path, key, warnings),
            }
        }
        let address_path = format!("{path}.address");
        if INTERNAL_CONNS.contains(&host.address.as_str()) {
            return Err(self.error(
                &address_path,
                format!(
                    "<{}>: name the embedded engine in sessions_conns instead",
                    host.address
                ),
            ));
        }
        check_address(&host.address).map_err(|e| self.error(&address_path, e))?;
        Ok(host)
    }

    /// A duration (text, or integer nanoseconds), checked; empty when unset.
    pub(super) fn duration(&self, v: &Value, path: &str) -> Result<String, ConfigError> {
        let text = match v {
            Value::Number(n) => n.to_string(),
            other => self.string(other, path)?,
        };
        if !text.is_empty() {
            check_duration(&text).map_err(|e| self.error(path, e))?;
        }
        Ok(text)
    }

    pub(super) fn non_negative(&self, v: &Value, path: &str) -> Result<i64, ConfigError> {
        let n = self.integer(v, path)?;
        if n < 0 {
            return Err(self.error(path, "must not be negative"));
        }
        Ok(n)
    }

    /// `reconnects`: a count, or -1 for unlimited.
    pub(super) fn reconnects(&self, v: &Value, path: &str) -> Result<i64, ConfigError> {
        let n = self.integer(v, path)?;
        if n < -1 {
            return Err(self.error(path, "must be -1 (unlimited) or a count"));
        }
        Ok(n)
    }

    /// `diameter_agent.sessions_conns`: every entry the embedded engine or an `rpc_conns`
    /// id, not both kinds.
    pub(super) fn check_sessions_conns(
        &self,
        sessions_conns: &[String],
        rpc_conns: &BTreeMap<String, RpcConnConfig>,
    ) -> Result<(), ConfigError> {
        // The kind of the first entry; an entry of the other kind is refused.
        let mut first: Option<(bool, &str)> = None;
        for (i, id) in sessions_conns.iter().enumerate() {
            let path = format!("diameter_agent.sessions_conns[{i}]");
            let internal = INTERNAL_CONNS.contains(&id.as_str());
            if !internal && !rpc_conns.contains_key(id) {
                return Err(self.error(
                    &path,
                    format!("no connection <{id}> in rpc_conns (nor *internal, *birpc_internal)"),
                ));
            }
            match first {
                None => first = Some((internal, id)),
                Some((kind, other)) if kind != internal => {
                    return Err(self.error(
                        &path,
                        format!(
                            "<{id}> and <{other}>: the embedded engine and remote engines \
                             cannot be mixed"
                        ),
                    ))
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}
