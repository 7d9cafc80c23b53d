//! The local administration socket of a running agent: a Unix socket on which
//! `diameter-agent sessions list` and `diameter-agent sessions disconnect ORIGIN_ID` reach
//! it.
//!
//! Protocol: the client writes one JSON request on a line, the agent answers one JSON
//! line and closes.
//!
//! ```text
//! -> {"cmd":"list"}
//! <- {"ok":true,"sessions":[{"origin_id":"s1","peer":"client","remote":"127.0.0.1:4000",...}]}
//! -> {"cmd":"disconnect","origin_id":"s1","cause":"ADMIN"}
//! <- {"ok":true,"message":"..."}        or        {"ok":false,"error":"MANDATORY_IE_MISSING"}
//! ```
//!
//! `list` shows the sessions whose requests the agent keeps for ASR/RAR, joined with the
//! charging engine's open sessions when the embedded engine serves the agent.
//! `disconnect` asks the embedded engine to end the session when it has it open (the
//! engine then grants nothing more and the agent sends the ASR, see
//! [`crate::charging`]); otherwise it calls the agent's
//! [`SessionControl::disconnect_session`] directly with `OriginID` and `DisconnectCause`,
//! which sends the ASR (or RAR) as `forced_disconnect` says.
//!
//! The socket file is made readable and writable by its owner only; a stale file left by
//! an agent that died is replaced, a live one is an error.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};

use crate::backend::CgrEvent;
use crate::charging::ChargingBackend;
use crate::control::SessionControl;
use crate::session_control::SessionController;

/// The `DisconnectCause` sent when the operator gives none.
pub const DEFAULT_CAUSE: &str = "ADMIN_DISCONNECT";
/// Longest request line accepted.
const MAX_LINE: usize = 64 * 1024;

/// The socket path used when none is configured: the charging database's path with the
/// extension `sock` (`diameter-agent.db` -> `diameter-agent.sock`).
pub fn default_socket(db_path: &Path) -> PathBuf {
    db_path.with_extension("sock")
}

/// A request on the admin socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case")]
pub enum AdminRequest {
    /// List the sessions.
    List,
    /// Disconnect one session.
    Disconnect {
        /// Its OriginID (the Session-Id).
        origin_id: String,
        /// The `DisconnectCause` (default [`DEFAULT_CAUSE`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cause: Option<String>,
    },
}

/// One session as `list` shows it; fields absent when the source that knows them does not
/// have the session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionEntry {
    /// OriginID (Session-Id).
    pub origin_id: String,
    /// The peer whose request the agent keeps for the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<String>,
    /// That peer's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    /// Seconds since the session's last request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_seconds: Option<u64>,
    /// Charging engine: `tenant:account`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Charging engine: ToR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tor: Option<String>,
    /// Charging engine: `active` or `disconnecting`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Charging engine: the last grant (ToR units).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granted: Option<i64>,
    /// Charging engine: usage debited so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used: Option<i64>,
}

impl std::fmt::Display for SessionEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.origin_id)?;
        let text = [
            ("peer", self.peer.clone()),
            ("remote", self.remote.clone()),
            ("idle", self.idle_seconds.map(|s| format!("{s}s"))),
            ("account", self.account.clone()),
            ("tor", self.tor.clone()),
            ("state", self.state.clone()),
            ("granted", self.granted.map(|n| n.to_string())),
            ("used", self.used.map(|n| n.to_string())),
        ];
        for (key, value) in text {
            if let Some(v) = value {
                write!(f, " {key}={v}")?;
            }
        }
        Ok(())
    }
}

/// The answer on the admin socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminReply {
    /// Whether the request succeeded.
    pub ok: bool,
    /// `list`: the sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessions: Option<Vec<SessionEntry>>,
    /// What was done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl AdminReply {
    fn done(message: String) -> AdminReply {
        AdminReply {
            ok: true,
            sessions: None,
            message: Some(message),
            error: None,
        }
    }

    fn failed(error: String) -> AdminReply {
        AdminReply {
            ok: false,
            sessions: None,
            message: None,
            error: Some(error),
        }
    }
}

