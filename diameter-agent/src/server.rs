//! The agent on the network: a Diameter node with the agent's identity, listening on the
//! configured addresses, answering CER/DWR/DPR itself and handing every other request to
//! the [`Agent`].
//!
//! The node is built from `diameter_agent` (origin host and realm, vendor id, product name,
//! `listeners`, `ce_applications`). As CGRateS, it accepts a CER from any host (unless
//! [`ServerOptions::peers`] lists the allowed ones) and serves requests whatever their
//! Destination-Realm. The request limit (`general.caps`, or v0.10
//! `concurrent_requests`) answers 3004 DIAMETER_TOO_BUSY through the `*err` template, or
//! waits for a slot with `caps_strategy` `*queue`; `synced_conn_requests` answers the
//! requests of one peer one after another.
//!
//! ```no_run
//! # async fn run() -> Result<(), diameter_agent::server::ServeError> {
//! use std::sync::Arc;
//! use diameter_agent::server::{Server, ServerOptions};
//! use diameter_agent::{load_dictionary, Config, MemoryBackend};
//!
//! let config = Config::load("examples/agent/sms.json")?;
//! let dict = Arc::new(load_dictionary(&config)?);
//! let options = ServerOptions { peers: vec!["smsgw.gy".into()], ..ServerOptions::default() };
//! let server = Server::start(&config, dict, MemoryBackend::new(), options).await?;
//! println!("listening on {:?}", server.local_addrs());
//! server.stop(std::time::Duration::from_secs(2)).await;
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::future::Future;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diameter_dict::{AppKind as DictAppKind, Dictionary};
use diameter_runtime::app::{Handler, HandlerFuture, Request};
use diameter_runtime::node::{self, Node, NodeConfig, PeerConfig, Timers};
use diameter_runtime::peer::{AppId, AppKind, RELAY_APPLICATION_ID};
use diameter_runtime::wire::result_code::{DIAMETER_TOO_BUSY, DIAMETER_UNABLE_TO_COMPLY};
use tokio::sync::Semaphore;

use crate::agent::Agent;
use crate::backend::Backend;
use crate::config::Config;
use crate::control::SessionControl;
use crate::error::ConfigError;
use crate::request_cache::{ends_session, session_id, RequestCache};
use crate::session_control::{Live, SessionController};

/// Why the agent could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The configuration is refused.
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// A peer or application could not be registered on the node.
    #[error("{0}")]
    Peer(#[from] node::ConfigError),
    /// The node did not start (an address already in use, ...).
    #[error("{0}")]
    Node(#[from] node::Error),
}

/// What the configuration does not say about the node.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// Listen on these addresses instead of the configured `listeners` (e.g. `127.0.0.1:0`).
    pub listen: Option<Vec<SocketAddr>>,
    /// Diameter identities (Origin-Host of their CER) of the clients that may connect; the
    /// node then answers a CER from any other host with 3010 DIAMETER_UNKNOWN_PEER. Empty
    /// (the default), any host may connect, as with CGRateS.
    pub peers: Vec<String>,
    /// Timers of the peer connections (watchdog, CEA and DPA waits); the node's defaults
    /// when `None`.
    pub timers: Option<Timers>,
    /// Do not check requests against the dictionary grammar before the processors run
    /// (CGRateS does not: a missing AVP is then the business of the field that reads it).
    pub skip_validation: bool,
}

/// A running agent: its node, the agent answering the node's requests, and the
/// [`SessionControl`] sending ASR/RAR/DPR to the node's peers.
///
/// When `asr_template` or `rar_template` is set, the server keeps each client request
/// under its Session-Id (see [`crate::request_cache`]); a request without Session-Id then
/// gets the `*err` answer with 5012. The backend's [`Backend::control_slot`] is filled
/// once the node runs. Dropping the server, or [`Server::stop`], detaches the control.
#[derive(Debug)]
pub struct Server<B> {
    node: Node,
    agent: Arc<Agent<B>>,
    control: Arc<SessionController>,
}

