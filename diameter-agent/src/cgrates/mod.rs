//! The CGRateS backend: SessionS calls sent to remote CGRateS engines over JSON-RPC, as
//! CGRateS' own agents do (`rpc_conns` with transport `*json` or `*birpc_json`).
//!
//! * [`codec`]: Go `net/rpc/jsonrpc` frames on a TCP stream.
//! * [`connection`]: one link: writer and reader tasks, calls waiting for replies, the
//!   engine's requests on a bidirectional link.
//! * [`client`]: one address, redialled with [`backoff`] after a drop.
//! * [`pool`]: one `rpc_conns` entry and its strategy (`*first`, `*next`, ...).
//! * [`agent_v1`]: the `AgentV1` service the engine calls back (DisconnectSession,
//!   AlterSession, DisconnectPeer), dispatched to the server's
//!   [`SessionControl`](crate::control::SessionControl).
//! * [`CgratesBackend`]: the [`Backend`](crate::Backend) over the pools
//!   `sessions_conns` names.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use diameter_agent::cgrates::CgratesBackend;
//! use diameter_agent::control::ControlSlot;
//! use diameter_agent::{load_dictionary, Config, Server, ServerOptions};
//!
//! let config = Config::from_str("agent.json", r#"{
//!     "rpc_conns": {"engine": {"strategy": "*first", "conns": [
//!         {"address": "127.0.0.1:2014", "transport": "*birpc_json"}]}},
//!     "diameter_agent": {"sessions_conns": ["engine"], "request_processors": []}}"#)?;
//! let backend = CgratesBackend::from_config(&config, ControlSlot::new())?
//!     .expect("sessions_conns names a remote engine");
//! backend.connect().await; // dial now rather than at the first call
//! let dict = Arc::new(load_dictionary(&config)?);
//! // The server fills the backend's control slot: the engine's AgentV1 calls reach it.
//! let server = Server::start(&config, dict, backend, ServerOptions::default()).await?;
//! # Ok(()) }
//! ```

pub mod agent_v1;
mod backend;
pub mod backoff;
pub mod client;
pub mod codec;
pub mod connection;
mod error;
pub mod pool;

pub use backend::{CgratesBackend, DEFAULT_MAX_RECONNECT_INTERVAL};
pub use error::CallError;
