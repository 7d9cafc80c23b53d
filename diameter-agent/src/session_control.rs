//! The server's [`SessionControl`]: CGRateS' `AgentV1` calls turned into agent-initiated
//! Diameter requests (spec §8).
//!
//! * `DisconnectSession` (event with `OriginID`): by `forced_disconnect`, nothing (`*none`),
//!   an ASR (`*asr`) or an RAR (`*rar`, as `AlterSession`). The ASR is built from
//!   `asr_template` against the request kept for the session and sent on the connection of
//!   the peer it came from; the call answers once the ASR is handed to that connection,
//!   without waiting for the ASA (as CGRateS; the ASA's Result-Code is logged). It is a
//!   proper Abort-Session-Request, command 274 (see [`crate::outgoing`]).
//! * `AlterSession`: an RAR from `rar_template`, answered within 1 second by an RAA with
//!   Result-Code 2001; else `TIMED_OUT`, `Wrong result code: <n>` or `Missing AVP`.
//! * `DisconnectPeer`: a DPR with the Disconnect-Cause (0..2, else
//!   `WRONG_DISCONNECT_CAUSE`) to the peer at `RemoteAddr`, else to the first peer with that
//!   Origin-Host (and Origin-Realm, for a peer accepted from its CER); `NOT_FOUND` without
//!   one. The call waits up to 10 seconds for the DPA and the connection to close. The DPR
//!   carries Application-Id 0 (CGRateS puts 4 there).
//!
//! A session without a kept request (unknown, ended, or the template not configured)
//! gives `MANDATORY_IE_MISSING`, as with CGRateS; an event without `OriginID` gives
//! `MANDATORY_IE_MISSING: [OriginID]`; a template that cannot be applied or a connection
//! that is gone gives `SERVER_ERROR: <reason>`.
//!
//! The calls run on the server's runtime whatever runtime or thread awaits them, and fail
//! with `SERVER_ERROR` once the server is stopped.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use diameter_runtime::app::Application;
use diameter_runtime::node::{self, Node};
use diameter_runtime::peer::base::DisconnectCause;
use diameter_runtime::wire::result_code::DIAMETER_SUCCESS;
use serde_json::Value;

use crate::agent::result_code;
use crate::backend::{BackendError, CgrEvent};
use crate::control::{ControlFuture, DisconnectPeerArgs, SessionControl};
use crate::outgoing::{Outgoing, RequestBuilder};
use crate::request_cache::{CachedSession, RequestCache};

/// How long an RAR waits for its RAA (CGRateS: 1 second).
pub const RAA_WAIT: Duration = Duration::from_secs(1);
/// How long a DPR waits for its DPA and the connection to close (CGRateS: 10 seconds).
pub const DPA_WAIT: Duration = Duration::from_secs(10);
/// How long the ASA of an ASR is waited for, in the background, to log it.
pub const ASA_WAIT: Duration = Duration::from_secs(10);

/// What the controller needs from a running server.
pub(crate) struct Live {
    /// The server's node.
    pub(crate) node: Node,
    /// An application of the node, to send requests with.
    pub(crate) sender: Option<Application>,
    /// Builds ASR/RAR from the templates.
    pub(crate) builder: RequestBuilder,
    /// The kept client requests.
    pub(crate) cache: Arc<RequestCache>,
    /// The server's runtime.
    pub(crate) runtime: tokio::runtime::Handle,
}

/// The agent's [`SessionControl`]; see the module documentation.
pub struct SessionController {
    forced_disconnect: String,
    live: RwLock<Option<Arc<Live>>>,
}

impl std::fmt::Debug for SessionController {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionController")
            .field("forced_disconnect", &self.forced_disconnect)
            .field("running", &self.live().is_ok())
            .finish()
    }
}

fn server_error(reason: impl std::fmt::Display) -> BackendError {
    BackendError(format!("SERVER_ERROR: {reason}"))
}

fn error(text: &str) -> BackendError {
    BackendError(text.to_string())
}

/// The `OriginID` of the event, as text.
fn origin_id(event: &CgrEvent) -> Result<String, BackendError> {
    match event.event.get("OriginID") {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        _ => Err(error("MANDATORY_IE_MISSING: [OriginID]")),
    }
}

impl SessionController {
    /// A controller acting by `forced_disconnect` (`*none`, `*asr`, `*rar`), not yet
    /// attached to a server.
    pub(crate) fn new(forced_disconnect: &str) -> SessionController {
        SessionController {
            forced_disconnect: forced_disconnect.to_string(),
            live: RwLock::new(None),
        }
    }

