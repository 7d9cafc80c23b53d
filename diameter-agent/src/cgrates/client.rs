//! One remote engine address: a supervisor task keeps a [`Connection`] to it, dialling again
//! with [backoff](super::backoff) after the link drops, and calls use whichever connection
//! is up.
//!
//! The first round makes up to `connect_attempts` attempts, each round after a drop up to
//! `reconnects` (unlimited when negative). When a round is exhausted the supervisor waits
//! until a call finds the address down, then starts a new round. A call never waits for a
//! down address: it fails at once with `DISCONNECTED` so that its pool tries the next one;
//! only while the very first attempt is in progress does it wait for the outcome (at most
//! `connect_timeout`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::net::TcpStream;
use tokio::sync::{watch, Notify};

use super::backoff::Backoff;
use super::connection::{Connection, Service};
use super::error::CallError;

/// How one address is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostSettings {
    /// `host:port`.
    pub address: String,
    /// `*birpc_json`: the engine may call the agent on the same link.
    pub bidirectional: bool,
    /// Attempts of the first round (at least 1).
    pub connect_attempts: u32,
    /// Attempts after a drop; `None`: unlimited.
    pub reconnects: Option<u32>,
    /// Limit of one connection attempt; `None`: the system's.
    pub connect_timeout: Option<Duration>,
    /// Limit of one call.
    pub reply_timeout: Duration,
    /// Longest delay between attempts.
    pub max_reconnect_interval: Duration,
}

/// Where the link to an address stands.
#[derive(Debug, Clone)]
enum LinkState {
    /// No attempt finished yet.
    Connecting,
    /// Connected.
    Up(Arc<Connection>),
    /// Not connected; the supervisor retries or waits for a call.
    Down,
}

/// One address of a pool.
pub struct Client {
    settings: HostSettings,
    service: Option<Arc<dyn Service>>,
    state: watch::Receiver<LinkState>,
    /// The state's sender until the supervisor starts (on first use, inside a runtime).
    unstarted: Mutex<Option<watch::Sender<LinkState>>>,
    /// Wakes a supervisor that gave up.
    wake: Arc<Notify>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("address", &self.settings.address)
            .field("state", &*self.state.borrow())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client of `settings.address`; requests of the engine go to `service` when the
    /// link is bidirectional. Nothing is dialled before the first call or [`Client::connect`].
    pub fn new(settings: HostSettings, service: Option<Arc<dyn Service>>) -> Client {
        let (tx, rx) = watch::channel(LinkState::Connecting);
        let service = if settings.bidirectional {
            service
        } else {
            None
        };
        Client {
            settings,
            service,
            state: rx,
            unstarted: Mutex::new(Some(tx)),
            wake: Arc::new(Notify::new()),
        }
    }

    /// The address.
    pub fn address(&self) -> &str {
        &self.settings.address
    }

    /// Whether a connection is up.
    pub fn is_connected(&self) -> bool {
        matches!(&*self.state.borrow(), LinkState::Up(c) if !c.is_closed())
    }

    /// Start dialling and wait until the first attempt is over (at most `connect_timeout`
    /// or the reply timeout); true when connected.
    pub async fn connect(&self) -> bool {
        self.start();
        let mut state = self.state.clone();
        let limit = self.first_attempt_limit();
        let _ = tokio::time::timeout(
            limit,
            state.wait_for(|s| !matches!(s, LinkState::Connecting)),
        )
        .await;
        self.is_connected()
    }

    /// Call `method` on this address.
    pub async fn call(&self, method: &str, params: &Value) -> Result<Value, CallError> {
        self.start();
        let mut state = self.state.clone();
        let current = state.borrow_and_update().clone();
        let current = match current {
            LinkState::Connecting => {
                let limit = self.first_attempt_limit();
                let waited = tokio::time::timeout(
                    limit,
                    state.wait_for(|s| !matches!(s, LinkState::Connecting)),
                )
                .await;
                match waited {
                    Ok(Ok(s)) => s.clone(),
                    _ => return Err(CallError::Disconnected("still connecting".into())),
                }
            }
            other => other,
        };
        match current {
            LinkState::Up(conn) => conn.call(method, params, self.settings.reply_timeout).await,
            _ => {
                self.wake.notify_one();
                Err(CallError::Disconnected(format!(
                    "no connection to {}",
                    self.settings.address
                )))
            }
        }
    }

    fn first_attempt_limit(&self) -> Duration {
        self.settings
            .connect_timeout
            .unwrap_or(self.settings.reply_timeout)
            .min(self.settings.reply_timeout)
    }

    /// Spawn the supervisor unless it runs.
    fn start(&self) {
        let sender = self
            .unstarted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(tx) = sender {
            tokio::spawn(supervise(
                self.settings.clone(),
                self.service.clone(),
                tx,
                self.wake.clone(),
            ));
        }
    }
}

/// Keep a connection to `settings.address` until the [`Client`] is dropped.
async fn supervise(
    settings: HostSettings,
    service: Option<Arc<dyn Service>>,
    state: watch::Sender<LinkState>,
    wake: Arc<Notify>,
) {
    let address = settings.address.clone();
    let mut backoff = Backoff::new(settings.max_reconnect_interval);
    let mut budget = Some(settings.connect_attempts);
    loop {
        if budget == Some(0) {
            tracing::warn!("<CGRateS> not connecting to {address} until a call needs it");
            tokio::select! {
                _ = state.closed() => return,
                _ = wake.notified() => {}
            }
            backoff.reset();
            budget = Some(settings.connect_attempts);
        }
        let attempt = async {
            match settings.connect_timeout {
                Some(limit) => tokio::time::timeout(limit, TcpStream::connect(&address))
                    .await
                    .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into())),
                None => TcpStream::connect(&address).await,
            }
        };
        let outcome = tokio::select! {
            _ = state.closed() => return,
            outcome = attempt => outcome,
        };
        match outcome {
            Ok(stream) => {
                tracing::info!("<CGRateS> connected to {address}");
                let conn = Arc::new(Connection::start(stream, service.clone()));
                state.send_replace(LinkState::Up(conn.clone()));
                backoff.reset();
                tokio::select! {
                    _ = state.closed() => return,
                    _ = conn.closed() => {}
                }
                tracing::warn!("<CGRateS> connection to {address} lost");
                state.send_replace(LinkState::Down);
                budget = settings.reconnects;
            }
            Err(e) => {
                tracing::debug!("<CGRateS> cannot connect to {address}: {e}");
                state.send_replace(LinkState::Down);
                if let Some(left) = budget.as_mut() {
                    *left = left.saturating_sub(1);
                }
                if budget != Some(0) {
                    tokio::select! {
                        _ = state.closed() => return,
                        _ = tokio::time::sleep(backoff.next_delay()) => {}
                    }
                }
            }
        }
    }
}
