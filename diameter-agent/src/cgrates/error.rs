//! Why a call to a CGRateS engine failed.

use crate::backend::BackendError;

/// Go net/rpc's answer to an unknown service (a reason to try the next connection).
const NO_SERVICE: &str = "rpc: can't find service";

/// The outcome of a failed call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// The engine answered with an error text (`NOT_FOUND`, `RALS_ERROR:...`).
    #[error("{0}")]
    Remote(String),
    /// No reply within the reply timeout.
    #[error("REPLY_TIMEOUT")]
    Timeout,
    /// No connection (refused, closed, never established); the reason is for logs.
    #[error("DISCONNECTED")]
    Disconnected(String),
    /// The reply did not have the expected shape.
    #[error("SERVER_ERROR: cannot decode the reply: {0}")]
    Decode(String),
}

impl CallError {
    /// Whether a pool tries the next connection after this error (CGRateS' connection and
    /// service errors); an answer of the engine is final.
    pub fn fails_over(&self) -> bool {
        match self {
            CallError::Timeout | CallError::Disconnected(_) => true,
            CallError::Remote(text) => text.starts_with(NO_SERVICE),
            CallError::Decode(_) => false,
        }
    }
}

impl From<CallError> for BackendError {
    fn from(e: CallError) -> Self {
        BackendError(e.to_string())
    }
}