    /// Start acting through a running server.
    pub(crate) fn attach(&self, live: Live) {
        *self.live.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(live));
    }

    /// Stop acting (the server stops): later calls fail with `SERVER_ERROR`.
    pub(crate) fn detach(&self) {
        *self.live.write().unwrap_or_else(|e| e.into_inner()) = None;
    }

    fn live(&self) -> Result<Arc<Live>, BackendError> {
        self.live
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .ok_or_else(|| server_error("the agent is not running"))
    }

    /// The sessions whose requests are kept (empty without `asr_template`/`rar_template`).
    pub fn sessions(&self) -> Vec<CachedSession> {
        self.live().map(|l| l.cache.list()).unwrap_or_default()
    }

    /// Run `work` on the server's runtime and wait for it from any executor.
    fn on_server<F>(&self, work: impl FnOnce(Arc<Live>) -> F + Send + 'static) -> ControlFuture<'_>
    where
        F: std::future::Future<Output = Result<(), BackendError>> + Send + 'static,
    {
        let live = self.live();
        Box::pin(async move {
            let live = live?;
            let runtime = live.runtime.clone();
            runtime
                .spawn(work(live))
                .await
                .unwrap_or_else(|e| Err(server_error(e)))
        })
    }
}

impl Live {
    /// The kept request of `origin_id` and the `kind` request built from it.
    fn build(
        &self,
        kind: Outgoing,
        origin_id: &str,
    ) -> Result<
        (
            crate::request_cache::CachedRequest,
            diameter_runtime::message::Message,
        ),
        BackendError,
    > {
        let cached = match self.cache.get(origin_id) {
            Some(c) if self.builder.enabled(kind) => c,
            _ => {
                tracing::warn!(
                    "<DiameterAgent> cannot retrieve message from cache with OriginID: <{origin_id}> ({}{origin_id})",
                    kind.cache_prefix()
                );
                return Err(error("MANDATORY_IE_MISSING"));
            }
        };
        let request = self
            .builder
            .build(kind, &cached.message, cached.remote)
            .map_err(|e| {
                tracing::warn!("<DiameterAgent> cannot build the {kind:?} for <{origin_id}>: {e}");
                server_error(e)
            })?;
        Ok((cached, request))
    }

    fn sender(&self) -> Result<&Application, BackendError> {
        self.sender
            .as_ref()
            .ok_or_else(|| server_error("no application to send requests with"))
    }

    /// Send the ASR of `origin_id`; the ASA is awaited in the background.
    async fn abort_session(self: Arc<Self>, origin_id: String) -> Result<(), BackendError> {
        let (cached, asr) = self.build(Outgoing::Asr, &origin_id)?;
        if !self.node.peer_ready(&cached.peer) {
            return Err(server_error(node::Error::Disconnected(cached.peer)));
        }
        let sender = self.sender()?.clone();
        tokio::spawn(async move {
            match sender.send_request_to(&cached.peer, asr, ASA_WAIT).await {
                Ok(asa) => match result_code(&asa) {
                    Some(DIAMETER_SUCCESS) => {
                        tracing::info!(peer = %cached.peer, "<DiameterAgent> session <{origin_id}> aborted (ASA 2001)")
                    }
                    code => {
                        tracing::warn!(peer = %cached.peer, "<DiameterAgent> ASA for <{origin_id}> with Result-Code {code:?}")
                    }
                },
                Err(e) => {
                    tracing::warn!(peer = %cached.peer, "<DiameterAgent> ASR for <{origin_id}>: {e}")
                }
            }
        });
        Ok(())
    }

    /// Send the RAR of `origin_id` and check its RAA.
    async fn re_auth(self: Arc<Self>, origin_id: String) -> Result<(), BackendError> {
        let (cached, rar) = self.build(Outgoing::Rar, &origin_id)?;
        let raa = match self
            .sender()?
            .send_request_to(&cached.peer, rar, RAA_WAIT)
            .await
        {
            Ok(raa) => raa,
            Err(node::Error::Timeout(_)) => return Err(error("TIMED_OUT")),
            Err(e) => return Err(server_error(e)),
        };
        match result_code(&raa) {
            Some(DIAMETER_SUCCESS) => Ok(()),
            Some(code) => Err(BackendError(format!("Wrong result code: {code}"))),
            None => Err(error("Missing AVP")),
        }
    }

