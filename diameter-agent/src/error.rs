//! Errors: a refused configuration (file, JSON path, reason) and request processing failures.

use std::fmt;

/// A configuration the agent refuses: where (file and JSON path) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file (or source name) the offending item comes from.
    pub file: String,
    /// JSON path of the item (`diameter_agent.request_processors[0].request_fields[2].type`),
    /// or `line L column C` for a syntax error.
    pub path: String,
    /// What is wrong.
    pub reason: String,
}

impl ConfigError {
    /// An error about `path` in `file`.
    pub fn new(
        file: impl Into<String>,
        path: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        ConfigError {
            file: file.into(),
            path: path.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.file, self.reason)
        } else {
            write!(f, "{}: {}: {}", self.file, self.path, self.reason)
        }
    }
}

impl std::error::Error for ConfigError {}

/// Why processing one request failed on the agent side (answered with 5012 through `*err`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProcessError {
    /// A mandatory field found nothing (`NOT_FOUND:<tag>`).
    #[error("NOT_FOUND:{0}")]
    NotFound(String),
    /// A mandatory field produced empty text.
    #[error("Empty source value for fieldID: <{0}>")]
    Empty(String),
    /// Anything else, in words.
    #[error("{0}")]
    Other(String),
}

impl From<String> for ProcessError {
    fn from(s: String) -> Self {
        ProcessError::Other(s)
    }
}
