//! The Diameter node: its identity, the peer table, routing, identifiers, statistics and
//! message dumps, on tokio.
//!
//! ```no_run
//! # async fn run() -> Result<(), diameter_runtime::node::Error> {
//! use std::time::Duration;
//! use diameter_runtime::node::{Node, NodeConfig, PeerConfig};
//! use diameter_runtime::peer::AppId;
//!
//! let node = Node::new(NodeConfig::new("smsgw.gy", "testrealm.local"))?;
//! let ocs = node.add_peer(
//!     PeerConfig::new("aaa://ocs.gy:3868", "testrealm.local")?
//!         .ip_addresses(["127.0.0.1"])?
//!         .persistent(true),
//! )?;
//! let client = node.add_application(AppId::auth(4), &[ocs])?;
//! node.start().await?;
//! client.wait_for_ready(Duration::from_secs(5)).await?;
//! // client.send_request(ccr, Duration::from_secs(5)).await?
//! node.stop(Duration::from_secs(5)).await;
//! # Ok(()) }
//! ```
//!
//! Message dumps go to the `tracing` target `diameter::peer::msg` at debug level, each
//! headed `SENT <peer>` or `RECV <peer>` and followed by the python-diameter style dump.

mod config;
mod conn;
mod dispatch;
mod duplicates;
mod error;
mod ids;
mod peer;
mod routing;
mod stats;

pub use config::{ConfigError, NodeConfig, PeerConfig, Timers};
pub use error::Error;
pub use ids::{random_u64, Sequence, SessionIdGenerator};
pub use routing::{Candidate, FewestOutstanding, PeerSelector};
pub use stats::{Counters, Latency, PeerStats};

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch, Semaphore};
use tokio::task::JoinHandle;

use crate::app::{Application, Handler, Identity};
use crate::dict::Dictionary;
use crate::message::{dump, Message, Validator};
use crate::peer::base::{self, avp, DisconnectCause};
use crate::peer::capabilities::{self, AppId, Capabilities};
use crate::peer::State;
use crate::transport::{tls, FrameReader, Stream, Writer};
use crate::wire::result_code::DIAMETER_UNKNOWN_PEER;
use crate::wire::DiameterUri;

pub(crate) use conn::{Conn, Pending, PendingGuard};
use duplicates::Duplicates;
use peer::{Incoming, Peer, PeerEvent, PeerTask};

/// The `tracing` target of message dumps.
pub const DUMP_TARGET: &str = "diameter::peer::msg";
/// The `tracing` target of statistics logs.
pub const STATS_TARGET: &str = "diameter::stats";

/// A peer in the node's table, as returned by [`Node::add_peer`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PeerRef(usize);

/// A Diameter node. Cloning gives another handle to the same node.
#[derive(Clone)]
pub struct Node {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("origin_host", &self.shared.config.origin_host)
            .field("realm", &self.shared.config.realm)
            .finish()
    }
}

/// An application registered on the node.
pub(crate) struct LocalApp {
    pub(crate) id: AppId,
    pub(crate) peers: Vec<usize>,
    pub(crate) handler: Option<Arc<dyn Handler>>,
    pub(crate) limit: Arc<Semaphore>,
}

#[derive(Default)]
struct Setup {
    peers: Vec<config::PeerConfig>,
    apps: Vec<LocalApp>,
    selector: Option<Arc<dyn PeerSelector>>,
}

/// A peer accepted from a host not in the table, and its task.
pub(crate) struct Dynamic {
    pub(crate) peer: Arc<Peer>,
    task: JoinHandle<()>,
}