impl<B: Backend> Server<B> {
    /// Compile the configuration, build the node, bind the listeners and start answering.
    pub async fn start(
        config: &Config,
        dict: Arc<Dictionary>,
        backend: B,
        options: ServerOptions,
    ) -> Result<Server<B>, ServeError> {
        let slot = backend.control_slot();
        let agent = Arc::new(Agent::new(config, dict.clone(), backend)?);
        let a = &config.agent;
        let mut node_config = NodeConfig::new(&a.origin_host, &a.origin_realm);
        node_config.vendor_id = a.vendor_id;
        node_config.product_name = a.product_name.clone();
        node_config.listen = match options.listen {
            Some(listen) => listen,
            None => listen_addresses(config)?,
        };
        if let Some(timers) = options.timers {
            node_config.timers = timers;
        }
        node_config.validate_requests = !options.skip_validation;
        node_config.accept_unknown_peers = options.peers.is_empty();
        // CGRateS answers whatever the Destination-Realm says.
        node_config.check_destination_realm = false;
        let node = Node::with_dictionary(node_config, dict.clone());
        let mut peers = Vec::new();
        for host in &options.peers {
            peers.push(node.add_peer(PeerConfig::new(&format!("aaa://{host}"), &a.origin_realm)?)?);
        }
        let cache = (!a.asr_template.is_empty() || !a.rar_template.is_empty())
            .then(|| Arc::new(RequestCache::default()));
        let handler = AgentHandler::new(agent.clone(), config, cache.clone());
        // The agent applies its own limit (3004 through *err); the node's is left open.
        let unlimited = Semaphore::MAX_PERMITS;
        let mut sender = None;
        for app in applications(config, &dict)? {
            let application = node.add_server(app, &peers, handler.clone(), unlimited)?;
            sender.get_or_insert(application);
        }
        node.start().await?;
        let control = Arc::new(SessionController::new(&a.forced_disconnect));
        control.attach(Live {
            node: node.clone(),
            sender,
            builder: agent.requests(),
            cache: cache.unwrap_or_default(),
            runtime: tokio::runtime::Handle::current(),
        });
        if let Some(slot) = slot {
            slot.set(control.clone());
        }
        tracing::info!(
            origin_host = %a.origin_host,
            origin_realm = %a.origin_realm,
            "<DiameterAgent> listening on {:?}",
            node.local_addrs()
        );
        Ok(Server {
            node,
            agent,
            control,
        })
    }

    /// The control sending ASR, RAR and DPR through this server (what `AgentV1` calls).
    pub fn control(&self) -> Arc<dyn SessionControl> {
        self.control.clone()
    }

    /// The same control, with the sessions it keeps requests of.
    pub fn session_controller(&self) -> &Arc<SessionController> {
        &self.control
    }

    /// The addresses listened on, with the ports actually bound.
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        self.node.local_addrs()
    }

    /// The node.
    pub fn node(&self) -> &Node {
        &self.node
    }

    /// The agent.
    pub fn agent(&self) -> &Arc<Agent<B>> {
        &self.agent
    }

    /// Send DPR to every connected peer, wait at most `timeout` for the DPAs, then close.
    pub async fn stop(&self, timeout: Duration) {
        self.control.detach();
        self.node.stop(timeout).await;
    }
}

impl<B> Drop for Server<B> {
    /// The control holds the node: let both go.
    fn drop(&mut self) {
        self.control.detach();
    }
}

