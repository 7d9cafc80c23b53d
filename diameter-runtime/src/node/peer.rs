//! One peer and the task that drives its state machine and watchdog: it opens and
//! accepts connections, exchanges CER/CEA, DWR/DWA and DPR/DPA, and redials persistent
//! peers with backoff. A dynamic peer (a host not in the table, accepted when the node
//! allows it) leaves the table and ends its task when its connection closes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::message::Message;
use crate::peer::base::{self, command, DisconnectCause};
use crate::peer::capabilities::{self, common_applications, AppId, Capabilities};
use crate::peer::watchdog::{tw, Watchdog, WatchdogAction, WatchdogEvent, WatchdogState};
use crate::peer::{Action, ConnId, Event, PeerFsm, Side, State};
use crate::transport::{tcp, tls, BoxRead, FrameReader, Stream, Writer};
use crate::wire::result_code::DIAMETER_SUCCESS;

use super::config::{PeerConfig, Timers};
use super::conn::Conn;
use super::ids::random_u64;
use super::stats::StatsCell;
use super::Shared;

/// A connection accepted by the listener whose CER names this peer.
pub(crate) struct Incoming {
    pub(crate) reader: FrameReader<BoxRead>,
    pub(crate) writer: Writer,
    pub(crate) cer: Message,
    pub(crate) caps: Capabilities,
    pub(crate) local_addr: Option<std::net::SocketAddr>,
    pub(crate) remote_addr: Option<std::net::SocketAddr>,
    /// The connection runs TLS.
    pub(crate) secure: bool,
}

/// What the peer task reacts to.
pub(crate) enum PeerEvent {
    Start,
    Stop {
        cause: DisconnectCause,
        done: oneshot::Sender<()>,
    },
    Connected {
        attempt: u64,
        result: std::io::Result<Stream>,
    },
    Incoming(Box<Incoming>),
    Control {
        conn: u64,
        msg: Message,
    },
    Closed {
        conn: u64,
    },
}

/// A peer, shared by the node, its connections and its task.
pub(crate) struct Peer {
    pub(crate) index: usize,
    pub(crate) config: PeerConfig,
    /// Not configured: made for an accepted connection, gone when it closes.
    pub(crate) dynamic: bool,
    pub(crate) timers: Timers,
    events: mpsc::UnboundedSender<PeerEvent>,
    /// The open connection that carries requests.
    pub(crate) link: Mutex<Option<Arc<Conn>>>,
    /// Open and the watchdog says OKAY.
    pub(crate) ready: AtomicBool,
    /// The applications negotiated in CER/CEA.
    pub(crate) applications: Mutex<Vec<AppId>>,
    pub(crate) state: Mutex<State>,
    pub(crate) outstanding: AtomicUsize,
    pub(crate) stats: StatsCell,
}

impl Peer {
    /// A peer at `index` in the table, or a dynamic one.
    pub(crate) fn new(
        index: usize,
        config: PeerConfig,
        timers: Timers,
        dynamic: bool,
    ) -> (Arc<Peer>, mpsc::UnboundedReceiver<PeerEvent>) {
        let (events, rx) = mpsc::unbounded_channel();
        let host = config.host().to_string();
        let peer = Arc::new(Peer {
            index,
            timers: config.timers.unwrap_or(timers),
            stats: StatsCell::new(&host),
            config,
            dynamic,
            events,
            link: Mutex::new(None),
            ready: AtomicBool::new(false),
            applications: Mutex::new(Vec::new()),
            state: Mutex::new(State::Closed),
            outstanding: AtomicUsize::new(0),
        });
        (peer, rx)
    }

    /// The peer's DiameterIdentity as configured.
    pub(crate) fn host(&self) -> &str {
        self.config.host()
    }

    pub(crate) fn send_event(&self, event: PeerEvent) {
        let _ = self.events.send(event);
    }

    pub(crate) fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// The connection to send requests on, when ready.
    pub(crate) fn link(&self) -> Option<Arc<Conn>> {
        if !self.is_ready() {
            return None;
        }
        self.link.lock().ok()?.clone()
    }