/// What is fixed once the node runs, and the dynamic peers.
pub(crate) struct Running {
    peers: Vec<Arc<Peer>>,
    by_host: HashMap<String, usize>,
    /// Dynamic peers by lowercase Origin-Host (see [`NodeConfig::accept_unknown_peers`]).
    pub(crate) dynamic: Mutex<HashMap<String, Dynamic>>,
    apps: Vec<LocalApp>,
    local_apps: Vec<AppId>,
    selector: Arc<dyn PeerSelector>,
    listen_addrs: Vec<SocketAddr>,
    tls_listen_addrs: Vec<SocketAddr>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Running {
    /// The application with a handler for `app_id`.
    pub(crate) fn server_app(&self, app_id: u32) -> Option<&LocalApp> {
        self.apps
            .iter()
            .find(|a| a.id.id == app_id && a.handler.is_some())
    }

    /// The peer named `host` (any case): configured, else dynamic.
    fn peer(&self, host: &str) -> Option<Arc<Peer>> {
        let host = host.to_ascii_lowercase();
        if let Some(i) = self.by_host.get(&host) {
            return Some(self.peers[*i].clone());
        }
        let dynamic = self.dynamic.lock().ok()?;
        dynamic.get(&host).map(|d| d.peer.clone())
    }

    /// The configured peers, then the dynamic ones.
    fn all_peers(&self) -> Vec<Arc<Peer>> {
        let mut all = self.peers.clone();
        if let Ok(dynamic) = self.dynamic.lock() {
            all.extend(dynamic.values().map(|d| d.peer.clone()));
        }
        all
    }
}

/// State shared by the node's handles, tasks and connections.
pub(crate) struct Shared {
    pub(crate) config: NodeConfig,
    pub(crate) dict: Arc<Dictionary>,
    /// Checks received requests, with the dictionary's rules resolved once.
    pub(crate) validator: Validator,
    pub(crate) identity: Arc<Identity>,
    origin_state_id: u32,
    setup: Mutex<Setup>,
    running: OnceLock<Running>,
    pub(crate) end_to_end: Sequence,
    pub(crate) sessions: SessionIdGenerator,
    pub(crate) pending: AtomicUsize,
    pub(crate) duplicates: Duplicates,
    conn_ids: AtomicU64,
    ready: watch::Sender<u64>,
}

impl Shared {
    pub(crate) fn running(&self) -> Option<&Running> {
        self.running.get()
    }

    pub(crate) fn next_conn_id(&self) -> u64 {
        self.conn_ids.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn local_apps(&self) -> Vec<AppId> {
        self.running()
            .map(|r| r.local_apps.clone())
            .unwrap_or_default()
    }

    pub(crate) fn readiness_changed(&self) {
        self.ready.send_modify(|n| *n += 1);
    }

    /// Our capabilities, with Host-IP-Address from `local_addr` unless configured.
    pub(crate) fn capabilities(&self, local_addr: Option<SocketAddr>) -> Capabilities {
        let c = &self.config;
        let mut ips = c.host_ip_addresses.clone();
        if ips.is_empty() {
            ips.extend(local_addr.map(|a| a.ip()));
        }
        Capabilities {
            origin_host: c.origin_host.clone(),
            origin_realm: c.realm.clone(),
            host_ip_addresses: ips,
            vendor_id: c.vendor_id,
            product_name: c.product_name.clone(),
            origin_state_id: Some(self.origin_state_id),
            supported_vendor_ids: c.supported_vendor_ids.clone(),
            applications: self.local_apps(),
            inband_security_ids: Vec::new(),
            firmware_revision: c.firmware_revision,
        }
    }

    /// Log `msg` on the dump target when it is enabled.
    pub(crate) fn dump(&self, direction: &str, peer: &str, msg: &Message) {
        if tracing::enabled!(target: "diameter::peer::msg", tracing::Level::DEBUG) {
            tracing::debug!(target: "diameter::peer::msg", "{direction} {peer}\n{}", dump(&self.dict, msg));
        }
    }
}

impl Node {
    /// A node with the shipped dictionaries.
    pub fn new(config: NodeConfig) -> Result<Node, Error> {
        let dict = Dictionary::shipped().map_err(|e| Error::Dictionary(e.to_string()))?;
        Ok(Self::with_dictionary(config, Arc::new(dict)))
    }

    /// A node reading and checking messages with `dict`.
    pub fn with_dictionary(config: NodeConfig, dict: Arc<Dictionary>) -> Node {
        let started = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as u32)
            .unwrap_or(1);
        let identity = Arc::new(Identity {
            origin_host: config.origin_host.clone(),
            origin_realm: config.realm.clone(),
            origin_state_id: started,
        });
        let (ready, _) = watch::channel(0);
        Node {
            shared: Arc::new(Shared {
                sessions: SessionIdGenerator::new(&config.origin_host),
                duplicates: Duplicates::new(config.duplicate_window),
                config,
                validator: Validator::new(dict.clone()),
                dict,
                identity,
                origin_state_id: started,
                setup: Mutex::new(Setup::default()),
                running: OnceLock::new(),
                end_to_end: Sequence::end_to_end(),
                pending: AtomicUsize::new(0),
                conn_ids: AtomicU64::new(1),
                ready,
            }),
        }
    }

