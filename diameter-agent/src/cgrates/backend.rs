//! [`CgratesBackend`]: the SessionS calls sent to remote CGRateS engines.

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::agent_v1::AgentV1;
use super::client::{Client, HostSettings};
use super::connection::Service;
use super::error::CallError;
use super::pool::Pool;
use crate::backend::{
    AuthorizeArgs, Backend, BackendError, CgrEvent, EventArgs, EventReply, InitiateArgs,
    MessageArgs, SessionReply, TerminateArgs, UpdateArgs,
};
use crate::config::{Config, GeneralConfig, RemoteHost, Transport, INTERNAL_CONNS};
use crate::control::ControlSlot;
use crate::duration::parse_duration;
use crate::error::ConfigError;

/// The delay cap between connection attempts when `max_reconnect_interval` is 0.
pub const DEFAULT_MAX_RECONNECT_INTERVAL: Duration = Duration::from_secs(5);

/// SessionS over JSON-RPC: the pools `diameter_agent.sessions_conns` names, tried in that
/// order (the next one only after a connection error or a timeout on every address of
/// the previous one). Bidirectional (`*birpc_json`) links answer the engine's `AgentV1`
/// calls through the [`ControlSlot`] given at construction, which
/// [`Server::start`](crate::Server::start) fills with the server's session control.
#[derive(Debug, Clone)]
pub struct CgratesBackend {
    pools: Arc<Vec<Pool>>,
    control: ControlSlot,
}

impl CgratesBackend {
    /// The backend `config.agent.sessions_conns` asks for, or `None` when it names only the
    /// embedded engine (`*internal`, `*birpc_internal`). Nothing is dialled yet: see
    /// [`CgratesBackend::connect`].
    pub fn from_config(
        config: &Config,
        control: ControlSlot,
    ) -> Result<Option<CgratesBackend>, ConfigError> {
        let service: Arc<dyn Service> = Arc::new(AgentV1::new(control.clone()));
        let mut pools = Vec::new();
        for (i, id) in config.agent.sessions_conns.iter().enumerate() {
            if INTERNAL_CONNS.contains(&id.as_str()) {
                continue;
            }
            let Some(conn) = config.rpc_conns.get(id) else {
                return Err(ConfigError::new(
                    "<configuration>",
                    format!("diameter_agent.sessions_conns[{i}]"),
                    format!("no connection <{id}> in rpc_conns"),
                ));
            };
            let clients = conn
                .conns
                .iter()
                .map(|host| {
                    Client::new(host_settings(&config.general, host), Some(service.clone()))
                })
                .collect();
            pools.push(Pool::new(id.clone(), conn.strategy, clients));
        }
        Ok((!pools.is_empty()).then(|| CgratesBackend {
            pools: Arc::new(pools),
            control,
        }))
    }

    /// The pools, in `sessions_conns` order.
    pub fn pools(&self) -> &[Pool] {
        &self.pools
    }

    /// Dial every address now (rather than at the first call; a bidirectional link must be
    /// up for the engine to reach the agent) and wait for the first attempts. Returns the
    /// number of addresses connected; the others keep being retried in the background.
    pub async fn connect(&self) -> usize {
        let mut connected = 0;
        for pool in self.pools.iter() {
            connected += pool.connect().await;
        }
        connected
    }

    /// Call `method` on the pools in order.
    pub async fn call(&self, method: &str, params: &Value) -> Result<Value, CallError> {
        let mut last = CallError::Disconnected("no rpc connection".into());
        for pool in self.pools.iter() {
            match pool.call(method, params).await {
                Err(e) if e.fails_over() => last = e,
                outcome => return outcome,
            }
        }
        Err(last)
    }

    /// Call `method` with `args` and decode the reply.
    async fn request<A: Serialize, R: DeserializeOwned>(
        &self,
        method: &str,
        args: &A,
    ) -> Result<R, BackendError> {
        let params = serde_json::to_value(args)
            .map_err(|e| BackendError(format!("SERVER_ERROR: cannot encode {method}: {e}")))?;
        let reply = self.call(method, &params).await.map_err(|e| {
            tracing::debug!("<CGRateS> {method}: {e:?}");
            BackendError::from(e)
        })?;
        serde_json::from_value(reply)
            .map_err(|e| CallError::Decode(format!("{method}: {e}")).into())
    }

    /// A call whose reply is `"OK"` (any text is taken as success, as CGRateS' agents do).
    async fn request_ok<A: Serialize>(&self, method: &str, args: &A) -> Result<(), BackendError> {
        self.request::<A, Value>(method, args).await.map(|_| ())
    }
}