/// Why an admin request could not be made.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Nothing listens on the socket.
    #[error("the agent is not running (no admin socket at {path}: {source})")]
    NotRunning {
        /// The socket path.
        path: PathBuf,
        /// The connect error.
        source: std::io::Error,
    },
    /// The exchange failed.
    #[error("admin socket {path}: {reason}")]
    Exchange {
        /// The socket path.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

/// What the admin socket acts on.
#[derive(Clone)]
struct Target {
    control: Arc<SessionController>,
    charging: Option<ChargingBackend>,
}

/// A listening admin socket; dropping it stops listening and removes the file.
#[derive(Debug)]
pub struct AdminSocket {
    path: PathBuf,
    task: tokio::task::JoinHandle<()>,
}

impl AdminSocket {
    /// Listen on `path` (inside a tokio runtime) for requests acting on `control` and,
    /// when the embedded engine serves the agent, on `charging`.
    pub fn bind(
        path: impl AsRef<Path>,
        control: Arc<SessionController>,
        charging: Option<ChargingBackend>,
    ) -> std::io::Result<AdminSocket> {
        let path = path.as_ref().to_path_buf();
        if path.exists() {
            if std::os::unix::net::UnixStream::connect(&path).is_ok() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::AddrInUse,
                    format!(
                        "{}: another agent answers on this admin socket",
                        path.display()
                    ),
                ));
            }
            std::fs::remove_file(&path)?;
        }
        let listener = UnixListener::bind(&path).map_err(|e| {
            std::io::Error::new(e.kind(), format!("admin socket {}: {e}", path.display()))
        })?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        let target = Target { control, charging };
        let task = tokio::spawn(accept(listener, target));
        Ok(AdminSocket { path, task })
    }

    /// The socket path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for AdminSocket {
    fn drop(&mut self) {
        self.task.abort();
        let _ = std::fs::remove_file(&self.path);
    }
}

async fn accept(listener: UnixListener, target: Target) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(serve_one(stream, target.clone()));
            }
            Err(e) => {
                tracing::warn!("<DiameterAgent> admin socket: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Read one request line, answer one line.
async fn serve_one(stream: UnixStream, target: Target) {
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    let mut reader = tokio::io::BufReader::new(read).take(MAX_LINE as u64);
    let reply = match reader.read_line(&mut line).await {
        Ok(_) => match serde_json::from_str::<AdminRequest>(line.trim()) {
            Ok(request) => target.handle(request).await,
            Err(e) => AdminReply::failed(format!("bad request: {e}")),
        },
        Err(e) => AdminReply::failed(format!("bad request: {e}")),
    };
    let mut out = serde_json::to_string(&reply).unwrap_or_else(|_| "{\"ok\":false}".into());
    out.push('\n');
    let _ = write.write_all(out.as_bytes()).await;
    let _ = write.shutdown().await;
}

impl Target {
    async fn handle(&self, request: AdminRequest) -> AdminReply {
        match request {
            AdminRequest::List => match self.list().await {
                Ok(sessions) => AdminReply {
                    ok: true,
                    sessions: Some(sessions),
                    message: None,
                    error: None,
                },
                Err(e) => AdminReply::failed(e),
            },
            AdminRequest::Disconnect { origin_id, cause } => {
                let cause = cause.unwrap_or_else(|| DEFAULT_CAUSE.to_string());
                match self.disconnect(origin_id, cause).await {
                    Ok(message) => AdminReply::done(message),
                    Err(e) => AdminReply::failed(e),
                }
            }
        }
    }

    async fn list(&self) -> Result<Vec<SessionEntry>, String> {
        let mut out: Vec<SessionEntry> = self
            .control
            .sessions()
            .into_iter()
            .map(|s| SessionEntry {
                origin_id: s.session_id,
                peer: Some(s.peer),
                remote: s.remote.map(|a| a.to_string()),
                idle_seconds: Some(s.age.as_secs()),
                ..SessionEntry::default()
            })
            .collect();
        let Some(charging) = self.charging.clone() else {
            return Ok(out);
        };
        let open = tokio::task::spawn_blocking(move || charging.sessions())
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("charging engine: {e}"))?;
        for s in open {
            let at = match out.iter().position(|e| e.origin_id == s.origin_id) {
                Some(i) => i,
                None => {
                    out.push(SessionEntry {
                        origin_id: s.origin_id.clone(),
                        ..SessionEntry::default()
                    });
                    out.len() - 1
                }
            };
            let e = &mut out[at];
            e.account = Some(format!("{}:{}", s.tenant, s.account));
            e.tor = Some(s.tor);
            e.state = Some(s.state);
            e.granted = Some(s.granted);
            e.used = Some(s.used);
        }
        Ok(out)
    }

    async fn disconnect(&self, origin_id: String, cause: String) -> Result<String, String> {
        if origin_id.is_empty() {
            return Err("MANDATORY_IE_MISSING: [OriginID]".into());
        }
        if let Some(charging) = self.charging.clone() {
            let (id, why) = (origin_id.clone(), cause.clone());
            let found = tokio::task::spawn_blocking(move || charging.disconnect(&id, &why))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| format!("charging engine: {e}"))?;
            if found {
                return Ok(format!(
                    "session {origin_id}: ended by the charging engine ({cause}); the agent aborts it"
                ));
            }
        }
        let mut event = Map::new();
        event.insert("OriginID".into(), Value::String(origin_id.clone()));
        event.insert("DisconnectCause".into(), Value::String(cause.clone()));
        let event = CgrEvent {
            event,
            ..CgrEvent::default()
        };
        self.control
            .disconnect_session(event)
            .await
            .map_err(|e| e.0)?;
        Ok(format!(
            "session {origin_id}: DisconnectSession done ({cause})"
        ))
    }
}

