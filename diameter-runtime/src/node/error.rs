//! The runtime's errors.

use std::time::Duration;

use super::config::ConfigError;

/// What can go wrong when starting a node or sending a request.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad peer or application configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The dictionary could not be loaded.
    #[error("dictionary: {0}")]
    Dictionary(String),
    /// A socket operation failed (listening, for instance).
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// No answer arrived in time; nothing of the request is left behind.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// No ready peer can take the request.
    #[error("no ready peer for application {application} and realm `{realm}`")]
    NotRoutable {
        /// The request's Application-Id.
        application: u32,
        /// The request's Destination-Realm (empty without one).
        realm: String,
    },
    /// No peer of the application became ready in time.
    #[error("no peer ready within {0:?}")]
    NotReady(Duration),
    /// The bound on requests awaiting an answer is reached.
    #[error("too many requests awaiting an answer (limit {0})")]
    TooManyPending(usize),
    /// The connection closed before the request could be written.
    #[error("the connection to `{0}` is closed")]
    Disconnected(String),
    /// The node is not running.
    #[error("the node is not started or already stopped")]
    NotStarted,
}