    /// The node's configuration.
    pub fn config(&self) -> &NodeConfig {
        &self.shared.config
    }

    /// The node's Origin-Host.
    pub fn origin_host(&self) -> &str {
        &self.shared.config.origin_host
    }

    /// The node's Origin-Realm.
    pub fn realm(&self) -> &str {
        &self.shared.config.realm
    }

    /// The dictionary messages are checked and dumped with.
    pub fn dictionary(&self) -> &Arc<Dictionary> {
        &self.shared.dict
    }

    /// The node's Session-Id generator.
    pub fn session_generator(&self) -> &SessionIdGenerator {
        &self.shared.sessions
    }

    /// A new Session-Id.
    pub fn next_session_id(&self) -> String {
        self.shared.sessions.next_id()
    }

    /// A new End-to-End Identifier.
    pub fn next_end_to_end(&self) -> u32 {
        self.shared.end_to_end.next_id()
    }

    /// Add a peer to the table (before [`Node::start`]). An `aaas://` peer needs
    /// [`NodeConfig::tls`] with trust anchors.
    pub fn add_peer(&self, config: PeerConfig) -> Result<PeerRef, ConfigError> {
        let mut setup = self.setup()?;
        let tls = self.shared.config.tls.as_ref();
        if config.is_secure() && tls.and_then(|t| t.client()).is_none() {
            return Err(ConfigError::Tls(format!(
                "peer `{}` is aaas:// but the node's TLS configuration has no trust anchors",
                config.host()
            )));
        }
        let host = config.host().to_ascii_lowercase();
        if setup
            .peers
            .iter()
            .any(|p| p.host().eq_ignore_ascii_case(&host))
        {
            return Err(ConfigError::Duplicate(config.host().to_string()));
        }
        setup.peers.push(config);
        Ok(PeerRef(setup.peers.len() - 1))
    }

    /// Register a client application reaching `peers` (before [`Node::start`]). The
    /// application is advertised in CER/CEA.
    pub fn add_application(
        &self,
        app: AppId,
        peers: &[PeerRef],
    ) -> Result<Application, ConfigError> {
        self.register(app, peers, None, 0)
    }

    /// Register an application whose requests `handler` answers, with at most
    /// `max_concurrent` requests in progress (3004 DIAMETER_TOO_BUSY beyond). The
    /// returned handle also sends requests.
    pub fn add_server<H: Handler>(
        &self,
        app: AppId,
        peers: &[PeerRef],
        handler: H,
        max_concurrent: usize,
    ) -> Result<Application, ConfigError> {
        self.register(app, peers, Some(Arc::new(handler)), max_concurrent)
    }

    fn register(
        &self,
        app: AppId,
        peers: &[PeerRef],
        handler: Option<Arc<dyn Handler>>,
        max_concurrent: usize,
    ) -> Result<Application, ConfigError> {
        let mut setup = self.setup()?;
        if let Some(bad) = peers.iter().find(|p| p.0 >= setup.peers.len()) {
            return Err(ConfigError::UnknownPeer(format!("#{}", bad.0)));
        }
        setup.apps.push(LocalApp {
            id: app,
            peers: peers.iter().map(|p| p.0).collect(),
            handler,
            limit: Arc::new(Semaphore::new(max_concurrent.max(1))),
        });
        Ok(Application::new(self.clone(), setup.apps.len() - 1, app))
    }

    /// Replace the default peer selector ([`FewestOutstanding`]) (before [`Node::start`]).
    pub fn set_peer_selector<S: PeerSelector>(&self, selector: S) -> Result<(), ConfigError> {
        self.setup()?.selector = Some(Arc::new(selector));
        Ok(())
    }