    /// Whether the peer negotiated `app` (or is a relay).
    pub(crate) fn supports(&self, app_id: u32) -> bool {
        self.applications.lock().is_ok_and(|apps| {
            apps.iter()
                .any(|a| a.id == app_id || a.id == capabilities::RELAY_APPLICATION_ID)
        })
    }

    pub(crate) fn current_state(&self) -> State {
        self.state.lock().map(|s| *s).unwrap_or(State::Closed)
    }
}

/// Connect to the peer: TCP, then the TLS handshake for an `aaas://` peer (within the
/// connect timer too), before any Diameter message.
async fn dial(peer: &Peer, tls: Option<Arc<rustls::ClientConfig>>) -> std::io::Result<Stream> {
    let addrs = peer.config.dial_addresses().await?;
    let tcp = tcp::connect(&addrs, peer.timers.connect).await?;
    if !peer.config.is_secure() {
        return Ok(Stream::from(tcp));
    }
    let Some(tls) = tls else {
        return Err(std::io::Error::other(
            "aaas:// peer but the node has no TLS trust anchors",
        ));
    };
    let name = peer.config.server_name();
    match tokio::time::timeout(peer.timers.connect, tls::connect(&tls, name, tcp)).await {
        Ok(stream) => stream.map(Stream::from),
        Err(_) => Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!("TLS handshake with {name}: no answer"),
        )),
    }
}

/// The task owning one peer's state machine.
pub(crate) struct PeerTask {
    shared: Arc<Shared>,
    peer: Arc<Peer>,
    rx: mpsc::UnboundedReceiver<PeerEvent>,
    fsm: PeerFsm,
    watchdog: Watchdog,
    i_conn: Option<Arc<Conn>>,
    r_conn: Option<Arc<Conn>>,
    /// Accepted connections waiting for the state machine's verdict.
    incoming: HashMap<ConnId, Incoming>,
    /// The CER and negotiated applications of the accepted `R` connection.
    r_cer: Option<(Message, Vec<AppId>)>,
    state_deadline: Option<Instant>,
    watchdog_deadline: Option<Instant>,
    redial_at: Option<Instant>,
    attempt: u64,
    failures: u32,
    /// The peer asked not to be redialled, or the node stops.
    no_redial: bool,
    stop_cause: DisconnectCause,
    stopping: Vec<oneshot::Sender<()>>,
    /// The connection went down after a DPR/DPA exchange, not a failure.
    clean_close: bool,
}

impl PeerTask {
    pub(crate) fn new(
        shared: Arc<Shared>,
        peer: Arc<Peer>,
        rx: mpsc::UnboundedReceiver<PeerEvent>,
    ) -> Self {
        let fsm = PeerFsm::new(shared.config.origin_host.clone());
        PeerTask {
            shared,
            peer,
            rx,
            fsm,
            watchdog: Watchdog::new(),
            i_conn: None,
            r_conn: None,
            incoming: HashMap::new(),
            r_cer: None,
            state_deadline: None,
            watchdog_deadline: None,
            redial_at: None,
            attempt: 0,
            failures: 0,
            no_redial: false,
            stop_cause: DisconnectCause::Rebooting,
            stopping: Vec::new(),
            clean_close: false,
        }
    }

    pub(crate) async fn run(mut self) {
        loop {
            let deadline = [self.state_deadline, self.watchdog_deadline, self.redial_at]
                .into_iter()
                .flatten()
                .min();
            let event = match deadline {
                Some(at) => tokio::select! {
                    ev = self.rx.recv() => ev.map(Some),
                    _ = tokio::time::sleep_until(at) => Some(None),
                },
                None => self.rx.recv().await.map(Some),
            };
            match event {
                Some(Some(ev)) => self.on_event(ev),
                Some(None) => self.on_timer(),
                None => break,
            }
            if self.peer.dynamic && self.fsm.state() == State::Closed && self.retire() {
                break;
            }
        }
        self.close_all();
    }

