//! Errors. Charging errors print as the strings CGRateS SessionS answers with, so an agent
//! can put them in `*cgrep.Error` unchanged (and its reply fields map them to Result-Codes).

use std::path::PathBuf;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A field the call needs is absent or empty.
    #[error("MANDATORY_IE_MISSING: [{0}]")]
    MandatoryMissing(String),
    /// A field has a value the engine cannot read.
    #[error("WRONG_ARGUMENT: {field}: {reason}")]
    InvalidField {
        /// Field or option name.
        field: String,
        /// What is wrong with its value.
        reason: String,
    },
    /// No account `tenant:account`.
    #[error("ACCOUNT_NOT_FOUND")]
    AccountNotFound {
        /// Tenant looked in.
        tenant: String,
        /// Account looked for.
        account: String,
    },
    /// No tariff rates this ToR, category and destination, and a cost is needed.
    #[error("RATING_PLAN_NOT_FOUND")]
    TariffNotFound,
    /// No active session with this origin.
    #[error("SESSION_NOT_FOUND")]
    SessionNotFound,
    /// The database failed; nothing of the request was applied.
    #[error("SERVER_ERROR: {0}")]
    Storage(String),
    /// The database file holds a schema newer than this engine knows.
    #[error("SERVER_ERROR: database schema version {found} is newer than {supported}")]
    SchemaTooNew {
        /// Version in the file.
        found: i64,
        /// Newest version this engine knows.
        supported: i64,
    },
    /// The engine's writer thread is gone.
    #[error("SERVER_ERROR: charging engine stopped")]
    Stopped,
    /// An accounts or tariffs file could not be loaded.
    #[error(transparent)]
    Load(#[from] LoadError),
}

/// A file that could not be loaded, with the place in it and the reason.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}: {location}: {reason}", file.display())]
pub struct LoadError {
    /// The file.
    pub file: PathBuf,
    /// `line N` (CSV) or a JSON path such as `accounts[2].balances.*voice`.
    pub location: String,
    /// What is wrong.
    pub reason: String,
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Storage(e.to_string())
    }
}