    fn setup(&self) -> Result<std::sync::MutexGuard<'_, Setup>, ConfigError> {
        if self.shared.running.get().is_some() {
            return Err(ConfigError::Started);
        }
        self.shared.setup.lock().map_err(|_| ConfigError::Started)
    }

    /// Bind the listeners, start a task per peer and dial the persistent peers.
    pub async fn start(&self) -> Result<(), Error> {
        let (peer_configs, apps, selector) = {
            let mut setup = self.setup()?;
            let setup = std::mem::take(&mut *setup);
            (setup.peers, setup.apps, setup.selector)
        };
        let config = &self.shared.config;
        let tls_server = config.tls.as_ref().and_then(|t| t.server()).cloned();
        if !config.tls_listen.is_empty() && tls_server.is_none() {
            return Err(ConfigError::Tls(
                "TLS listeners need a certificate in the node's TLS configuration".into(),
            )
            .into());
        }
        let mut listeners = Vec::new();
        for addr in &config.listen {
            listeners.push((TcpListener::bind(addr).await?, None));
        }
        for addr in &config.tls_listen {
            listeners.push((TcpListener::bind(addr).await?, tls_server.clone()));
        }
        let bound = |secure: bool| -> Vec<SocketAddr> {
            listeners
                .iter()
                .filter(|(_, tls)| tls.is_some() == secure)
                .filter_map(|(l, _)| l.local_addr().ok())
                .collect()
        };
        let (listen_addrs, tls_listen_addrs) = (bound(false), bound(true));
        let mut peers = Vec::new();
        let mut receivers = Vec::new();
        let mut by_host = HashMap::new();
        for (i, pc) in peer_configs.into_iter().enumerate() {
            by_host.insert(pc.host().to_ascii_lowercase(), i);
            let (peer, rx) = Peer::new(i, pc, self.shared.config.timers, false);
            peers.push(peer);
            receivers.push(rx);
        }
        let mut local_apps: Vec<AppId> = Vec::new();
        for app in &apps {
            if !local_apps.contains(&app.id) {
                local_apps.push(app.id);
            }
        }
        let running = Running {
            peers: peers.clone(),
            by_host,
            dynamic: Mutex::new(HashMap::new()),
            apps,
            local_apps,
            selector: selector.unwrap_or_else(|| Arc::new(FewestOutstanding)),
            listen_addrs,
            tls_listen_addrs,
            tasks: Mutex::new(Vec::new()),
        };
        if self.shared.running.set(running).is_err() {
            return Err(ConfigError::Started.into());
        }
        let mut tasks = Vec::new();
        for (peer, rx) in peers.iter().zip(receivers) {
            let task = PeerTask::new(self.shared.clone(), peer.clone(), rx);
            tasks.push(tokio::spawn(task.run()));
            if peer.config.persistent {
                peer.send_event(PeerEvent::Start);
            }
        }
        for (listener, tls) in listeners {
            tasks.push(tokio::spawn(accept_loop(
                self.shared.clone(),
                listener,
                tls,
            )));
        }
        if let Some(r) = self.shared.running() {
            if let Ok(mut t) = r.tasks.lock() {
                t.extend(tasks);
            }
        }
        Ok(())
    }