    /// Take a closed dynamic peer out of the node's table, unless an event (a new
    /// connection from the same host) is already on its way: the node hands events to
    /// dynamic peers under the table's lock, so none can follow.
    fn retire(&mut self) -> bool {
        let Some(running) = self.shared.running() else {
            return true;
        };
        let Ok(mut table) = running.dynamic.lock() else {
            return true;
        };
        if !self.rx.is_empty() {
            return false;
        }
        let key = self.peer.host().to_ascii_lowercase();
        if table
            .get(&key)
            .is_some_and(|d| Arc::ptr_eq(&d.peer, &self.peer))
        {
            table.remove(&key);
        }
        tracing::debug!(target: "diameter::peer", peer = self.peer.host(), "dynamic peer closed, removed");
        true
    }

    fn on_timer(&mut self) {
        let now = Instant::now();
        if self.state_deadline.is_some_and(|t| t <= now) {
            self.state_deadline = None;
            self.feed(Event::Timeout, None);
        }
        if self.watchdog_deadline.is_some_and(|t| t <= now) {
            self.watchdog_deadline = None;
            // Traffic since the timer was set counts as a received message (which
            // would have re-armed the timer) in the states where it matters.
            let active = self
                .open_conn()
                .is_some_and(|c| c.activity.swap(false, Ordering::Relaxed))
                && matches!(
                    self.watchdog.state(),
                    WatchdogState::Okay | WatchdogState::Suspect
                );
            let event = if active {
                WatchdogEvent::ReceiveOther
            } else {
                WatchdogEvent::TimerExpired
            };
            self.watchdog_event(event);
        }
        if self.redial_at.is_some_and(|t| t <= now) {
            self.redial_at = None;
            if self.fsm.state() == State::Closed && !self.no_redial {
                self.feed(Event::Start, None);
            }
        }
    }

    fn on_event(&mut self, event: PeerEvent) {
        match event {
            PeerEvent::Start => {
                if self.fsm.state() == State::Closed {
                    self.feed(Event::Start, None);
                }
            }
            PeerEvent::Stop { cause, done } => {
                self.no_redial = true;
                self.redial_at = None;
                self.stop_cause = cause;
                self.stopping.push(done);
                self.feed(Event::Stop, None);
            }
            PeerEvent::Connected { attempt, result } => {
                if attempt != self.attempt || self.fsm.state() != State::WaitConnAck {
                    return;
                }
                match result {
                    Ok(stream) => {
                        let conn = self.new_conn(
                            Writer::spawn(stream.write),
                            stream.local_addr,
                            stream.remote_addr,
                        );
                        let reader = FrameReader::new(stream.read, self.shared.config.limits);
                        conn.start_reader(self.shared.clone(), reader);
                        self.i_conn = Some(conn);
                        self.feed(Event::IRcvConnAck, None);
                    }
                    Err(e) => {
                        tracing::warn!(target: "diameter::peer", peer = self.peer.host(), "connect failed: {e}");
                        self.feed(Event::IRcvConnNack, None);
                    }
                }
            }
            PeerEvent::Incoming(inc) => {
                let id = self.shared.next_conn_id();
                let result_code = if self.shared.local_apps().is_empty() {
                    DIAMETER_SUCCESS
                } else {
                    capabilities::check_cer(&self.shared.local_apps(), &inc.caps)
                };
                let origin_host = inc.caps.origin_host.clone();
                self.incoming.insert(id, *inc);
                self.feed(
                    Event::RConnCer {
                        conn: id,
                        origin_host,
                        result_code,
                    },
                    None,
                );
                // Whatever the machine did not take is closed.
                if let Some(inc) = self.incoming.remove(&id) {
                    inc.writer.close();
                }
            }
            PeerEvent::Control { conn, msg } => self.on_message(conn, msg),
            PeerEvent::Closed { conn } => {
                if let Some(side) = self.side_of(conn) {
                    self.feed(Event::PeerDisc(side), None);
                }
            }
        }
    }

    fn side_of(&self, conn: u64) -> Option<Side> {
        if self.i_conn.as_ref().is_some_and(|c| c.id == conn) {
            Some(Side::I)
        } else if self.r_conn.as_ref().is_some_and(|c| c.id == conn) {
            Some(Side::R)
        } else {
            None
        }
    }