/// Run the agent until `shutdown` completes, then stop sending DPR to the peers (waiting at
/// most 5 seconds for their DPA).
pub async fn serve<B: Backend>(
    config: &Config,
    dict: Arc<Dictionary>,
    backend: B,
    options: ServerOptions,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServeError> {
    let server = Server::start(config, dict, backend, options).await?;
    shutdown.await;
    tracing::info!("<DiameterAgent> stopping: DPR to the connected peers");
    server.stop(Duration::from_secs(5)).await;
    Ok(())
}

/// The socket addresses of the configured `listeners` (`:3868` listens on every
/// interface); only TCP is served.
pub fn listen_addresses(config: &Config) -> Result<Vec<SocketAddr>, ConfigError> {
    let mut out = Vec::new();
    for (i, l) in config.agent.listeners.iter().enumerate() {
        let at = |key: &str| format!("diameter_agent.listeners[{i}].{key}");
        if !(l.network.is_empty() || l.network.eq_ignore_ascii_case("tcp")) {
            return Err(ConfigError::new(
                "<configuration>",
                at("network"),
                format!("unsupported network: <{}> (tcp only)", l.network),
            ));
        }
        let address = match l.address.as_str() {
            "" => "0.0.0.0:3868".to_string(),
            a if a.starts_with(':') => format!("0.0.0.0{a}"),
            a => a.to_string(),
        };
        let resolved = address
            .to_socket_addrs()
            .map_err(|e| {
                ConfigError::new(
                    "<configuration>",
                    at("address"),
                    format!("invalid address <{}>: {e}", l.address),
                )
            })?
            .next()
            .ok_or_else(|| {
                ConfigError::new(
                    "<configuration>",
                    at("address"),
                    format!("<{}> resolves to no address", l.address),
                )
            })?;
        out.push(resolved);
    }
    Ok(out)
}

/// The applications advertised in CER/CEA and served: `ce_applications` (an application
/// name, an id, or `<vendor name>.<name or id>`), or when it is empty every application of
/// the dictionary but the base protocol and relay.
pub fn applications(config: &Config, dict: &Dictionary) -> Result<Vec<AppId>, ConfigError> {
    let app_id = |id: u32, kind: Option<DictAppKind>, vendor: Option<u32>| {
        let kind = match kind {
            Some(DictAppKind::Acct) => AppKind::Acct,
            _ => AppKind::Auth,
        };
        match vendor {
            Some(v) => AppId::vendor(v, kind, id),
            None if kind == AppKind::Acct => AppId::acct(id),
            None => AppId::auth(id),
        }
    };
    let mut out: Vec<AppId> = Vec::new();
    if config.agent.ce_applications.is_empty() {
        for app in dict.applications() {
            if app.id != 0 && app.id != RELAY_APPLICATION_ID && !out.iter().any(|a| a.id == app.id)
            {
                out.push(app_id(app.id, app.kind, None));
            }
        }
        return Ok(out);
    }
    for (i, entry) in config.agent.ce_applications.iter().enumerate() {
        let find = |key: &str| {
            dict.applications().find(|a| {
                key.parse::<u32>().is_ok_and(|id| a.id == id) || a.name.eq_ignore_ascii_case(key)
            })
        };
        let found = match find(entry) {
            Some(app) => Some((app, None)),
            None => entry.rsplit_once('.').and_then(|(vendor, key)| {
                let v = dict
                    .vendors()
                    .find(|v| v.name.eq_ignore_ascii_case(vendor))?;
                find(key).map(|app| (app, Some(v.id)))
            }),
        };
        let Some((app, vendor)) = found else {
            return Err(ConfigError::new(
                "<configuration>",
                format!("diameter_agent.ce_applications[{i}]"),
                format!("application <{entry}> not found in the dictionaries"),
            ));
        };
        if !out.iter().any(|a| a.id == app.id) {
            out.push(app_id(app.id, app.kind, vendor));
        }
    }
    Ok(out)
}

/// The node's handler: limit, per-peer ordering, then the agent.
struct AgentHandler<B>(Arc<HandlerState<B>>);

impl<B> Clone for AgentHandler<B> {
    fn clone(&self) -> Self {
        AgentHandler(self.0.clone())
    }
}

struct HandlerState<B> {
    agent: Arc<Agent<B>>,
    /// Where requests are kept for ASR/RAR, when a template is set.
    cache: Option<Arc<RequestCache>>,
    /// `general.caps` / `concurrent_requests`.
    limit: Option<Arc<Semaphore>>,
    /// `caps_strategy` `*queue`: wait for a slot instead of answering 3004.
    queue: bool,
    /// `synced_conn_requests`: one lock per peer.
    synced: Option<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

impl<B: Backend> AgentHandler<B> {
    fn new(agent: Arc<Agent<B>>, config: &Config, cache: Option<Arc<RequestCache>>) -> Self {
        AgentHandler(Arc::new(HandlerState {
            agent,
            cache,
            limit: config
                .concurrency_limit()
                .map(|n| Arc::new(Semaphore::new(n.min(Semaphore::MAX_PERMITS)))),
            queue: config.general.caps_strategy == "*queue",
            synced: config
                .agent
                .synced_conn_requests
                .then(|| Mutex::new(HashMap::new())),
        }))
    }

    /// The lock ordering the requests of `peer`.
    fn peer_lock(&self, peer: &str) -> Option<Arc<tokio::sync::Mutex<()>>> {
        let locks = self.0.synced.as_ref()?;
        let mut locks = locks.lock().unwrap_or_else(|e| e.into_inner());
        Some(locks.entry(peer.to_string()).or_default().clone())
    }
}

impl<B: Backend> Handler for AgentHandler<B> {
    fn handle(&self, request: Request) -> HandlerFuture {
        let state = &self.0;
        let agent = state.agent.clone();
        let mut waiting_slot = None;
        let mut permit = None;
        if let Some(limit) = &state.limit {
            if state.queue {
                waiting_slot = Some(limit.clone().acquire_owned());
            } else {
                match limit.clone().try_acquire_owned() {
                    Ok(p) => permit = Some(p),
                    Err(_) => {
                        tracing::warn!(peer = %request.peer, "<DiameterAgent> too many requests in progress, answering 3004");
                        let answer = agent.error_answer(&request.message, DIAMETER_TOO_BUSY, None);
                        return Box::pin(std::future::ready(Ok(answer)));
                    }
                }
            }
        }
        // Taken in arrival order: the node polls each handler once as the request is read.
        let turn = self.peer_lock(&request.peer).map(|l| l.lock_owned());
        let cache = state.cache.clone();
        Box::pin(async move {
            let _turn = match turn {
                Some(t) => Some(t.await),
                None => None,
            };
            let _permit = match waiting_slot {
                Some(slot) => Some(slot.await?),
                None => permit,
            };
            let remote = request.remote_addr();
            let Some(cache) = cache else {
                return Ok(agent.handle_from(request.message, remote).await);
            };
            let Some(session) = session_id(&request.message) else {
                tracing::warn!(peer = %request.peer, "<DiameterAgent> request without Session-Id while ASR/RAR are enabled");
                return Ok(agent.error_answer(&request.message, DIAMETER_UNABLE_TO_COMPLY, remote));
            };
            let ends = ends_session(&request.message);
            cache.insert(&session, request.message.clone(), &request.peer, remote);
            let answer = agent.handle_from(request.message, remote).await;
            if ends {
                cache.remove(&session);
            }
            Ok(answer)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(agent: &str) -> Config {
        Config::from_str("t.json", &format!(r#"{{"diameter_agent": {{{agent}}}}}"#)).unwrap()
    }

    fn dict() -> Dictionary {
        Dictionary::shipped().unwrap()
    }

    #[test]
    fn ce_applications_by_name_id_and_vendor() {
        let c = config(r#""ce_applications": ["diameter credit control", "4", "3GPP.16777238"]"#);
        let dict = dict();
        let Some(gx) = dict.application(16_777_238) else {
            // Without Gx in the shipped set, the name form alone.
            let c = config(r#""ce_applications": ["4"]"#);
            assert_eq!(applications(&c, &dict).unwrap(), [AppId::auth(4)]);
            return;
        };
        assert!(!gx.name.is_empty());
        let apps = applications(&c, &dict).unwrap();
        assert_eq!(apps[0], AppId::auth(4), "name and id name one application");
        assert_eq!(apps.len(), 2);
        assert_eq!(apps[1].vendor_id, Some(10415));
    }

    #[test]
    fn unknown_ce_application_is_refused_with_its_path() {
        let c = config(r#""ce_applications": ["4", "No Such Application"]"#);
        let e = applications(&c, &dict()).unwrap_err();
        assert_eq!(e.path, "diameter_agent.ce_applications[1]");
        assert!(e.reason.contains("No Such Application"), "{e}");
    }

    #[test]
    fn without_ce_applications_every_application_but_base_and_relay() {
        let apps = applications(&Config::default(), &dict()).unwrap();
        assert!(apps.contains(&AppId::auth(4)));
        assert!(
            apps.contains(&AppId::acct(3)),
            "Base Accounting is an acct application"
        );
        assert!(apps
            .iter()
            .all(|a| a.id != 0 && a.id != RELAY_APPLICATION_ID));
    }

    #[test]
    fn listeners_default_wildcard_and_networks() {
        assert_eq!(
            listen_addresses(&Config::default()).unwrap(),
            ["127.0.0.1:3868".parse::<SocketAddr>().unwrap()]
        );
        let c = config(r#""listen": ":3869""#);
        assert_eq!(
            listen_addresses(&c).unwrap(),
            ["0.0.0.0:3869".parse::<SocketAddr>().unwrap()]
        );
        let c = config(r#""listeners": [{"address": "127.0.0.1:3868", "network": "sctp"}]"#);
        let e = listen_addresses(&c).unwrap_err();
        assert_eq!(e.path, "diameter_agent.listeners[0].network");
        let c = config(r#""listeners": [{"address": "nonsense", "network": "tcp"}]"#);
        assert_eq!(
            listen_addresses(&c).unwrap_err().path,
            "diameter_agent.listeners[0].address"
        );
    }
}