/// The settings of one address: its own limits, else the `general` ones.
fn host_settings(general: &GeneralConfig, host: &RemoteHost) -> HostSettings {
    // A limit of the address, unless unset or zero: then the general one.
    let duration = |own: &Option<String>, general: &str| {
        let nanos = |text: &str| parse_duration(text).unwrap_or(0).max(0) as u64;
        let own = own.as_deref().map_or(0, nanos);
        Duration::from_nanos(if own > 0 { own } else { nanos(general) })
    };
    let connect_attempts = host
        .connect_attempts
        .filter(|n| *n > 0)
        .unwrap_or(general.connect_attempts);
    let reconnects = host
        .reconnects
        .filter(|n| *n != 0)
        .unwrap_or(general.reconnects);
    let reply_timeout = duration(&host.reply_timeout, &general.reply_timeout);
    let connect_timeout = duration(&host.connect_timeout, &general.connect_timeout);
    let max_interval = duration(
        &host.max_reconnect_interval,
        &general.max_reconnect_interval,
    );
    HostSettings {
        address: host.address.clone(),
        bidirectional: host.transport == Transport::BirpcJson,
        connect_attempts: connect_attempts.clamp(1, u32::MAX as i64) as u32,
        reconnects: u32::try_from(reconnects).ok(),
        connect_timeout: (!connect_timeout.is_zero()).then_some(connect_timeout),
        reply_timeout,
        max_reconnect_interval: if max_interval.is_zero() {
            DEFAULT_MAX_RECONNECT_INTERVAL
        } else {
            max_interval
        },
    }
}

impl Backend for CgratesBackend {
    async fn authorize(&self, args: AuthorizeArgs) -> Result<SessionReply, BackendError> {
        self.request("SessionSv1.AuthorizeEvent", &args).await
    }

    async fn initiate(&self, args: InitiateArgs) -> Result<SessionReply, BackendError> {
        self.request("SessionSv1.InitiateSession", &args).await
    }

    async fn update(&self, args: UpdateArgs) -> Result<SessionReply, BackendError> {
        self.request("SessionSv1.UpdateSession", &args).await
    }

    async fn terminate(&self, args: TerminateArgs) -> Result<(), BackendError> {
        self.request_ok("SessionSv1.TerminateSession", &args).await
    }

    async fn message(&self, args: MessageArgs) -> Result<SessionReply, BackendError> {
        self.request("SessionSv1.ProcessMessage", &args).await
    }

    async fn event(&self, args: EventArgs) -> Result<EventReply, BackendError> {
        self.request("SessionSv1.ProcessEvent", &args).await
    }

    async fn cdr(&self, event: CgrEvent) -> Result<(), BackendError> {
        self.request_ok("SessionSv1.ProcessCDR", &event).await
    }

    fn control_slot(&self) -> Option<ControlSlot> {
        Some(self.control.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Config {
        Config::from_str("c.json", text).unwrap()
    }

    #[test]
    fn internal_sessions_conns_need_no_rpc_backend() {
        let c = config(r#"{"diameter_agent": {"sessions_conns": ["*internal"]}}"#);
        assert!(CgratesBackend::from_config(&c, ControlSlot::new())
            .unwrap()
            .is_none());
        assert!(
            CgratesBackend::from_config(&Config::default(), ControlSlot::new())
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn pools_follow_sessions_conns() {
        let c = config(
            r#"{"rpc_conns": {"two": {"strategy": "*next", "conns": [
                    {"address": "127.0.0.1:1"}, {"address": "127.0.0.1:2", "transport": "*birpc_json"}]}},
                "diameter_agent": {"sessions_conns": ["two", "*localhost"]}}"#,
        );
        let b = CgratesBackend::from_config(&c, ControlSlot::new())
            .unwrap()
            .unwrap();
        let ids: Vec<&str> = b.pools().iter().map(Pool::id).collect();
        assert_eq!(ids, ["two", "*localhost"]);
        let addresses: Vec<&str> = b.pools()[0].clients().iter().map(|c| c.address()).collect();
        assert_eq!(addresses, ["127.0.0.1:1", "127.0.0.1:2"]);
    }

    #[test]
    fn host_limits_default_to_general() {
        let c = config(
            r#"{"general": {"reply_timeout": "3s", "connect_attempts": 2, "reconnects": 4,
                            "connect_timeout": "250ms"},
                "rpc_conns": {"e": {"conns": [
                    {"address": "h:1"},
                    {"address": "h:2", "reply_timeout": "1s", "reconnects": -1, "connect_timeout": "0",
                     "max_reconnect_interval": "2s", "transport": "*birpc_json"}]}}}"#,
        );
        let hosts = &c.rpc_conns["e"].conns;
        let a = host_settings(&c.general, &hosts[0]);
        assert_eq!(
            a,
            HostSettings {
                address: "h:1".into(),
                bidirectional: false,
                connect_attempts: 2,
                reconnects: Some(4),
                connect_timeout: Some(Duration::from_millis(250)),
                reply_timeout: Duration::from_secs(3),
                max_reconnect_interval: DEFAULT_MAX_RECONNECT_INTERVAL,
            }
        );
        let b = host_settings(&c.general, &hosts[1]);
        assert_eq!(
            (
                b.bidirectional,
                b.reconnects,
                b.reply_timeout,
                b.max_reconnect_interval
            ),
            (true, None, Duration::from_secs(1), Duration::from_secs(2))
        );
        // Zero for one address means: the general limit.
        assert_eq!(b.connect_timeout, Some(Duration::from_millis(250)));
    }
}