    fn on_message(&mut self, conn: u64, msg: Message) {
        let Some(side) = self.side_of(conn) else {
            return;
        };
        let code = msg.header.command_code;
        let request = msg.is_request();
        self.peer.stats.received(
            code,
            request,
            (!request).then(|| base::result_code(&msg)).flatten(),
        );
        let event = match (code, request) {
            (command::CAPABILITIES_EXCHANGE, false) if side == Side::I => Event::IRcvCea {
                accepted: self.check_cea(&msg),
            },
            _ if side == Side::I && self.fsm.state() == State::WaitICea => Event::IRcvNonCea,
            (command::DEVICE_WATCHDOG, true) => Event::RcvDwr(side),
            (command::DEVICE_WATCHDOG, false) => Event::RcvDwa(side),
            (command::DISCONNECT_PEER, true) => {
                match capabilities::disconnect_cause(&msg) {
                    DisconnectCause::DoNotWantToTalkToYou => self.no_redial = true,
                    DisconnectCause::Busy => self.failures = self.failures.max(16),
                    DisconnectCause::Rebooting => {}
                }
                self.clean_close = true;
                Event::RcvDpr(side)
            }
            (command::DISCONNECT_PEER, false) => Event::RcvDpa(side),
            (command::CAPABILITIES_EXCHANGE, _) => return,
            _ => Event::RcvMessage(side),
        };
        self.feed(event, Some(msg));
    }

    /// Whether a CEA accepts us: 2001 and at least one application in common.
    fn check_cea(&mut self, cea: &Message) -> bool {
        let code = base::result_code(cea);
        let Ok(caps) = Capabilities::from_message(cea) else {
            return false;
        };
        if code != Some(DIAMETER_SUCCESS) {
            tracing::warn!(target: "diameter::peer", peer = self.peer.host(), "CEA refused with Result-Code {code:?}");
            if code == Some(crate::wire::result_code::DIAMETER_UNKNOWN_PEER) {
                self.failures = self.failures.max(16);
            }
            return false;
        }
        let local = self.shared.local_apps();
        let common = if local.is_empty() {
            caps.applications.clone()
        } else {
            common_applications(&local, &caps)
        };
        if common.is_empty() && !local.is_empty() {
            tracing::warn!(target: "diameter::peer", peer = self.peer.host(), "no common application in CEA");
            return false;
        }
        if let Ok(mut apps) = self.peer.applications.lock() {
            *apps = common;
        }
        true
    }

    fn feed(&mut self, event: Event, msg: Option<Message>) {
        let actions = self.fsm.handle(event);
        for action in actions {
            self.apply(action, msg.as_ref());
        }
        if let Ok(mut s) = self.peer.state.lock() {
            *s = self.fsm.state();
        }
        if self.fsm.state() == State::Closed {
            self.after_close();
        }
    }

    fn after_close(&mut self) {
        for done in self.stopping.drain(..) {
            let _ = done.send(());
        }
        if self.peer.config.persistent && !self.no_redial && self.redial_at.is_none() {
            let backoff = Duration::from_millis(100)
                .saturating_mul(1 << self.failures.min(16))
                .min(self.peer.timers.reconnect_wait);
            self.failures += 1;
            self.redial_at = Some(Instant::now() + backoff);
        }
    }

    fn new_conn(
        &self,
        writer: Writer,
        local: Option<std::net::SocketAddr>,
        remote: Option<std::net::SocketAddr>,
    ) -> Arc<Conn> {
        Conn::new(
            self.shared.next_conn_id(),
            self.peer.clone(),
            writer,
            local,
            remote,
        )
    }

    fn conn(&self, side: Side) -> Option<&Arc<Conn>> {
        match side {
            Side::I => self.i_conn.as_ref(),
            Side::R => self.r_conn.as_ref(),
        }
    }

    fn open_conn(&self) -> Option<&Arc<Conn>> {
        self.fsm.state().open_side().and_then(|s| self.conn(s))
    }