/// Send `request` to the agent listening on `path` and read its answer, waiting at most
/// `timeout` (blocking; for the command line).
pub fn call(
    path: impl AsRef<Path>,
    request: &AdminRequest,
    timeout: Duration,
) -> Result<AdminReply, AdminError> {
    let path = path.as_ref().to_path_buf();
    let exchange = |reason: String| AdminError::Exchange {
        path: path.clone(),
        reason,
    };
    let mut stream = match std::os::unix::net::UnixStream::connect(&path) {
        Ok(s) => s,
        Err(source) => return Err(AdminError::NotRunning { path, source }),
    };
    stream
        .set_read_timeout(Some(timeout))
        .and_then(|()| stream.set_write_timeout(Some(timeout)))
        .map_err(|e| exchange(e.to_string()))?;
    let mut line = serde_json::to_string(request).map_err(|e| exchange(e.to_string()))?;
    line.push('\n');
    stream
        .write_all(line.as_bytes())
        .map_err(|e| exchange(format!("sending: {e}")))?;
    let mut answer = String::new();
    BufReader::new(&stream)
        .take(MAX_LINE as u64 * 16)
        .read_line(&mut answer)
        .map_err(|e| exchange(format!("reading the answer: {e}")))?;
    serde_json::from_str(answer.trim())
        .map_err(|e| exchange(format!("unreadable answer {:?}: {e}", answer.trim())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_replies_in_json() {
        let list = serde_json::to_string(&AdminRequest::List).unwrap();
        assert_eq!(list, r#"{"cmd":"list"}"#);
        let d: AdminRequest =
            serde_json::from_str(r#"{"cmd":"disconnect","origin_id":"s1"}"#).unwrap();
        assert_eq!(
            d,
            AdminRequest::Disconnect {
                origin_id: "s1".into(),
                cause: None
            }
        );
        assert!(serde_json::from_str::<AdminRequest>(r#"{"cmd":"reboot"}"#).is_err());
        let reply = AdminReply::failed("NOT_FOUND".into());
        assert_eq!(
            serde_json::to_string(&reply).unwrap(),
            r#"{"ok":false,"error":"NOT_FOUND"}"#
        );
    }

    #[test]
    fn session_lines_show_what_is_known() {
        let e = SessionEntry {
            origin_id: "s1".into(),
            peer: Some("client".into()),
            idle_seconds: Some(3),
            state: Some("active".into()),
            ..SessionEntry::default()
        };
        assert_eq!(e.to_string(), "s1 peer=client idle=3s state=active");
    }

    #[test]
    fn default_socket_is_next_to_the_database() {
        assert_eq!(
            default_socket(Path::new("/var/lib/agent/diameter-agent.db")),
            PathBuf::from("/var/lib/agent/diameter-agent.sock")
        );
    }

    #[test]
    fn no_agent_is_a_clear_error() {
        let path = std::env::temp_dir().join(format!("no-agent-{}.sock", std::process::id()));
        let e = call(&path, &AdminRequest::List, Duration::from_secs(1)).unwrap_err();
        assert!(matches!(e, AdminError::NotRunning { .. }));
        assert!(
            e.to_string()
                .starts_with("the agent is not running (no admin socket at"),
            "{e}"
        );
    }

    #[tokio::test]
    async fn a_bound_socket_answers_and_refuses_a_second_agent() {
        let path = std::env::temp_dir().join(format!("admin-{}.sock", std::process::id()));
        let control = Arc::new(SessionController::new("*none"));
        let admin = AdminSocket::bind(&path, control.clone(), None).unwrap();
        let p = path.clone();
        let reply = tokio::task::spawn_blocking(move || {
            call(&p, &AdminRequest::List, Duration::from_secs(10))
        })
        .await
        .unwrap()
        .unwrap();
        assert!(reply.ok);
        assert_eq!(reply.sessions, Some(Vec::new()));
        let p = path.clone();
        let reply = tokio::task::spawn_blocking(move || {
            let request = AdminRequest::Disconnect {
                origin_id: "s1".into(),
                cause: None,
            };
            call(&p, &request, Duration::from_secs(10))
        })
        .await
        .unwrap()
        .unwrap();
        // forced_disconnect *none: nothing to send, OK.
        assert!(reply.ok, "{reply:?}");
        let e = AdminSocket::bind(&path, control, None).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::AddrInUse);
        drop(admin);
        assert!(!path.exists());
    }
}