    /// The addresses the node listens on (with the ports actually bound).
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        self.shared
            .running()
            .map(|r| r.listen_addrs.clone())
            .unwrap_or_default()
    }

    /// The addresses the node listens on with TLS (with the ports actually bound).
    pub fn tls_local_addrs(&self) -> Vec<SocketAddr> {
        self.shared
            .running()
            .map(|r| r.tls_listen_addrs.clone())
            .unwrap_or_default()
    }

    /// Send DPR (REBOOTING) to every open peer and wait, at most `timeout`, for the DPAs
    /// and the connections to close; then stop every task of the node.
    pub async fn stop(&self, timeout: Duration) {
        self.stop_with(DisconnectCause::Rebooting, timeout).await;
    }

    /// [`Node::stop`] with another Disconnect-Cause.
    pub async fn stop_with(&self, cause: DisconnectCause, timeout: Duration) {
        let Some(running) = self.shared.running() else {
            return;
        };
        let peers = running.all_peers();
        let mut waits = Vec::new();
        for peer in &peers {
            let (done, wait) = oneshot::channel();
            peer.send_event(PeerEvent::Stop { cause, done });
            waits.push(wait);
        }
        let _ = tokio::time::timeout(timeout, async {
            for w in waits {
                let _ = w.await;
            }
        })
        .await;
        if let Ok(mut tasks) = running.tasks.lock() {
            for t in tasks.drain(..) {
                t.abort();
            }
        }
        if let Ok(mut dynamic) = running.dynamic.lock() {
            for (_, d) in dynamic.drain() {
                d.task.abort();
            }
        }
        for peer in &peers {
            if let Ok(mut link) = peer.link.lock() {
                if let Some(conn) = link.take() {
                    conn.close();
                }
            }
            peer.ready.store(false, Ordering::Release);
        }
        self.shared.readiness_changed();
    }

    /// Statistics of every peer (the configured ones, then the dynamic ones).
    pub fn statistics(&self) -> Vec<PeerStats> {
        self.shared
            .running()
            .map(|r| {
                r.all_peers()
                    .iter()
                    .map(|p| p.stats.snapshot(p.is_ready()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Log the statistics as JSON on the `diameter::stats` target at info level.
    pub fn log_statistics(&self) {
        for s in self.statistics() {
            if let Ok(json) = serde_json::to_string(&s) {
                tracing::info!(target: "diameter::stats", "STATS={json}");
            }
        }
    }

    /// The state of the peer `host` in the RFC 6733 state machine.
    pub fn peer_state(&self, host: &str) -> Option<State> {
        Some(self.shared.running()?.peer(host)?.current_state())
    }

    /// Whether the peer `host` takes requests now.
    pub fn peer_ready(&self, host: &str) -> bool {
        self.shared
            .running()
            .and_then(|r| r.peer(host))
            .is_some_and(|p| p.is_ready())
    }

    /// The peers of the node (configured, then dynamic) with their connection.
    pub fn peers(&self) -> Vec<PeerInfo> {
        let Some(r) = self.shared.running() else {
            return Vec::new();
        };
        r.all_peers()
            .iter()
            .map(|p| {
                let link = p.link.lock().ok().and_then(|l| l.clone());
                PeerInfo {
                    host: p.host().to_string(),
                    realm: p.config.realm.clone(),
                    dynamic: p.dynamic,
                    ready: p.is_ready(),
                    remote_addr: link.as_ref().and_then(|c| c.remote_addr),
                    local_addr: link.as_ref().and_then(|c| c.local_addr),
                }
            })
            .collect()
    }

    /// Send DPR with `cause` to the peer `host` (configured or dynamic) and wait, at most
    /// `timeout`, for the DPA and the connection to close. `Ok(true)` once closed,
    /// `Ok(false)` when the wait ran out; a peer not in the table gives
    /// [`Error::Disconnected`]. A configured peer is not redialled afterwards.
    pub async fn disconnect_peer(
        &self,
        host: &str,
        cause: DisconnectCause,
        timeout: Duration,
    ) -> Result<bool, Error> {
        let r = self.shared.running().ok_or(Error::NotStarted)?;
        let peer = r
            .peer(host)
            .ok_or_else(|| Error::Disconnected(host.to_string()))?;
        let (done, wait) = oneshot::channel();
        peer.send_event(PeerEvent::Stop { cause, done });
        Ok(tokio::time::timeout(timeout, wait).await.is_ok())
    }

    /// The open connection of the peer `host` (configured or dynamic).
    pub(crate) fn peer_link(&self, host: &str) -> Result<Arc<Conn>, Error> {
        let r = self.shared.running().ok_or(Error::NotStarted)?;
        r.peer(host)
            .and_then(|p| p.link())
            .ok_or_else(|| Error::Disconnected(host.to_string()))
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Whether any peer of application `index` is ready.
    pub(crate) fn app_ready(&self, index: usize) -> bool {
        let Some(r) = self.shared.running() else {
            return false;
        };
        let Some(app) = r.apps.get(index) else {
            return false;
        };
        app.peers.iter().any(|p| r.peers[*p].is_ready())
            || r.peers
                .iter()
                .any(|p| p.config.default_route && p.is_ready())
    }

    pub(crate) fn watch_ready(&self) -> watch::Receiver<u64> {
        self.shared.ready.subscribe()
    }

    /// The connection for a request of application `index`: Destination-Host first, then
    /// Destination-Realm with the application, through the selector.
    pub(crate) fn route(&self, index: usize, msg: &Message) -> Result<Arc<Conn>, Error> {
        let r = self.shared.running().ok_or(Error::NotStarted)?;
        let app_id = msg.header.application_id;
        if let Some(host) = base::bytes_of(msg, avp::DESTINATION_HOST) {
            let peer = r
                .peers
                .iter()
                .find(|p| p.host().as_bytes().eq_ignore_ascii_case(&host))
                .cloned()
                .or_else(|| r.peer(std::str::from_utf8(&host).ok()?));
            if let Some(conn) = peer.filter(|p| p.supports(app_id)).and_then(|p| p.link()) {
                return Ok(conn);
            }
        }
        let realm = base::bytes_of(msg, avp::DESTINATION_REALM).unwrap_or_default();
        let listed = r.apps.get(index).map(|a| a.peers.as_slice()).unwrap_or(&[]);
        let candidates: Vec<&Arc<Peer>> = r
            .peers
            .iter()
            .filter(|p| {
                let matches = listed.contains(&p.index)
                    && p.config.realm.as_bytes().eq_ignore_ascii_case(&realm)
                    || p.config.default_route;
                matches && p.is_ready() && p.supports(app_id)
            })
            .collect();
        let pick = match candidates.len() {
            0 => None,
            1 => Some(0),
            _ => {
                let info: Vec<Candidate<'_>> = candidates
                    .iter()
                    .map(|p| Candidate {
                        host: p.host(),
                        realm: &p.config.realm,
                        outstanding: p.outstanding.load(Ordering::Relaxed),
                    })
                    .collect();
                Some(r.selector.select(&info).min(candidates.len() - 1))
            }
        };
        pick.and_then(|i| candidates[i].link())
            .ok_or_else(|| Error::NotRoutable {
                application: app_id,
                realm: String::from_utf8_lossy(&realm).into_owned(),
            })
    }
}

/// A peer of the node as [`Node::peers`] lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerInfo {
    /// The peer's DiameterIdentity.
    pub host: String,
    /// Its realm: as configured, or the Origin-Realm of its CER for a dynamic peer.
    pub realm: String,
    /// Accepted from a host not in the table.
    pub dynamic: bool,
    /// Open and taking requests.
    pub ready: bool,
    /// The other end of its connection, when connected.
    pub remote_addr: Option<SocketAddr>,
    /// Our end of its connection, when connected.
    pub local_addr: Option<SocketAddr>,
}

/// Accept connections; on a TLS listener, each runs the TLS handshake (bounded by the
/// CEA timer) before anything else, and one that fails is closed with a warning.
async fn accept_loop(
    shared: Arc<Shared>,
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
) {
    loop {
        match listener.accept().await {
            Ok((tcp, remote)) => {
                let _ = tcp.set_nodelay(true);
                let shared = shared.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    let stream = match tls {
                        None => Stream::from(tcp),
                        Some(tls) => {
                            let wait = shared.config.timers.cea;
                            match tokio::time::timeout(wait, tls::accept(&tls, tcp)).await {
                                Ok(Ok(stream)) => Stream::from(stream),
                                Ok(Err(e)) => {
                                    tracing::warn!(target: "diameter::node", %remote, "closing new connection: {e}");
                                    return;
                                }
                                Err(_) => {
                                    tracing::warn!(target: "diameter::node", %remote, "closing new connection: no TLS handshake within {wait:?}");
                                    return;
                                }
                            }
                        }
                    };
                    handshake(shared, stream).await;
                });
            }
            Err(e) => {
                tracing::warn!(target: "diameter::node", "accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// The first message on an accepted connection must be a CER from a peer in the table;
/// an unknown Origin-Host gets a dynamic peer when the node accepts unknown peers, else a
/// CEA with 3010 DIAMETER_UNKNOWN_PEER and the connection closes.
async fn handshake(shared: Arc<Shared>, stream: Stream) {
    let (local_addr, remote_addr, secure) = (stream.local_addr, stream.remote_addr, stream.secure);
    let mut reader = FrameReader::new(stream.read, shared.config.limits);
    let writer = Writer::spawn(stream.write);
    let wait = shared.config.timers.cea;
    let frame = match tokio::time::timeout(wait, reader.next_frame()).await {
        Ok(Ok(Some(frame))) => frame,
        Ok(Err(e)) => {
            tracing::warn!(target: "diameter::node", remote = ?remote_addr, "closing new connection: {e}");
            return writer.close();
        }
        _ => return writer.close(),
    };
    let cer = match Message::decode_with(frame, &shared.config.limits) {
        Ok(m)
            if m.is_request() && m.header.command_code == base::command::CAPABILITIES_EXCHANGE =>
        {
            m
        }
        Ok(_) => {
            tracing::warn!(target: "diameter::node", remote = ?remote_addr, "first message is not a CER, closing");
            return writer.close();
        }
        Err(e) => {
            tracing::warn!(target: "diameter::node", remote = ?remote_addr, "undecodable CER, closing: {e}");
            return writer.close();
        }
    };
    shared.dump(
        "RECV",
        &remote_addr.map(|a| a.to_string()).unwrap_or_default(),
        &cer,
    );
    let local = shared.capabilities(local_addr);
    let caps = match Capabilities::from_message(&cer) {
        Ok(caps) => caps,
        Err(e) => {
            let cea = capabilities::cea(&local, &cer, e.result_code, Some(&e.kind.to_string()));
            let _ = writer.send(cea.encode()).await;
            return writer.close();
        }
    };
    let incoming = Box::new(Incoming {
        reader,
        writer,
        cer,
        caps,
        local_addr,
        remote_addr,
        secure,
    });
    let Some(running) = shared.running() else {
        return incoming.writer.close();
    };
    let known = running
        .by_host
        .get(&incoming.caps.origin_host.to_ascii_lowercase())
        .map(|i| running.peers[*i].clone());
    if let Some(peer) = known {
        peer.stats
            .received(base::command::CAPABILITIES_EXCHANGE, true, None);
        return peer.send_event(PeerEvent::Incoming(incoming));
    }
    if shared.config.accept_unknown_peers {
        return to_dynamic_peer(&shared, running, incoming);
    }
    let origin_host = &incoming.caps.origin_host;
    tracing::warn!(target: "diameter::node", remote = ?remote_addr, "CER from unknown peer `{origin_host}`");
    let cea = capabilities::cea(
        &local,
        &incoming.cer,
        DIAMETER_UNKNOWN_PEER,
        Some("unknown peer"),
    );
    shared.dump("SENT", origin_host, &cea);
    let _ = incoming.writer.send(cea.encode()).await;
    incoming.writer.close();
}

/// Hand an accepted connection from a host not in the table to its dynamic peer, made
/// now unless a connection from the same host is already there (the state machine then
/// applies the election and duplicate rules). The event is sent under the table's lock,
/// so a peer retiring at the same moment sees it.
fn to_dynamic_peer(shared: &Arc<Shared>, running: &Running, incoming: Box<Incoming>) {
    let Ok(mut table) = running.dynamic.lock() else {
        return incoming.writer.close();
    };
    let host = incoming.caps.origin_host.clone();
    let entry = table
        .entry(host.to_ascii_lowercase())
        .or_insert_with(|| {
            let config = PeerConfig {
                uri: DiameterUri {
                    secure: incoming.secure,
                    fqdn: host.clone(),
                    port: None,
                    transport: None,
                    protocol: None,
                },
                realm: incoming.caps.origin_realm.clone(),
                ip_addresses: Vec::new(),
                persistent: false,
                default_route: false,
                timers: None,
                tls_server_name: None,
            };
            let (peer, rx) = Peer::new(usize::MAX, config, shared.config.timers, true);
            let task = tokio::spawn(PeerTask::new(shared.clone(), peer.clone(), rx).run());
            tracing::info!(target: "diameter::node", peer = %host, remote = ?incoming.remote_addr, "CER from a host not in the table: dynamic peer");
            Dynamic { peer, task }
        });
    entry
        .peer
        .stats
        .received(base::command::CAPABILITIES_EXCHANGE, true, None);
    entry.peer.send_event(PeerEvent::Incoming(incoming));
}