    /// Our capabilities as seen on `conn` (Host-IP-Address from its local address
    /// unless configured).
    fn local_caps(&self, local_addr: Option<std::net::SocketAddr>) -> Capabilities {
        self.shared.capabilities(local_addr)
    }

    fn send(&self, conn: &Arc<Conn>, mut msg: Message) {
        if msg.is_request() {
            msg.header.hop_by_hop = conn.hop_by_hop.next_id();
            msg.header.end_to_end = self.shared.end_to_end.next_id();
        }
        self.peer.stats.sent(
            msg.header.command_code,
            msg.is_request(),
            (!msg.is_request())
                .then(|| base::result_code(&msg))
                .flatten(),
        );
        self.shared.dump("SENT", self.peer.host(), &msg);
        if conn.writer.try_send(msg.encode()).is_err() {
            tracing::warn!(target: "diameter::peer", peer = self.peer.host(), "could not queue a base protocol message");
        }
    }

    fn apply(&mut self, action: Action, msg: Option<&Message>) {
        match action {
            Action::Connect => {
                self.attempt += 1;
                let attempt = self.attempt;
                let peer = self.peer.clone();
                let tls = self
                    .shared
                    .config
                    .tls
                    .as_ref()
                    .and_then(|t| t.client())
                    .cloned();
                tokio::spawn(async move {
                    let result = dial(&peer, tls).await;
                    if let Err(e) = &result {
                        peer.stats.connect_failed(e.to_string());
                    }
                    peer.send_event(PeerEvent::Connected { attempt, result });
                });
            }
            Action::SendCer => {
                if let Some(conn) = self.i_conn.clone() {
                    let cer = capabilities::cer(&self.local_caps(conn.local_addr));
                    self.send(&conn, cer);
                }
            }
            Action::Accept(id) => {
                if let Some(inc) = self.incoming.remove(&id) {
                    let local = self.shared.local_apps();
                    let common = if local.is_empty() {
                        inc.caps.applications.clone()
                    } else {
                        common_applications(&local, &inc.caps)
                    };
                    let conn = Conn::new(
                        id,
                        self.peer.clone(),
                        inc.writer,
                        inc.local_addr,
                        inc.remote_addr,
                    );
                    conn.start_reader(self.shared.clone(), inc.reader);
                    self.r_conn = Some(conn);
                    self.r_cer = Some((inc.cer, common));
                }
            }
            Action::SendCea { conn, result_code } => {
                if let Some(inc) = self.incoming.get(&conn) {
                    let caps = self.local_caps(inc.local_addr);
                    let cea = capabilities::cea(&caps, &inc.cer, result_code, None);
                    self.shared.dump("SENT", self.peer.host(), &cea);
                    let _ = inc.writer.try_send(cea.encode());
                } else if let (Some(c), Some((cer, common))) = (self.r_conn.clone(), &self.r_cer) {
                    if c.id == conn {
                        if let Ok(mut apps) = self.peer.applications.lock() {
                            *apps = common.clone();
                        }
                        let cea = capabilities::cea(
                            &self.local_caps(c.local_addr),
                            cer,
                            result_code,
                            None,
                        );
                        self.send(&c, cea);
                    }
                }
            }
            Action::Reject(id) => {
                if let Some(inc) = self.incoming.remove(&id) {
                    inc.writer.close();
                }
            }
            Action::SendDpr(side) => {
                if let Some(conn) = self.conn(side).cloned() {
                    self.clean_close = true;
                    let dpr = capabilities::dpr(&self.local_caps(conn.local_addr), self.stop_cause);
                    self.send(&conn, dpr);
                }
            }
            Action::SendDpa(side) => {
                if let (Some(conn), Some(dpr)) = (self.conn(side).cloned(), msg) {
                    let dpa = capabilities::dpa(&self.local_caps(conn.local_addr), dpr);
                    self.send(&conn, dpa);
                }
            }
            Action::SendDwa(side) => {
                if let (Some(conn), Some(dwr)) = (self.conn(side).cloned(), msg) {
                    let dwa = capabilities::dwa(&self.local_caps(conn.local_addr), dwr);
                    self.send(&conn, dwa);
                }
                self.watchdog_event(WatchdogEvent::ReceiveOther);
            }
            Action::ProcessDwa(_) => self.watchdog_event(WatchdogEvent::ReceiveDwa),
            Action::SendMessage(_) => {}
            Action::Process(side) => {
                // A message that raced the opening of the connection.
                if let (Some(conn), Some(msg)) = (self.conn(side).cloned(), msg.cloned()) {
                    let shared = self.shared.clone();
                    tokio::spawn(async move {
                        if msg.is_request() {
                            super::dispatch::request(&shared, &conn, msg).await;
                        }
                    });
                }
            }
            Action::Disconnect(side) => {
                let conn = match side {
                    Side::I => self.i_conn.take(),
                    Side::R => {
                        self.r_cer = None;
                        self.r_conn.take()
                    }
                };
                if let Some(conn) = conn {
                    conn.close();
                }
            }
            Action::Error => self.close_all(),
            Action::SetTimer => {
                let t = &self.peer.timers;
                let wait = match self.fsm.state() {
                    State::WaitConnAck => t.connect + t.cea,
                    State::Closing => t.dpa,
                    _ => t.cea,
                };
                self.state_deadline = Some(Instant::now() + wait);
            }
            Action::CancelTimer => self.state_deadline = None,
            Action::Up(side) => self.up(side),
            Action::Down => self.down(),
        }
    }