    /// Send a DPR to the peer `args` names and wait for the connection to close.
    async fn disconnect_peer(
        self: Arc<Self>,
        args: DisconnectPeerArgs,
    ) -> Result<(), BackendError> {
        let cause = match args.disconnect_cause {
            0 => DisconnectCause::Rebooting,
            1 => DisconnectCause::Busy,
            2 => DisconnectCause::DoNotWantToTalkToYou,
            _ => return Err(error("WRONG_DISCONNECT_CAUSE")),
        };
        let peers = self.node.peers();
        let by_addr = (!args.remote_addr.is_empty())
            .then(|| {
                peers.iter().find(|p| {
                    p.remote_addr
                        .is_some_and(|a| a.to_string() == args.remote_addr)
                })
            })
            .flatten();
        let by_identity = || {
            peers.iter().find(|p| {
                p.remote_addr.is_some()
                    && p.host.eq_ignore_ascii_case(&args.origin_host)
                    && (!p.dynamic || p.realm.eq_ignore_ascii_case(&args.origin_realm))
            })
        };
        let Some(peer) = by_addr.or_else(by_identity) else {
            return Err(error("NOT_FOUND"));
        };
        match self.node.disconnect_peer(&peer.host, cause, DPA_WAIT).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(error("TIMED_OUT")),
            Err(node::Error::Disconnected(_)) => Err(error("NOT_FOUND")),
            Err(e) => Err(server_error(e)),
        }
    }
}

impl SessionControl for SessionController {
    fn disconnect_session(&self, event: CgrEvent) -> ControlFuture<'_> {
        let origin = match origin_id(&event) {
            Ok(origin) => origin,
            Err(e) => return Box::pin(std::future::ready(Err(e))),
        };
        match self.forced_disconnect.as_str() {
            "*none" => Box::pin(std::future::ready(Ok(()))),
            "*asr" => self.on_server(move |live| live.abort_session(origin)),
            "*rar" => self.on_server(move |live| live.re_auth(origin)),
            other => {
                let e = BackendError(format!("Unsupported request type <{other}>"));
                Box::pin(std::future::ready(Err(e)))
            }
        }
    }

    fn alter_session(&self, event: CgrEvent) -> ControlFuture<'_> {
        match origin_id(&event) {
            Ok(origin) => self.on_server(move |live| live.re_auth(origin)),
            Err(e) => Box::pin(std::future::ready(Err(e))),
        }
    }

    fn disconnect_peer(&self, args: DisconnectPeerArgs) -> ControlFuture<'_> {
        self.on_server(move |live| live.disconnect_peer(args))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(fields: Value) -> CgrEvent {
        let Value::Object(event) = fields else {
            unreachable!()
        };
        CgrEvent {
            event,
            ..CgrEvent::default()
        }
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn origin_id_is_required_and_read_as_text() {
        assert_eq!(origin_id(&event(json!({"OriginID": "s1"}))).unwrap(), "s1");
        assert_eq!(origin_id(&event(json!({"OriginID": 42}))).unwrap(), "42");
        for bad in [
            json!({}),
            json!({"OriginID": ""}),
            json!({"OriginID": null}),
        ] {
            assert_eq!(
                origin_id(&event(bad)).unwrap_err().0,
                "MANDATORY_IE_MISSING: [OriginID]"
            );
        }
    }

    #[test]
    fn forced_disconnect_none_answers_ok_without_a_server() {
        let control = SessionController::new("*none");
        let ok = block_on(control.disconnect_session(event(json!({"OriginID": "s1"}))));
        assert_eq!(ok, Ok(()));
        // The OriginID is checked first.
        let e = block_on(control.disconnect_session(event(json!({}))));
        assert_eq!(e.unwrap_err().0, "MANDATORY_IE_MISSING: [OriginID]");
    }

    #[test]
    fn calls_without_a_running_server_are_server_errors() {
        let control = SessionController::new("*asr");
        let e = block_on(control.disconnect_session(event(json!({"OriginID": "s1"}))));
        assert_eq!(e.unwrap_err().0, "SERVER_ERROR: the agent is not running");
        let e = block_on(control.alter_session(event(json!({"OriginID": "s1"}))));
        assert_eq!(e.unwrap_err().0, "SERVER_ERROR: the agent is not running");
        let e = block_on(control.alter_session(event(json!({"Account": "1001"}))));
        assert_eq!(e.unwrap_err().0, "MANDATORY_IE_MISSING: [OriginID]");
        assert!(control.sessions().is_empty());
    }

    #[test]
    fn unsupported_forced_disconnect_is_reported() {
        let control = SessionController::new("*kill");
        let e = block_on(control.disconnect_session(event(json!({"OriginID": "s1"}))));
        assert_eq!(e.unwrap_err().0, "Unsupported request type <*kill>");
    }
}
