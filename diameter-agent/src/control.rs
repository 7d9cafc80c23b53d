//! Session control: what the charging side asks of the Diameter side (CGRateS' `AgentV1`
//! service, spec §8). A remote CGRateS engine calls it over its bidirectional JSON-RPC link;
//! the embedded engine calls it when a session runs out of credit or an operator
//! disconnects one. The agent's [`Server`](crate::Server) implements it by sending ASR, RAR
//! or DPR to the peer the session came from.
//!
//! Backends are built before the server that serves their requests, so they hold a
//! [`ControlSlot`] that the server fills once it runs:
//!
//! ```
//! use diameter_agent::control::{ControlSlot, SessionControl};
//! let slot = ControlSlot::new();
//! assert!(slot.get().is_none()); // no server yet: control requests are refused
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use crate::backend::{BackendError, CgrEvent};

/// The future a [`SessionControl`] call returns; `Ok` is CGRateS' `"OK"` reply.
pub type ControlFuture<'a> = Pin<Box<dyn Future<Output = Result<(), BackendError>> + Send + 'a>>;

/// `AgentV1.DisconnectPeer` arguments (CGRateS' `DPRArgs`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DisconnectPeerArgs {
    /// The peer's Origin-Host, as in its CER.
    #[serde(rename = "OriginHost", default)]
    pub origin_host: String,
    /// The peer's Origin-Realm, as in its CER.
    #[serde(rename = "OriginRealm", default)]
    pub origin_realm: String,
    /// Disconnect-Cause to send (0 REBOOTING, 1 BUSY, 2 DO_NOT_WANT_TO_TALK_TO_YOU).
    #[serde(rename = "DisconnectCause", default)]
    pub disconnect_cause: i64,
    /// The peer's address (`ip:port`); when set it picks the connection.
    #[serde(rename = "RemoteAddr", default)]
    pub remote_addr: String,
}

/// The `AgentV1` calls. Errors are CGRateS' error texts (`MANDATORY_IE_MISSING: [OriginID]`,
/// `NOT_FOUND`, `TIMED_OUT`, `WRONG_DISCONNECT_CAUSE`, `SERVER_ERROR`, ...).
pub trait SessionControl: Send + Sync + 'static {
    /// `AgentV1.DisconnectSession`: `event.Event` is the session's start event plus
    /// `DisconnectCause`; by `forced_disconnect` nothing is sent, an ASR or an RAR.
    fn disconnect_session(&self, event: CgrEvent) -> ControlFuture<'_>;
    /// `AgentV1.AlterSession`: an RAR from `rar_template`, answered by an RAA with 2001.
    fn alter_session(&self, event: CgrEvent) -> ControlFuture<'_>;
    /// `AgentV1.DisconnectPeer`: a DPR to the peer, then the connection closes.
    fn disconnect_peer(&self, args: DisconnectPeerArgs) -> ControlFuture<'_>;
}

/// Where a backend finds the [`SessionControl`] of the server it serves, once that runs.
/// Clones share one slot.
#[derive(Clone, Default)]
pub struct ControlSlot(Arc<OnceLock<Arc<dyn SessionControl>>>);

impl ControlSlot {
    /// An empty slot.
    pub fn new() -> ControlSlot {
        ControlSlot::default()
    }

    /// Fill the slot; a slot is filled once, later calls are ignored and return `false`.
    pub fn set(&self, control: Arc<dyn SessionControl>) -> bool {
        self.0.set(control).is_ok()
    }

    /// The control, if a server has registered one.
    pub fn get(&self) -> Option<&Arc<dyn SessionControl>> {
        self.0.get()
    }
}

impl std::fmt::Debug for ControlSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ControlSlot")
            .field(&self.0.get().map(|_| "set"))
            .finish()
    }
}