    fn up(&mut self, side: Side) {
        let Some(conn) = self.conn(side).cloned() else {
            return;
        };
        conn.open.store(true, Ordering::Release);
        if let Ok(mut link) = self.peer.link.lock() {
            *link = Some(conn.clone());
        }
        self.clean_close = false;
        self.failures = 0;
        self.peer.stats.connected();
        tracing::info!(target: "diameter::peer", peer = self.peer.host(), remote = ?conn.remote_addr, "peer open");
        self.watchdog_event(WatchdogEvent::ConnectionUp);
    }

    fn down(&mut self) {
        if let Ok(mut link) = self.peer.link.lock() {
            *link = None;
        }
        if self.clean_close {
            self.watchdog.reset();
            self.watchdog_deadline = None;
        } else {
            self.watchdog_event(WatchdogEvent::ConnectionDown);
        }
        self.set_ready(false);
        tracing::info!(target: "diameter::peer", peer = self.peer.host(), "peer down");
    }

    fn set_ready(&self, ready: bool) {
        if self.peer.ready.swap(ready, Ordering::AcqRel) != ready {
            self.shared.readiness_changed();
        }
    }

    fn watchdog_event(&mut self, event: WatchdogEvent) {
        for action in self.watchdog.handle(event) {
            match action {
                WatchdogAction::SendDwr => {
                    if let Some(conn) = self.open_conn().cloned() {
                        let dwr = capabilities::dwr(&self.local_caps(conn.local_addr));
                        self.send(&conn, dwr);
                    }
                }
                WatchdogAction::SetTimer => {
                    let wait = tw(self.peer.timers.watchdog, random_u64());
                    self.watchdog_deadline = Some(Instant::now() + wait);
                }
                WatchdogAction::Failover | WatchdogAction::Failback => {}
                WatchdogAction::CloseConnection => {
                    if let Some(side) = self.fsm.state().open_side() {
                        tracing::warn!(target: "diameter::peer", peer = self.peer.host(), "watchdog: no DWA, closing");
                        if let Some(conn) = self.conn(side) {
                            conn.close();
                        }
                        self.feed(Event::PeerDisc(side), None);
                    }
                }
                // Redials are driven by the backoff timer of persistent peers.
                WatchdogAction::AttemptOpen => {}
            }
        }
        let routable = self.fsm.state().is_open() && self.watchdog.routable();
        self.set_ready(routable);
    }

    fn close_all(&mut self) {
        for conn in [self.i_conn.take(), self.r_conn.take()]
            .into_iter()
            .flatten()
        {
            conn.close();
        }
        self.r_cer = None;
        for (_, inc) in self.incoming.drain() {
            inc.writer.close();
        }
    }
}
